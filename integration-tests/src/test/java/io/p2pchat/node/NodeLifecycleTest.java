package io.p2pchat.node;

import static io.p2pchat.node.TestNet.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.p2pchat.chat.ChatAddresses;
import io.p2pchat.common.ConfigException;
import io.p2pchat.node.TestNet.Events;
import io.p2pchat.node.TestNet.Node;
import io.p2pchat.rendezvous.RendezvousVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14, contracts and lifecycle: one node per eventBusPrefix in a Vert.x instance (the second
 * is refused with one line naming the prefix and the holder; the first keeps working), and a node
 * undeployed or whose Vert.x closes says goodbye, so its peers see it leave at once.
 */
@ExtendWith(VertxExtension.class)
@Timeout(60)
class NodeLifecycleTest {

  /**
   * How soon a peer must see a node leave: the goodbye crosses loopback in microseconds; this
   * leaves room for a loaded machine and stays far below the rendezvous expiry (30 s), the only
   * other way a peer would learn of it.
   */
  private static final long LEFT_WITHIN_SECONDS = 5;

  @Test
  void aSecondNodeOnAPrefixInUseIsRefusedAndTheFirstKeepsWorking(Vertx vertx, @TempDir Path dir) throws Exception {
    TestNet net = new TestNet(vertx, dir);
    RendezvousVerticle r = net.rendezvous(new JsonObject());
    Node alice = net.node("alice", r.port());
    ExecutionException refused = assertThrows(ExecutionException.class,
      () -> net.node(net.nodeConfig("mallory", r.port()).put("eventBusPrefix", "alice")));
    assertInstanceOf(ConfigException.class, refused.getCause());
    assertEquals("eventBusPrefix 'alice' is already used by node alice (in this Vert.x instance): "
      + "give this node its own eventBusPrefix", refused.getCause().getMessage());

    // alice alone answers on her prefix, and chats as before.
    for (int i = 0; i < 4; i++) {
      assertEquals("alice", await(vertx.eventBus().<JsonObject>request("alice.node", null)).body().getString("nick"));
    }
    Node bob = net.node("bob", r.port());
    alice.awaitPeer("bob", "direct-lan");
    String id = alice.send("still mine");
    bob.awaitReceived("alice", "still mine");
    alice.awaitDelivered(id, "bob");
    assertTrue(bob.events.matching(Events.PEER_STATE, e -> "mallory".equals(e.getString("nick"))).isEmpty(),
      "the refused node never registered");

    // Undeployed, alice gives the prefix back.
    await(alice.undeploy());
    Node again = net.node(net.nodeConfig("mallory", r.port()).put("eventBusPrefix", "alice"));
    assertEquals("mallory", await(vertx.eventBus().<JsonObject>request("alice.node", null)).body().getString("nick"));
    await(again.undeploy());
  }

  @Test
  void twoNodesRacingForOnePrefixOneWins(Vertx vertx, @TempDir Path dir) throws Exception {
    TestNet net = new TestNet(vertx, dir);
    RendezvousVerticle r = net.rendezvous(new JsonObject());
    List<Future<String>> deploys = List.of("ann", "bea").stream()
      .map(nick -> vertx.deployVerticle(new ChatNodeVerticle(),
        new DeploymentOptions().setConfig(net.nodeConfig(nick, r.port()).put("eventBusPrefix", "shared"))))
      .toList();
    await(Future.join(deploys).otherwiseEmpty());
    assertEquals(1, deploys.stream().filter(Future::succeeded).count(), "exactly one deploy wins");
    Future<String> lost = deploys.stream().filter(Future::failed).findFirst().orElseThrow();
    String winner = await(vertx.eventBus().<JsonObject>request("shared.node", null)).body().getString("nick");
    assertEquals("eventBusPrefix 'shared' is already used by node " + winner + " (in this Vert.x instance): "
      + "give this node its own eventBusPrefix", lost.cause().getMessage());
  }

  /**
   * A node bound to loopback only asks no gateway for a port mapping (nothing a gateway forwarded could reach
   * its socket): {@code /netcheck} says {@code off}. It probed the machine's default gateway, 0.4 to 2.5 s of
   * NAT-PMP, PCP and SSDP for nothing, and {@code /netcheck} said {@code failed (gateways answering: [])}.
   */
  @Test
  void aNodeBoundToLoopbackAsksNoGatewayForAPortMapping(Vertx vertx, @TempDir Path dir) throws Exception {
    TestNet net = new TestNet(vertx, dir);
    Node alice = net.node("alice", net.rendezvous(new JsonObject()).port());
    alice.awaitUp();
    JsonObject check = await(vertx.eventBus().<JsonObject>request(new ChatAddresses(alice.prefix).netcheck(), new JsonObject())).body();
    assertEquals(new JsonObject().put("state", "off"), check.getJsonObject("portMapping"), check.encode());
  }

  @Test
  void anUndeployedNodeSaysGoodbyeAndItsPeerSeesItLeaveAtOnce(Vertx vertx, @TempDir Path dir) throws Exception {
    TestNet net = new TestNet(vertx, dir);
    RendezvousVerticle r = net.rendezvous(new JsonObject());
    Node alice = net.node("alice", r.port());
    Node bob = net.node("bob", r.port());
    bob.awaitPeer("alice", "direct-lan");
    alice.awaitPeer("bob", "direct-lan");

    long undeployed = System.nanoTime();
    await(alice.undeploy());
    bob.awaitPeer("alice", "gone");
    long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - undeployed);
    assertTrue(seconds < LEFT_WITHIN_SECONDS, "bob saw alice leave after " + seconds + " s");
  }

  @Test
  void aNodeWhoseVertxClosesSaysGoodbye(Vertx vertx, @TempDir Path dir) throws Exception {
    TestNet net = new TestNet(vertx, dir);
    RendezvousVerticle r = net.rendezvous(new JsonObject());
    Node bob = net.node("bob", r.port());
    Vertx aliceVertx = Vertx.vertx();
    try {
      new TestNet(aliceVertx, dir).node("alice", r.port());
      bob.awaitPeer("alice", "direct-lan");
    } finally {
      long closed = System.nanoTime();
      await(aliceVertx.close());
      bob.awaitPeer("alice", "gone");
      long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - closed);
      assertTrue(seconds < LEFT_WITHIN_SECONDS, "bob saw alice leave after " + seconds + " s");
    }
  }
}
