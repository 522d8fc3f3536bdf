package io.p2pchat.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import io.p2pchat.rendezvous.RendezvousVerticle;
import io.p2pchat.wire.StunCodec;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Issue 16, IPv6 on real sockets (the loopback {@code ::1}): a rendezvous and nodes with an IPv6
 * socket each register, punch and chat over IPv6; an IPv4 node and an IPv6 node share one
 * dual-stack rendezvous; STUN from an IPv6 source is answered with an IPv6 mapped address; an IPv6
 * address that cannot be bound is one WARN line and IPv4 goes on working.
 */
@ExtendWith(VertxExtension.class)
@Timeout(120)
class Ipv6LoopbackTest {

  private static final String LOOPBACK6 = "::1";
  /** In the documentation prefix (RFC 3849): assigned to no interface here, so binding it fails. */
  private static final String ABSENT6 = "2001:db8::dead";
  private static final int MESSAGES = 5;

  /** WARN lines of every p2pchat logger, captured synchronously (no log file race). */
  private static final class Warnings extends AppenderBase<ILoggingEvent> {
    private final List<String> lines = new ArrayList<>();

    @Override
    protected synchronized void append(ILoggingEvent event) {
      if (event.getLevel() == Level.WARN) {
        lines.add(event.getFormattedMessage());
      }
    }

    synchronized List<String> matching(String part) {
      return lines.stream().filter(l -> l.contains(part)).collect(Collectors.toList());
    }
  }

  private final Warnings warnings = new Warnings();

  @BeforeEach
  void captureWarnings() {
    warnings.start();
    ((Logger) LoggerFactory.getLogger("io.p2pchat")).addAppender(warnings);
  }

  @AfterEach
  void releaseWarnings() {
    ((Logger) LoggerFactory.getLogger("io.p2pchat")).detachAppender(warnings);
  }

  /** A rendezvous with an IPv4 socket on 127.0.0.1 and an IPv6 socket on ::1. */
  private static RendezvousVerticle dualStackRendezvous(TestNet net) throws Exception {
    return net.rendezvous(new JsonObject().put("host6", LOOPBACK6));
  }

  /** A node that registers over IPv6 ({@code rendezvous.host} ::1), its own IPv6 socket on ::1. */
  private static JsonObject ipv6Node(TestNet net, String nick, RendezvousVerticle rdv) {
    JsonObject config = net.nodeConfig(nick, rdv.port6());
    config.getJsonObject("rendezvous").put("host", LOOPBACK6);
    config.getJsonObject("bind").put("host6", LOOPBACK6);
    return config;
  }

  @Test
  void twoNodesOnIpv6RegisterOverIpv6GoDirectOnIpv6AndChatBothWays(Vertx vertx, @TempDir Path dir) throws Exception {
    TestNet net = new TestNet(vertx, dir);
    RendezvousVerticle rdv = dualStackRendezvous(net);
    assertEquals(rdv.port(), rdv.port6(), "an IPv6 socket on the IPv4 socket's port (free on ::1)");
    TestNet.Node alice = net.node(ipv6Node(net, "alice", rdv));
    TestNet.Node bob = net.node(ipv6Node(net, "bob", rdv));

    assertEquals("[::1]:" + rdv.port6(), alice.awaitUp().getString("address"), "registered over IPv6");
    // ::1 is each node's own host candidate (bind.host6), so the path is direct-lan, as 127.0.0.1 is on IPv4.
    alice.awaitPeerAt("bob", "direct-lan", "[::1]:");
    bob.awaitPeerAt("alice", "direct-lan", "[::1]:");

    TestNet.chatOneWay(alice, bob, "a2b", MESSAGES);
    TestNet.chatOneWay(bob, alice, "b2a", MESSAGES);
    assertEquals(0, net.rendezvousStats().getLong("bugs"));
  }

  @Test
  void anIpv4NodeAndAnIpv6NodeBothRegisterAtADualStackRendezvous(Vertx vertx, @TempDir Path dir) throws Exception {
    TestNet net = new TestNet(vertx, dir);
    RendezvousVerticle rdv = dualStackRendezvous(net);
    TestNet.Node carol = net.node("carol", rdv.port());
    TestNet.Node dave = net.node(ipv6Node(net, "dave", rdv));

    JsonObject up4 = carol.events.await(TestNet.Events.RENDEZVOUS_STATE, e -> "up".equals(e.getString("state")));
    assertEquals("127.0.0.1:" + rdv.port(), up4.getString("address"), "carol over IPv4");
    JsonObject up6 = dave.events.await(TestNet.Events.RENDEZVOUS_STATE, e -> "up".equals(e.getString("state")));
    assertEquals("[::1]:" + rdv.port6(), up6.getString("address"), "dave over IPv6");
    carol.events.await(TestNet.Events.PEER_STATE, e -> "dave".equals(e.getString("nick")));
    dave.events.await(TestNet.Events.PEER_STATE, e -> "carol".equals(e.getString("nick")));
    assertEquals(2, net.rendezvousStats().getInteger("clients"), "both registered");
    assertEquals(List.of("dave"), nicks(carol.peers()));
    assertEquals(List.of("carol"), nicks(dave.peers()));
  }

  private static List<String> nicks(JsonObject peers) {
    JsonArray list = peers.getJsonArray("peers");
    List<String> out = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      out.add(list.getJsonObject(i).getString("nick"));
    }
    return out;
  }

  @Test
  void stunFromAnIpv6SourceGetsAnIpv6MappedAddress(Vertx vertx, @TempDir Path dir) throws Exception {
    TestNet net = new TestNet(vertx, dir);
    RendezvousVerticle rdv = dualStackRendezvous(net);
    byte[] tx = new byte[StunCodec.TRANSACTION_ID_SIZE];
    Arrays.fill(tx, (byte) 7);
    try (DatagramSocket client = new DatagramSocket(new InetSocketAddress(InetAddress.getByName(LOOPBACK6), 0))) {
      client.setSoTimeout((int) java.util.concurrent.TimeUnit.SECONDS.toMillis(TestNet.WAIT_SECONDS));
      byte[] request = StunCodec.bindingRequest(tx).getBytes();
      client.send(new DatagramPacket(request, request.length, InetAddress.getByName(LOOPBACK6), rdv.port6()));
      byte[] answer = new byte[1500];
      DatagramPacket in = new DatagramPacket(answer, answer.length);
      client.receive(in);
      InetSocketAddress mapped = StunCodec.parseBindingResponse(
        io.vertx.core.buffer.Buffer.buffer(Arrays.copyOf(answer, in.getLength())));
      assertTrue(mapped.getAddress() instanceof Inet6Address, "an IPv6 XOR-MAPPED-ADDRESS: " + mapped);
      assertEquals(new InetSocketAddress(InetAddress.getByName(LOOPBACK6), client.getLocalPort()), mapped);
      assertEquals(44, in.getLength(), "header 20 + attribute 4 + family, port, 16-byte address 20");
    }
  }

  @Test
  void anIpv6AddressThatCannotBeBoundIsOneWarningAndIpv4Works(Vertx vertx, @TempDir Path dir) throws Exception {
    TestNet net = new TestNet(vertx, dir);
    RendezvousVerticle rdv = net.rendezvous(new JsonObject().put("host6", ABSENT6));
    assertEquals(-1, rdv.port6(), "no IPv6 socket");
    JsonObject erin = net.nodeConfig("erin", rdv.port());
    erin.getJsonObject("bind").put("host6", ABSENT6);
    TestNet.Node e = net.node(erin);
    TestNet.Node f = net.node("frank", rdv.port());
    e.awaitPeer("frank", "direct-lan");
    TestNet.chatOneWay(e, f, "e2f", MESSAGES);
    TestNet.chatOneWay(f, e, "f2e", MESSAGES);
    assertEquals(2, warnings.matching("IPv6 off: cannot bind UDP [" + ABSENT6 + "]").size(),
      "one WARN line from the rendezvous and one from erin: " + warnings.matching("IPv6"));
  }
}
