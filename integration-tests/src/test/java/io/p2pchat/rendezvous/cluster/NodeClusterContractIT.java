package io.p2pchat.rendezvous.cluster;

import static io.p2pchat.node.TestNet.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.hazelcast.config.InMemoryXmlConfig;
import io.p2pchat.chat.ChatAddresses;
import io.p2pchat.client.ChatClient;
import io.p2pchat.common.ConfigException;
import io.p2pchat.node.TestNet;
import io.p2pchat.node.TestNet.Events;
import io.p2pchat.node.TestNet.Node;
import io.p2pchat.rendezvous.RendezvousVerticle;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 14, contracts on a clustered event bus: two Vert.x instances in one real Hazelcast cluster
 * on 127.0.0.1 (in this JVM), a node in each. A second node on a prefix held in the other instance
 * is refused with the holder's nick; a consumer the other instance registers on a node's internal
 * addresses receives nothing while that node chats, and every message arrives once; the public
 * API crosses the cluster. Run: {@code mvn -Pcluster verify} (with the other cluster tests).
 */
class NodeClusterContractIT {

  /** Clustered Vert.x instances: the fewest that make a cluster. */
  private static final int MEMBERS = 2;
  /** Messages each way: enough that a round-robin split of internal hand-offs could not miss the spy. */
  private static final int MESSAGES = 20;

  private final List<Vertx> all = new ArrayList<>();

  @AfterEach
  void tearDown() throws Exception {
    for (Vertx v : all) {
      await(v.close());
    }
  }

  @Test
  @Timeout(120)
  void internalAddressesStayLocalAndAPrefixIsHeldClusterWide() throws Exception {
    Path dir = Files.createTempDirectory(Path.of("target"), "node-cluster-it").toAbsolutePath();
    // One configuration for both members: it carries the cluster name they join under.
    String hazelcastXml = TestCluster.hazelcastXml(TestCluster.freeTcpRange(MEMBERS), MEMBERS);
    Vertx plain = Vertx.vertx();
    all.add(plain);
    Vertx one = clustered(hazelcastXml);
    Vertx two = clustered(hazelcastXml);
    RendezvousVerticle r = new TestNet(plain, dir).rendezvous(new JsonObject());
    TestNet netOne = new TestNet(one, dir);
    TestNet netTwo = new TestNet(two, dir);

    // Spies in instance two on every internal address of alice, who lives in instance one.
    ChatAddresses aliceAddresses = new ChatAddresses("alice");
    AtomicInteger spied = new AtomicInteger();
    await(Future.all(
      two.eventBus().consumer(aliceAddresses.punchSend(), msg -> spied.incrementAndGet()).completion(),
      two.eventBus().consumer(aliceAddresses.punchEvents(), msg -> spied.incrementAndGet()).completion(),
      two.eventBus().consumer(aliceAddresses.receivedLocal(), msg -> spied.incrementAndGet()).completion(),
      two.eventBus().consumer(aliceAddresses.sentLocal(), msg -> spied.incrementAndGet()).completion(),
      two.eventBus().consumer(aliceAddresses.deliveredLocal(), msg -> spied.incrementAndGet()).completion()));
    // A typed client of alice in instance two: on a clustered event bus it follows the public batches.
    ChatClient aliceFromTwo = ChatClient.create(two, "alice");
    CompletableFuture<String> typedInTwo = new CompletableFuture<>();
    aliceFromTwo.receivedHandler(m -> {
      if (m.text().equals("heard in two")) {
        typedInTwo.complete(m.text());
      }
    });

    Node alice = netOne.node("alice", r.port());
    Node bob = netTwo.node("bob", r.port());
    alice.awaitPeer("bob", "direct-lan");
    bob.awaitPeer("alice", "direct-lan");

    // A twin of alice's prefix in the other instance is refused, naming alice.
    ExecutionException refused = assertThrows(ExecutionException.class,
      () -> netTwo.node(netTwo.nodeConfig("mallory", r.port()).put("eventBusPrefix", "alice")));
    assertInstanceOf(ConfigException.class, refused.getCause());
    assertEquals("eventBusPrefix 'alice' is already used by node alice (on the cluster): "
      + "give this node its own eventBusPrefix", refused.getCause().getMessage());

    // Both ways, every message arrives once; the spies hear none of alice's internal hand-offs.
    for (int i = 0; i < MESSAGES; i++) {
      alice.sendTo("bob", "to bob " + i);
      bob.sendTo("alice", "to alice " + i);
    }
    assertEquals(MESSAGES, bob.events.awaitCount(Events.RECEIVED, e -> e.getString("text").startsWith("to bob"), MESSAGES).size());
    assertEquals(MESSAGES, alice.events.awaitCount(Events.RECEIVED, e -> e.getString("text").startsWith("to alice"), MESSAGES)
      .size());
    alice.events.awaitCount(Events.DELIVERED, e -> true, MESSAGES);
    assertEquals(MESSAGES, alice.events.all(Events.RECEIVED).size(), "each once: " + alice.events.all(Events.RECEIVED));
    assertEquals(MESSAGES, bob.events.all(Events.RECEIVED).size(), "each once: " + bob.events.all(Events.RECEIVED));
    assertEquals(0, spied.get(), "internal hand-offs of alice reached another instance");

    // The public API crosses the cluster: instance two asks alice, and hears her events.
    assertEquals("alice", await(two.eventBus().<JsonObject>request(aliceAddresses.node(), null)).body().getString("nick"));
    CompletableFuture<String> heardInTwo = new CompletableFuture<>();
    await(two.eventBus().<JsonObject>consumer(aliceAddresses.received(), msg -> heardInTwo.complete(msg.body().getString("text")))
      .completion());
    bob.sendTo("alice", "heard in two");
    assertEquals("heard in two", heardInTwo.get(TestNet.WAIT_SECONDS, TimeUnit.SECONDS));
    assertEquals("heard in two", typedInTwo.get(TestNet.WAIT_SECONDS, TimeUnit.SECONDS), "the typed client in instance two");
    assertEquals(0, spied.get(), "alice's in-process event batches reached another instance");
    await(aliceFromTwo.close());

    // Undeployed, alice releases the prefix cluster-wide: the other instance may now take it.
    await(alice.undeploy());
    Node again = netTwo.node(netTwo.nodeConfig("mallory", r.port()).put("eventBusPrefix", "alice"));
    assertEquals("mallory", await(one.eventBus().<JsonObject>request(aliceAddresses.node(), null)).body().getString("nick"));
    await(again.undeploy());
  }

  /** A Vert.x instance in the test's Hazelcast cluster, its event bus on loopback. */
  private Vertx clustered(String hazelcastXml) throws Exception {
    HazelcastClusterManager manager = new HazelcastClusterManager(new InMemoryXmlConfig(hazelcastXml));
    Vertx vertx = await(Vertx.builder()
      .with(new VertxOptions().setEventBusOptions(new EventBusOptions().setHost("127.0.0.1").setPort(0)))
      .withClusterManager(manager)
      .buildClustered());
    all.add(vertx);
    return vertx;
  }
}
