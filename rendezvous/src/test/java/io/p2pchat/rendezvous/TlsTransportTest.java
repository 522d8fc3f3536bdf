package io.p2pchat.rendezvous;

import io.p2pchat.rendezvous.tls.TlsCertificate;
import io.p2pchat.rendezvous.tls.TlsSettings;
import io.p2pchat.rendezvous.tls.WebSocketIngress;
import io.p2pchat.wire.Control;
import io.p2pchat.wire.ControlType;
import io.p2pchat.wire.Endpoint;
import io.p2pchat.wire.RelayCodec;
import io.p2pchat.wire.StreamEndpoint;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemKeyCertOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The rendezvous's TLS transport end to end on loopback: a client over a WebSocket in TLS (trusting any
 * certificate, its handshake bound to the one it saw) meets a UDP client through the relay, and a man in
 * the middle of the TLS gets nothing registered.
 */
class TlsTransportTest {

  @TempDir
  Path dir;
  private RendezvousHarness server;

  @BeforeEach
  void start() {
    server = new RendezvousHarness(new JsonObject().put("dataDir", dir.resolve("rendezvous").toString())
      .put("tls", new JsonObject().put("port", 0)));
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void aTlsClientAndAUdpClientAreIntroducedRelayFirstAndRelayBothWays() throws Exception {
    try (WsClient alice = new WsClient(server.tlsPort(), "alice", "lobby");
         UdpClient bob = new UdpClient(server.port(), "bob", "lobby")) {
      assertEquals("registered", alice.register().getString(Control.TYPE));
      assertEquals("registered", bob.register().getString(Control.TYPE));

      JsonObject toBob = bob.receiveControl(ControlType.INTRODUCE);
      JsonObject toAlice = alice.receiveControl(ControlType.INTRODUCE);
      assertEquals(Boolean.TRUE, toBob.getBoolean(Control.RELAY_FIRST), toBob.encode());
      assertEquals(Boolean.TRUE, toAlice.getBoolean(Control.RELAY_FIRST), toAlice.encode());
      Endpoint alicePublic = Endpoint.parse(toBob.getJsonObject(Control.PEER).getString(Control.PUBLIC));
      assertTrue(StreamEndpoint.is(alicePublic), "alice's address is synthetic, in 100::/64: " + alicePublic);
      assertEquals(1, server.stats().getInteger("tlsConnections"));

      long aliceRelayId = toBob.getJsonObject(Control.PEER).getLong(Control.RELAY_ID);
      long bobRelayId = toAlice.getJsonObject(Control.PEER).getLong(Control.RELAY_ID);
      Random random = new Random(16);
      byte[] fromBob = new byte[1000];
      random.nextBytes(fromBob);
      bob.send(RelayCodec.encode(aliceRelayId, Buffer.buffer(fromBob)));
      Buffer atAlice = Buffer.buffer(alice.receiveOther());
      assertEquals(bobRelayId, RelayCodec.relayId(atAlice), "the frame names its sender");
      assertArrayEquals(fromBob, RelayCodec.inner(atAlice).getBytes(), "UDP to TLS: the same bytes");

      byte[] fromAlice = new byte[1100];
      random.nextBytes(fromAlice);
      alice.send(RelayCodec.encode(bobRelayId, Buffer.buffer(fromAlice)).getBytes());
      Buffer atBob = Buffer.buffer(receiveOther(bob));
      assertEquals(aliceRelayId, RelayCodec.relayId(atBob));
      assertArrayEquals(fromAlice, RelayCodec.inner(atBob).getBytes(), "TLS to UDP: the same bytes");
    }
  }

  @Test
  void aManInTheMiddleOfTlsGetsNothingRegistered() throws Exception {
    TlsCertificate own = TlsCertificate.loadOrCreate(new TlsSettings("127.0.0.1", 0, null, null, dir.resolve("mitm"),
      1), "mitm.example");
    Vertx vertx = Vertx.vertx();
    try {
      int proxyPort = RendezvousHarness.await(proxy(vertx, own, server.tlsPort()).listen()).actualPort();
      try (WsClient victim = new WsClient(proxyPort, "victim", "lobby")) {
        assertFalse(Arrays.equals(server.verticle.certificate().binding(), victim.certificateHash),
          "the client saw the proxy's certificate");
        victim.sendInitiation(); // HELLO and COOKIE pass through the proxy; the INITIATION is bound to its certificate
        RendezvousHarness.awaitTrue("the initiation is dropped as unauthenticated",
          () -> server.drops("unauthenticated") >= 1);
        assertFalse(victim.hasSession());
        assertEquals(0, victim.queued(), "no RESPONSE came back");
        assertEquals(0, server.stats().getInteger("controlSessions"));
        assertEquals(0, server.stats().getInteger("clients"));
      }
      try (WsClient direct = new WsClient(server.tlsPort(), "alice", "lobby")) {
        assertArrayEquals(server.verticle.certificate().binding(), direct.certificateHash);
        assertEquals("registered", direct.register().getString(Control.TYPE), "the real server's client registers");
      }
    } finally {
      RendezvousHarness.await(vertx.close());
    }
  }

  /** A TLS-terminating proxy with its own certificate, forwarding every WebSocket message to the rendezvous and back. */
  private static HttpServer proxy(Vertx vertx, TlsCertificate own, int upstreamPort) {
    WebSocketClient upstream = vertx.createWebSocketClient(new WebSocketClientOptions().setSsl(true).setTrustAll(true)
      .setVerifyHost(false));
    return vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0).setSsl(true)
        .setKeyCertOptions(new PemKeyCertOptions().addCertValue(Buffer.buffer(own.certPem()))
          .addKeyValue(Buffer.buffer(own.keyPem()))))
      .webSocketHandler((ServerWebSocket client) -> {
        client.pause();
        WsClient.connect(upstream, upstreamPort).onSuccess((WebSocket real) -> {
          client.binaryMessageHandler(real::writeBinaryMessage);
          real.binaryMessageHandler(client::writeBinaryMessage);
          client.resume();
        });
      });
  }

  private static byte[] receiveOther(UdpClient client) {
    while (true) {
      byte[] d = client.receive();
      if (d.length > 0 && d[0] != io.p2pchat.control.ControlCodec.MAGIC) {
        return d;
      }
    }
  }

  @Test
  void onlyThePathUpgradesAndTheRootSaysWhatThisIs() {
    Vertx vertx = Vertx.vertx();
    try {
      var http = vertx.createHttpClient(new io.vertx.core.http.HttpClientOptions().setSsl(true).setTrustAll(true)
        .setVerifyHost(false));
      String banner = RendezvousHarness.await(http.request(io.vertx.core.http.HttpMethod.GET, server.tlsPort(),
        "127.0.0.1", "/").compose(r -> r.send()).compose(r -> r.body())).toString();
      assertEquals(WebSocketIngress.PATH, banner.substring(banner.indexOf('/'), banner.indexOf(' ', banner.indexOf('/'))));
      int status = RendezvousHarness.await(http.request(io.vertx.core.http.HttpMethod.GET, server.tlsPort(),
        "127.0.0.1", "/other").compose(r -> r.send()).map(r -> r.statusCode()));
      assertEquals(404, status);
    } finally {
      RendezvousHarness.await(vertx.close());
    }
  }
}
