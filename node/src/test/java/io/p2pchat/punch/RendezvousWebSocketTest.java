package io.p2pchat.punch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.p2pchat.common.NodeLog;
import io.p2pchat.node.NodeOptions;
import io.p2pchat.wire.PacketCodec;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SelfSignedCertificate;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The node's side of the TLS transport against a rendezvous that stops reading (a stalled TCP path): what the
 * node cannot hand to the connection is dropped and counted, never queued without bound.
 */
class RendezvousWebSocketTest {

  private static final long WAIT_SECONDS = 30;
  /**
   * Datagrams sent at most before a drop must have come: 20 MiB, five times what the node's socket send
   * buffer (tcp_wmem's 4 MiB at most) and the stalled server's small receive buffer take, plus the 75 KiB
   * write queue.
   */
  private static final int MAX_DATAGRAMS = 20 * 1024 * 1024 / PacketCodec.MAX_DATAGRAM;
  /** Datagrams sent after the first drop, every one of which must be dropped too: the queue stays full. */
  private static final int AFTER_FIRST_DROP = 1000;
  /** Datagrams sent in one event-loop turn: a burst of the node's, like a full send window's packets. */
  private static final int BATCH = 50;
  /** The stalled server's socket receive buffer: small and fixed, so the path fills quickly. */
  private static final int SERVER_RECEIVE_BUFFER = 16 * 1024;

  private final Vertx vertx = Vertx.vertx();
  /** The one event loop everything of the node's side runs on, as PunchVerticle's. */
  private final io.vertx.core.Context context = vertx.getOrCreateContext();

  @AfterEach
  void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(WAIT_SECONDS, TimeUnit.SECONDS);
  }

  @Test
  void aRendezvousThatStopsReadingCostsTheNodeItsWriteQueueAndNoMore() throws Exception {
    SelfSignedCertificate certificate = SelfSignedCertificate.create("localhost");
    CompletableFuture<ServerWebSocket> accepted = new CompletableFuture<>();
    HttpServer server = vertx.createHttpServer(new HttpServerOptions().setSsl(true).setHost("127.0.0.1").setPort(0)
        .setKeyCertOptions(certificate.keyCertOptions()).setReceiveBufferSize(SERVER_RECEIVE_BUFFER))
      .webSocketHandler(ws -> {
        ws.pause(); // reads nothing: the node's bytes pile up in the kernel, then in its write queue
        accepted.complete(ws);
      });
    int port = await(server.listen()).actualPort();
    NodeOptions options = new NodeOptions(new JsonObject().put("nick", "alice")
      .put("rendezvous", new JsonObject().put("host", "127.0.0.1").put("tls", new JsonObject().put("port", port))));
    Buffer datagram = Buffer.buffer(new byte[PacketCodec.MAX_DATAGRAM]);

    // On a Vert.x context, as on PunchVerticle's event loop, a batch per turn as the node sends (a turn's
    // writes reach the connection's queue accounting only once the turn ends).
    RendezvousWebSocket tls = onContext(() -> {
      RendezvousWebSocket ws = new RendezvousWebSocket(vertx, NodeLog.of(RendezvousWebSocketTest.class, "alice", "logs"),
        options, "127.0.0.1");
      return ws.connect("127.0.0.1", b -> { }, v -> { }).map(binding -> ws);
    });
    long sent = 0;
    while (onContext(() -> Future.succeededFuture(tls.writeQueueDrops())) == 0 && sent < MAX_DATAGRAMS) {
      onContext(() -> sendBatch(tls, datagram));
      sent += BATCH;
    }
    long dropsAtFirst = onContext(() -> Future.succeededFuture(tls.writeQueueDrops()));
    for (int i = 0; i < AFTER_FIRST_DROP; i += BATCH) {
      onContext(() -> sendBatch(tls, datagram));
    }
    long[] counts = {sent, dropsAtFirst, onContext(() -> Future.succeededFuture(tls.writeQueueDrops())) - dropsAtFirst,
      onContext(() -> Future.succeededFuture(tls.isOpen())) ? 1 : 0};
    await(Future.fromCompletionStage(accepted));
    assertTrue(counts[1] > 0, "no drop after " + counts[0] + " datagrams of " + PacketCodec.MAX_DATAGRAM
      + " bytes to a rendezvous that reads nothing");
    assertEquals(AFTER_FIRST_DROP, counts[2], "every datagram after the first drop was dropped: the queue does not grow");
    assertEquals(1, counts[3], "the connection stays");
    System.out.printf("RendezvousWebSocketTest: first drop after %d datagrams (%d KiB)%n", counts[0],
      counts[0] * PacketCodec.MAX_DATAGRAM / 1024);
  }

  private static Future<Void> sendBatch(RendezvousWebSocket tls, Buffer datagram) {
    for (int i = 0; i < BATCH; i++) {
      tls.send(datagram);
    }
    return Future.succeededFuture();
  }

  private <T> T onContext(java.util.function.Supplier<Future<T>> work) throws Exception {
    CompletableFuture<T> result = new CompletableFuture<>();
    context.runOnContext(v -> work.get().onComplete(ar -> {
      if (ar.succeeded()) {
        result.complete(ar.result());
      } else {
        result.completeExceptionally(ar.cause());
      }
    }));
    return result.get(WAIT_SECONDS, TimeUnit.SECONDS);
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(WAIT_SECONDS, TimeUnit.SECONDS);
  }
}
