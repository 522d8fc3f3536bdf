package io.p2pchat.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.AppenderBase;
import io.p2pchat.node.TestNet.Events;
import io.p2pchat.node.TestNet.Node;
import io.p2pchat.rendezvous.RendezvousVerticle;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * A node on a network whose only way out is an HTTP proxy (its UDP to the rendezvous goes nowhere, and it is
 * configured with {@code rendezvous.tls.proxy}) reaches the rendezvous through a real proxy, tinyproxy, with
 * Basic credentials: up over TLS, relayed chat with a UDP node, and the proxy's own log shows the CONNECT it
 * carried. A proxy address where nothing listens, or wrong credentials, are one clear line each, not one per retry.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 180, timeUnit = TimeUnit.SECONDS)
class TlsProxyTest {

  /** {@code rendezvous.tls.fallbackSeconds} (5) plus a TLS handshake through a proxy on a loaded machine. */
  private static final long FALLBACK_BOUND_SECONDS = 20;
  /** Retries after a failed attempt double from fallbackSeconds (1 s here): three attempts within 1 + 2 + 4 s. */
  private static final int ATTEMPTS = 3;
  private static final long ATTEMPTS_BOUND_SECONDS = 40;
  private static final int MESSAGES = 10;
  private static final String USER = "alice";
  private static final String PASSWORD = "pr0xy-s3cret";

  /** Every line the nodes log, at any level, with its exceptions' messages: none may show the proxy password. */
  private static final class Lines extends AppenderBase<ILoggingEvent> {
    private final List<String> lines = new ArrayList<>();

    @Override
    protected synchronized void append(ILoggingEvent event) {
      StringBuilder line = new StringBuilder(event.getFormattedMessage());
      for (IThrowableProxy t = event.getThrowableProxy(); t != null; t = t.getCause()) {
        line.append(" | ").append(t.getMessage());
      }
      lines.add(line.toString());
    }

    synchronized List<String> containing(String part) {
      return lines.stream().filter(l -> l.contains(part)).toList();
    }
  }

  private final Lines logged = new Lines();

  @BeforeEach
  void captureLog() {
    logged.start();
    ((Logger) LoggerFactory.getLogger("io.p2pchat")).addAppender(logged);
  }

  @AfterEach
  void releaseLog() {
    ((Logger) LoggerFactory.getLogger("io.p2pchat")).detachAppender(logged);
  }

  @Test
  void aNodeWhoseOnlyWayOutIsAnHttpProxyChatsOverTlsThroughIt(Vertx vertx, @TempDir Path dir) throws Exception {
    TestNet net = new TestNet(vertx, dir);
    RendezvousVerticle rendezvous = net.rendezvous(new JsonObject().put("dataDir", dir.resolve("rdv").toString()));
    try (Tinyproxy proxy = new Tinyproxy(dir.resolve("proxy"), rendezvous.tlsPort(), USER, PASSWORD)) {
      Node bob = UdpFirewall.nattedNode(net, "bob", rendezvous.port());
      Node alice = net.node(behindProxy(net, "alice", new UdpFirewall(vertx, rendezvous.port()).port(), rendezvous.tlsPort(),
        "http://" + USER + ":" + PASSWORD + "@127.0.0.1:" + proxy.port()));

      JsonObject up = alice.events.awaitWithin(Events.RENDEZVOUS_STATE, e -> "up".equals(e.getString("state")),
        FALLBACK_BOUND_SECONDS);
      assertEquals("tls", up.getString("transport"), up.encode());
      assertEquals("http://127.0.0.1:" + proxy.port(), up.getString("proxy"), "the up event names the proxy: " + up.encode());
      List<String> connects = proxy.awaitLines(l -> l.contains("CONNECT 127.0.0.1:" + rendezvous.tlsPort()), 1,
        FALLBACK_BOUND_SECONDS); // its log reaches us through a pipe, maybe after the event
      assertEquals(1, connects.size(), "the proxy carried one tunnel to the rendezvous's TLS port: "
        + proxy.lines(l -> true));

      JsonObject path = alice.events.await(Events.PEER_STATE,
        e -> "bob".equals(e.getString("nick")) && "relayed".equals(e.getString("state")));
      assertEquals("tls", path.getString("transport"), path.encode());
      assertEquals("127.0.0.1:" + rendezvous.tlsPort(), path.getString("address"), "via the rendezvous, not the proxy");
      bob.awaitPeer("alice", "relayed");
      List<String> fromAlice = new ArrayList<>();
      List<String> fromBob = new ArrayList<>();
      for (int i = 0; i < MESSAGES; i++) {
        fromAlice.add("via-proxy-a-" + i);
        alice.send("via-proxy-a-" + i);
        fromBob.add("via-proxy-b-" + i);
        bob.send("via-proxy-b-" + i);
      }
      assertEquals(fromAlice, bob.events.awaitCount(Events.RECEIVED, e -> e.getString("text").startsWith("via-proxy-a-"),
        MESSAGES).stream().map(e -> e.getString("text")).toList(), "alice to bob through the proxy: once, in order");
      assertEquals(fromBob, alice.events.awaitCount(Events.RECEIVED, e -> e.getString("text").startsWith("via-proxy-b-"),
        MESSAGES).stream().map(e -> e.getString("text")).toList(), "bob to alice through the proxy: once, in order");
      assertEquals(1, proxy.lines(l -> l.contains("CONNECT 127.0.0.1:" + rendezvous.tlsPort())).size(),
        "one tunnel carried it all");
      assertEquals(List.of(), logged.containing(PASSWORD), "no line shows the proxy's password");
      assertTrue(logged.containing("via proxy http://127.0.0.1:" + proxy.port()).size() >= 1, "the log says which proxy");
    }
  }

  @Test
  void aProxyAddressWhereNothingListensIsOneClearLine(Vertx vertx, @TempDir Path dir) throws Exception {
    TestNet net = new TestNet(vertx, dir);
    RendezvousVerticle rendezvous = net.rendezvous(new JsonObject().put("dataDir", dir.resolve("rdv").toString()));
    int nothing = Tinyproxy.freePort();
    Node alice = net.node(behindProxy(net, "alice", new UdpFirewall(vertx, rendezvous.port()).port(), rendezvous.tlsPort(),
      "http://" + USER + ":" + PASSWORD + "@127.0.0.1:" + nothing));

    JsonObject down = alice.events.awaitWithin(Events.RENDEZVOUS_STATE, e -> "tls proxy".equals(e.getString("reason")),
      FALLBACK_BOUND_SECONDS);
    assertEquals("proxy http://127.0.0.1:" + nothing + " (rendezvous.tls.proxy) not reachable: Connection refused",
      down.getString("error"), down.encode());
    assertEquals(List.of(), logged.containing(PASSWORD), "no line shows the proxy's password");
    assertEquals(0, net.rendezvousStats().getInteger("clients"), "nothing registered");
  }

  @Test
  void wrongCredentialsAreOneClearLineHoweverOftenTheNodeRetries(Vertx vertx, @TempDir Path dir) throws Exception {
    TestNet net = new TestNet(vertx, dir);
    RendezvousVerticle rendezvous = net.rendezvous(new JsonObject().put("dataDir", dir.resolve("rdv").toString()));
    try (Tinyproxy proxy = new Tinyproxy(dir.resolve("proxy"), rendezvous.tlsPort(), USER, PASSWORD)) {
      Node alice = net.node(behindProxy(net, "alice", new UdpFirewall(vertx, rendezvous.port()).port(), rendezvous.tlsPort(),
        "http://" + USER + ":wrong@127.0.0.1:" + proxy.port()));

      List<String> attempts = proxy.awaitLines(l -> l.contains("CONNECT 127.0.0.1:" + rendezvous.tlsPort()), ATTEMPTS,
        ATTEMPTS_BOUND_SECONDS);
      assertEquals(ATTEMPTS, attempts.size(), "the node keeps trying through the proxy: " + proxy.lines(l -> true));
      List<JsonObject> lines = alice.events.matching(Events.RENDEZVOUS_STATE, e -> "tls proxy".equals(e.getString("reason")));
      assertEquals(1, lines.size(), "one line for " + ATTEMPTS + " refusals: " + lines);
      // tinyproxy answers a CONNECT with wrong credentials 401, where RFC 9110 says 407: the line says what it said.
      String error = lines.get(0).getString("error");
      assertTrue(error.matches("proxy http://127\\.0\\.0\\.1:" + proxy.port() + " \\(rendezvous\\.tls\\.proxy\\) refused"
        + " the tunnel to 127\\.0\\.0\\.1:" + rendezvous.tlsPort() + ": 40[17] .+"), error);
      assertEquals(0, net.rendezvousStats().getInteger("clients"), "nothing registered");
    }
  }

  /** alice's config: her UDP rendezvous port is {@code udpPort}, which answers nothing; TLS through {@code proxy}. */
  private static JsonObject behindProxy(TestNet net, String nick, int udpPort, int tlsPort, String proxy) {
    JsonObject config = net.nodeConfig(nick, udpPort);
    config.getJsonObject("rendezvous").put("tls", new JsonObject().put("port", tlsPort).put("proxy", proxy)
      .put("fallbackSeconds", 1));
    return config;
  }
}
