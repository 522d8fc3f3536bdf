package io.p2pchat.rendezvous;

import io.p2pchat.rendezvous.tls.WebSocketIngress;
import io.p2pchat.wire.Control;
import io.p2pchat.wire.ControlType;
import io.p2pchat.wire.PacketCodec;
import io.p2pchat.wire.RelayCodec;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The TLS transport's bounds: connections per ip, one datagram per binary message, a slow reader. */
class TlsBoundsTest {

  /**
   * Relay frames the rendezvous forwards to the slow reader at most before the test gives up: 22 MB,
   * five times what the server's socket send buffer takes at most (tcp_wmem's 4 MiB) plus the reader's
   * small receive buffer and the 75 KiB write queue.
   */
  private static final int MAX_FRAMES = 20_000;
  /**
   * Frames between two looks at the counters: few enough that the rendezvous's UDP receive buffer
   * (208 KiB by default) takes them all, so the count relayed follows the count sent.
   */
  private static final int BATCH = 50;
  /** Frames relayed after the first drop, all of which must be dropped too: the queue does not grow. */
  private static final int AFTER_FIRST_DROP = 1000;
  /** The slow reader's socket receive buffer: small and fixed (no autotuning), so the server's side fills first. */
  private static final int SLOW_READER_BUFFER = 16 * 1024;
  private static final int FRAME_BYTES = 1100;

  @TempDir
  Path dir;
  private RendezvousHarness server;

  @BeforeEach
  void start() {
    // A relay budget no test client reaches: the slow reader, not the budget, must be what drops.
    server = new RendezvousHarness(new JsonObject().put("dataDir", dir.toString())
      .put("relayBytesPerSecond", Integer.MAX_VALUE).put("tls", new JsonObject().put("port", 0)));
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void oneIpHoldsAtMostSixteenConnections() {
    Vertx vertx = Vertx.vertx();
    try {
      WebSocketClient client = vertx.createWebSocketClient(new WebSocketClientOptions().setSsl(true).setTrustAll(true)
        .setVerifyHost(false));
      List<WebSocket> open = new ArrayList<>();
      for (int i = 0; i < WebSocketIngress.MAX_CONNECTIONS_PER_HOST; i++) {
        open.add(RendezvousHarness.await(WsClient.connect(client, server.tlsPort())));
      }
      Future<WebSocket> refused = WsClient.connect(client, server.tlsPort());
      AssertionError e = org.junit.jupiter.api.Assertions.assertThrows(AssertionError.class,
        () -> RendezvousHarness.await(refused));
      assertTrue(e.getMessage().contains("429"), e.getMessage());
      assertEquals(1, server.tlsDrops("tls-per-host"));
      assertEquals(WebSocketIngress.MAX_CONNECTIONS_PER_HOST, server.stats().getInteger("tlsConnections"));

      RendezvousHarness.await(open.get(0).close());
      RendezvousHarness.awaitTrue("a closed connection frees its place",
        () -> server.stats().getInteger("tlsConnections") == WebSocketIngress.MAX_CONNECTIONS_PER_HOST - 1);
      RendezvousHarness.await(WsClient.connect(client, server.tlsPort()));
    } finally {
      RendezvousHarness.await(vertx.close());
    }
  }

  /** A server of 3 connections in all (tls.maxConnections): fewer than one ip's 16, so the total bound is what refuses. */
  private static final int SMALL_MAX_CONNECTIONS = 3;

  @Test
  void aFullServerRefusesTheNextUpgradeWith503AndCountsIt() {
    Vertx vertx = Vertx.vertx();
    try (RendezvousHarness small = new RendezvousHarness(new JsonObject().put("dataDir", dir.resolve("small").toString())
      .put("tls", new JsonObject().put("port", 0).put("maxConnections", SMALL_MAX_CONNECTIONS)))) {
      WebSocketClient client = vertx.createWebSocketClient(new WebSocketClientOptions().setSsl(true).setTrustAll(true)
        .setVerifyHost(false));
      List<WebSocket> open = new ArrayList<>();
      for (int i = 0; i < SMALL_MAX_CONNECTIONS; i++) {
        open.add(RendezvousHarness.await(WsClient.connect(client, small.tlsPort())));
      }
      AssertionError e = org.junit.jupiter.api.Assertions.assertThrows(AssertionError.class,
        () -> RendezvousHarness.await(WsClient.connect(client, small.tlsPort())));
      assertTrue(e.getMessage().contains("503"), e.getMessage());
      assertEquals(1, small.tlsDrops("tls-full"));
      assertEquals(0, small.tlsDrops("tls-per-host"));
      assertEquals(SMALL_MAX_CONNECTIONS, small.stats().getInteger("tlsConnections"));

      RendezvousHarness.await(open.get(0).close());
      RendezvousHarness.awaitTrue("a closed connection frees its place",
        () -> small.stats().getInteger("tlsConnections") == SMALL_MAX_CONNECTIONS - 1);
      RendezvousHarness.await(WsClient.connect(client, small.tlsPort()));
      assertEquals(1, small.tlsDrops("tls-full"), "refused once, while full only");
    } finally {
      RendezvousHarness.await(vertx.close());
    }
  }

  @Test
  void aTextMessageOrOneOverADatagramClosesTheConnectionAndIsCounted() {
    try (WsClient text = new WsClient(server.tlsPort(), "text", "lobby");
         WsClient big = new WsClient(server.tlsPort(), "big", "lobby")) {
      text.sendText("list");
      assertEquals(1008, text.awaitClose(), "policy violation");
      big.send(new byte[PacketCodec.MAX_DATAGRAM + 1]);
      assertEquals(1008, big.awaitClose(), "policy violation");
      assertEquals(2, server.tlsDrops("tls-policy"));
      RendezvousHarness.awaitTrue("both connections gone", () -> server.stats().getInteger("tlsConnections") == 0);
    }
  }

  @Test
  void aReaderThatNeverReadsLosesRelayedDatagramsInsteadOfGrowingTheServersMemory() throws Exception {
    try (WsClient alice = new WsClient(server.tlsPort(), "alice", "lobby", SLOW_READER_BUFFER);
         UdpClient bob = new UdpClient(server.port(), "bob", "lobby")) {
      alice.register();
      bob.register();
      long aliceRelayId = bob.receiveControl(ControlType.INTRODUCE).getJsonObject(Control.PEER).getLong(Control.RELAY_ID);
      alice.pauseReading();
      byte[] frame = RelayCodec.encode(aliceRelayId, Buffer.buffer(new byte[FRAME_BYTES])).getBytes();
      long handledBefore = server.stats().getLong("handled");
      JsonObject stats = server.stats();
      while (stats.getJsonObject("tls").getJsonObject("drops").getLong("tls-backpressure") == 0) {
        long relayed = stats.getLong("handled") - handledBefore;
        assertTrue(relayed < MAX_FRAMES, "no back-pressure drop after " + relayed + " frames of " + FRAME_BYTES
          + " bytes relayed to a reader that never reads");
        for (int i = 0; i < BATCH; i++) {
          bob.send(frame);
        }
        stats = server.stats();
      }
      // From now on the queue is full: what is relayed to the reader is dropped, not kept.
      long relayedAtFirstDrop = stats.getLong("handled");
      long dropsAtFirstDrop = stats.getJsonObject("tls").getJsonObject("drops").getLong("tls-backpressure");
      while (stats.getLong("handled") - relayedAtFirstDrop < AFTER_FIRST_DROP) {
        for (int i = 0; i < BATCH; i++) {
          bob.send(frame);
        }
        stats = server.stats();
      }
      long relayedAfter = stats.getLong("handled") - relayedAtFirstDrop;
      long droppedAfter = stats.getJsonObject("tls").getJsonObject("drops").getLong("tls-backpressure") - dropsAtFirstDrop;
      assertTrue(droppedAfter >= relayedAfter * 99 / 100, droppedAfter + " of " + relayedAfter
        + " frames relayed after the first drop were dropped: the rest was queued");
      assertEquals(1, stats.getInteger("tlsConnections"), "the slow reader stays connected");
      assertEquals(stats.getLong("received"), stats.getLong("answered") + stats.getLong("handled")
        + stats.getInteger("deferred") + stats.getJsonObject("drops").getLong("total"),
        "every datagram accounted for (a retransmitted initiation may still be on a worker): " + stats.encode());
    }
  }
}
