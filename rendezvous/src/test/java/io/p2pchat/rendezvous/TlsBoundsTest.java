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

  /** Relay frames the slow-reader test sends at most: ~110 MB, far beyond any socket buffer on loopback. */
  private static final int MAX_FRAMES = 100_000;
  /** Frames between two looks at the counters. */
  private static final int BATCH = 500;
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
    try (WsClient alice = new WsClient(server.tlsPort(), "alice", "lobby");
         UdpClient bob = new UdpClient(server.port(), "bob", "lobby")) {
      alice.register();
      bob.register();
      long aliceRelayId = bob.receiveControl(ControlType.INTRODUCE).getJsonObject(Control.PEER).getLong(Control.RELAY_ID);
      alice.pauseReading();
      byte[] frame = RelayCodec.encode(aliceRelayId, Buffer.buffer(new byte[FRAME_BYTES])).getBytes();
      int sent = 0;
      while (server.tlsDrops("tls-backpressure") == 0) {
        assertTrue(sent < MAX_FRAMES, "no back-pressure drop after " + sent + " frames of " + FRAME_BYTES + " bytes");
        for (int i = 0; i < BATCH; i++) {
          bob.send(frame);
        }
        sent += BATCH;
      }
      JsonObject stats = server.stats();
      assertEquals(1, stats.getInteger("tlsConnections"), "the slow reader stays connected");
      assertEquals(stats.getLong("received"), stats.getLong("answered") + stats.getLong("handled")
        + stats.getJsonObject("drops").getLong("total"), "every datagram accounted for");
    }
  }
}
