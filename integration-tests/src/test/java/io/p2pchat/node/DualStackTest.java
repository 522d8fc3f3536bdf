package io.p2pchat.node;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.p2pchat.rendezvous.RendezvousVerticle;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16, "a pair with working IPv6 goes direct over IPv6 even when one side's IPv4 NAT would force the
 * relay", on loopback: two dual-stack nodes register over IPv4 ({@code rendezvous.host} 127.0.0.1) and over
 * IPv6 too ({@code rendezvous.host6} ::1); one of them loses every packet to a peer's IPv4 address
 * ({@code impair.dropIpv4}, as a NAT that lets no direct IPv4 path through). They go direct over IPv6, never
 * relayed, and chat both ways, each message once and in order.
 */
@ExtendWith(VertxExtension.class)
@Timeout(120)
class DualStackTest {

  private static final String LOOPBACK6 = "::1";
  private static final int MESSAGES = 5;

  /** A node on 127.0.0.1 and ::1 that registers over IPv4 and, at the rendezvous's ::1, over IPv6 too. */
  private static JsonObject dualStackNode(TestNet net, String nick, RendezvousVerticle rdv) {
    JsonObject config = net.nodeConfig(nick, rdv.port());
    config.getJsonObject("rendezvous").put("host6", LOOPBACK6).put("port6", rdv.port6());
    config.getJsonObject("bind").put("host6", LOOPBACK6);
    return config;
  }

  /** UDP's discard port on loopback: nothing answers there, as a rendezvous that IPv4 does not reach. */
  private static final int UNANSWERED_PORT = 9;

  @Test
  void aNodeWhoseIpv4DoesNotReachTheRendezvousRegistersOverIpv6AndChats(Vertx vertx, @TempDir Path dir)
    throws Exception {
    TestNet net = new TestNet(vertx, dir);
    RendezvousVerticle rdv = net.rendezvous(new JsonObject().put("host6", LOOPBACK6));
    JsonObject erin = dualStackNode(net, "erin", rdv);
    // Its IPv4 rendezvous address answers nothing; given up after the shortest downAfterSeconds.
    erin.getJsonObject("rendezvous").put("port", UNANSWERED_PORT).put("downAfterSeconds",
      NodeOptions.MIN_RENDEZVOUS_DOWN_AFTER_SECONDS);
    TestNet.Node e = net.node(erin);
    TestNet.Node frank = net.node(dualStackNode(net, "frank", rdv));

    assertEquals("[::1]:" + rdv.port6(), e.awaitUp().getString("address"), "registered over IPv6");
    // Peers still reach erin over IPv4 (only the rendezvous's IPv4 port is silent): any direct path will do.
    e.events.await(TestNet.Events.PEER_STATE,
      ev -> "frank".equals(ev.getString("nick")) && ev.getString("state").startsWith("direct"));
    TestNet.chatOneWay(e, frank, "e2f", MESSAGES);
    TestNet.chatOneWay(frank, e, "f2e", MESSAGES);
    assertEquals(0, net.rendezvousStats().getLong("bugs"));
  }

  @Test
  void aDualStackPairWhoseIpv4CannotGoDirectGoesDirectOverIpv6NotRelayed(Vertx vertx, @TempDir Path dir)
    throws Exception {
    TestNet net = new TestNet(vertx, dir);
    RendezvousVerticle rdv = net.rendezvous(new JsonObject().put("host6", LOOPBACK6));
    TestNet.Node alice = net.node(dualStackNode(net, "alice", rdv));
    JsonObject dave = dualStackNode(net, "dave", rdv);
    dave.put("impair", new JsonObject().put("dropIpv4", true));
    long started = System.nanoTime();
    TestNet.Node d = net.node(dave);

    assertEquals("127.0.0.1:" + rdv.port(), alice.awaitUp().getString("address"), "registered over IPv4");
    alice.awaitPeerAt("dave", "direct", "[::1]:");
    d.awaitPeerAt("alice", "direct", "[::1]:");
    System.out.printf("dual-stack pair direct over IPv6 %d ms after dave's deployment began%n",
      java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));

    TestNet.chatOneWay(alice, d, "a2d", MESSAGES);
    TestNet.chatOneWay(d, alice, "d2a", MESSAGES);
    assertEquals(List.of(), alice.events.matching(TestNet.Events.PEER_STATE,
      e -> "dave".equals(e.getString("nick")) && "relayed".equals(e.getString("state"))), "never relayed");
    assertEquals(List.of(), alice.events.matching(TestNet.Events.PEER_STATE,
      e -> "dave".equals(e.getString("nick")) && String.valueOf(e.getString("address")).startsWith("127.0.0.1")),
      "never on IPv4");
    JsonObject stats = net.rendezvousStats();
    assertEquals(2, stats.getLong("altValidated"), "both registered their IPv6 address: " + stats.encode());
    assertEquals(0, stats.getLong("bugs"));
    assertEquals(0, stats.getJsonObject("drops").getLong("alt-unvalidated", 0L), "nothing refused: " + stats.encode());
  }
}
