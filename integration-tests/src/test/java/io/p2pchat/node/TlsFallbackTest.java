package io.p2pchat.node;

import static io.p2pchat.node.TestNet.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.p2pchat.chat.ChatAddresses;
import io.p2pchat.control.ChannelBinding;
import io.p2pchat.node.TestNet.Events;
import io.p2pchat.node.TestNet.Node;
import io.p2pchat.rendezvous.RendezvousVerticle;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node whose UDP to the rendezvous goes nowhere (its {@code rendezvous.port} is a UDP socket of the test
 * that forwards nothing, "the firewall") while the rendezvous's TLS port answers: it registers over TLS,
 * chats with a UDP node through the relay, and moves back to UDP and a direct path once the firewall lets
 * UDP through; and a wrong pinned certificate fingerprint is refused.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 180, timeUnit = TimeUnit.SECONDS)
class TlsFallbackTest {

  /** The bound on falling back: {@code rendezvous.tls.fallbackSeconds} (5) plus a loaded machine's TLS handshake. */
  private static final long FALLBACK_BOUND_SECONDS = 20;
  /** The bound on a direct path after UDP returns. */
  private static final long UPGRADE_BOUND_SECONDS = 60;
  private static final int MESSAGES = 20;

  @Test
  void aNodeWhoseUdpIsBlockedChatsOverTlsAndGoesDirectWhenUdpReturns(Vertx vertx, @TempDir Path dir) throws Exception {
    TestNet net = new TestNet(vertx, dir);
    RendezvousVerticle rendezvous = net.rendezvous(new JsonObject().put("dataDir", dir.resolve("rdv").toString()));
    UdpFirewall firewall = new UdpFirewall(vertx, rendezvous.port());
    // Bob behind a NAT of his own, which lets in only what comes back from the rendezvous, on another loopback
    // address: alice cannot reach him directly, as none could from behind a firewall that drops UDP.
    Node bob = UdpFirewall.nattedNode(net, "bob", rendezvous.port());
    JsonObject aliceConfig = net.nodeConfig("alice", firewall.port());
    aliceConfig.getJsonObject("rendezvous").put("tls", new JsonObject().put("port", rendezvous.tlsPort()));
    long started = System.nanoTime();
    Node alice = net.node(aliceConfig);

    JsonObject up = alice.events.awaitWithin(Events.RENDEZVOUS_STATE, e -> "up".equals(e.getString("state")),
      FALLBACK_BOUND_SECONDS);
    assertEquals("tls", up.getString("transport"), up.encode());
    assertEquals("127.0.0.1:" + rendezvous.tlsPort(), up.getString("address"));
    long fallbackMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
    JsonObject path = alice.events.await(Events.PEER_STATE,
      e -> "bob".equals(e.getString("nick")) && "relayed".equals(e.getString("state")));
    assertEquals("tls", path.getString("transport"), "alice's relayed path runs over her TLS link: " + path.encode());
    assertEquals("127.0.0.1:" + rendezvous.tlsPort(), path.getString("address"),
      "a path relayed over TLS shows the TLS port it goes through, not the blocked UDP one");
    bob.awaitPeer("alice", "relayed");

    chatBothWays(alice, bob, "over-tls", 0);
    JsonObject check = await(vertx.eventBus().<JsonObject>request(new ChatAddresses("alice").netcheck(), new JsonObject())).body();
    assertEquals("blocked", check.getString("udp"), check.encode());

    // The firewall opens: alice's next UDP HELLO is answered, she registers over UDP again and punches.
    firewall.open();
    long opened = System.nanoTime();
    List<String> duringSwitch = new ArrayList<>();
    for (int i = 0; i < MESSAGES; i++) {
      duringSwitch.add("switch-" + i);
      alice.send("switch-" + i);
    }
    JsonObject direct = alice.events.awaitWithin(Events.PEER_STATE,
      e -> "bob".equals(e.getString("nick")) && e.getString("state").startsWith("direct"), UPGRADE_BOUND_SECONDS);
    long upgradeMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - opened);
    assertTrue(upgradeMs < TimeUnit.SECONDS.toMillis(UPGRADE_BOUND_SECONDS), "direct after " + upgradeMs + " ms");
    JsonObject udpUp = alice.events.await(Events.RENDEZVOUS_STATE,
      e -> "up".equals(e.getString("state")) && "udp".equals(e.getString("transport")));
    assertEquals("127.0.0.1:" + firewall.port(), udpUp.getString("address"));
    List<JsonObject> received = bob.events.awaitCount(Events.RECEIVED,
      e -> "alice".equals(e.getString("from")) && e.getString("text").startsWith("switch-"), MESSAGES);
    assertEquals(duringSwitch, received.stream().map(e -> e.getString("text")).toList(),
      "typed during the switch: each once, in order");
    chatBothWays(alice, bob, "direct", MESSAGES);
    System.out.printf("TlsFallbackTest: up over TLS after %d ms; direct %d ms after UDP returned (%s)%n",
      fallbackMs, upgradeMs, direct.getString("address"));
  }

  @Test
  void aWrongPinnedFingerprintIsRefusedAndTheRightOneConnects(Vertx vertx, @TempDir Path dir) throws Exception {
    TestNet net = new TestNet(vertx, dir);
    Path rdvData = dir.resolve("rdv");
    RendezvousVerticle rendezvous = net.rendezvous(new JsonObject().put("dataDir", rdvData.toString()));
    UdpFirewall firewall = new UdpFirewall(vertx, rendezvous.port());
    String right = fingerprint(rdvData.resolve("tls-cert.pem"));

    Node mallory = net.node(pinned(net, "carol", firewall.port(), rendezvous.tlsPort(), "00".repeat(32)));
    JsonObject refused = mallory.events.awaitWithin(Events.RENDEZVOUS_STATE,
      e -> "tls fingerprint".equals(e.getString("reason")), FALLBACK_BOUND_SECONDS);
    assertTrue(refused.getString("error").contains(right), "the line names the presented certificate: " + refused.encode());
    assertEquals(0, net.rendezvousStats().getInteger("clients"), "nothing registered");

    Node dave = net.node(pinned(net, "dave", firewall.port(), rendezvous.tlsPort(), right));
    JsonObject up = dave.events.awaitWithin(Events.RENDEZVOUS_STATE, e -> "up".equals(e.getString("state")),
      FALLBACK_BOUND_SECONDS);
    assertEquals("tls", up.getString("transport"));
    assertEquals(1, mallory.events.matching(Events.RENDEZVOUS_STATE, e -> "tls fingerprint".equals(e.getString("reason"))).size(),
      "refused once, not retried");
    assertEquals(0, mallory.events.matching(Events.RENDEZVOUS_STATE, e -> "up".equals(e.getString("state"))).size());
  }

  private static JsonObject pinned(TestNet net, String nick, int udpPort, int tlsPort, String fingerprint) {
    JsonObject config = net.nodeConfig(nick, udpPort);
    config.getJsonObject("rendezvous").put("tls", new JsonObject().put("port", tlsPort).put("fingerprint", fingerprint));
    return config;
  }

  /** The SHA-256 of a PEM certificate's DER, as the rendezvous prints it (groups of four hex digits). */
  private static String fingerprint(Path pem) throws Exception {
    String text = Files.readString(pem);
    String body = text.substring(text.indexOf("-----BEGIN CERTIFICATE-----") + "-----BEGIN CERTIFICATE-----".length(),
      text.indexOf("-----END CERTIFICATE-----"));
    return ChannelBinding.fingerprint(Base64.getMimeDecoder().decode(body));
  }

  private static void chatBothWays(Node alice, Node bob, String tag, int before) throws Exception {
    List<String> fromAlice = new ArrayList<>();
    List<String> fromBob = new ArrayList<>();
    for (int i = 0; i < MESSAGES; i++) {
      fromAlice.add(tag + "-a-" + i);
      alice.send(tag + "-a-" + i);
      fromBob.add(tag + "-b-" + i);
      bob.send(tag + "-b-" + i);
    }
    assertEquals(fromAlice, bob.events.awaitCount(Events.RECEIVED, e -> e.getString("text").startsWith(tag + "-a-"), MESSAGES)
      .stream().map(e -> e.getString("text")).toList(), "alice to bob: once, in order");
    assertEquals(fromBob, alice.events.awaitCount(Events.RECEIVED, e -> e.getString("text").startsWith(tag + "-b-"), MESSAGES)
      .stream().map(e -> e.getString("text")).toList(), "bob to alice: once, in order");
  }
}
