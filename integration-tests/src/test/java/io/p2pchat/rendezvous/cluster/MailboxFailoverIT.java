package io.p2pchat.rendezvous.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.p2pchat.node.TestNet;
import io.p2pchat.node.TestNet.Events;
import io.p2pchat.node.TestNet.Node;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 17, the cluster case: two rendezvous processes in one Hazelcast cluster. Alice, registered at A, sends
 * bob messages while he is away: they are deposited at A. A is killed with {@code kill -9}. Bob starts against
 * B only and shows every message once, in alice's order; alice, failed over to B, gets every receipt. Run:
 * {@code mvn -Pcluster verify} (with the other cluster tests).
 */
class MailboxFailoverIT {
  private static final int INSTANCES = 2;
  /** Messages deposited at A before it dies. */
  private static final int MESSAGES = 50;
  /** Deposits, a failover and a pick-up on a loaded 2-core machine. */
  private static final long WAIT_SECONDS = 120;

  private final List<RendezvousProcess> instances = new ArrayList<>();
  private Vertx vertx;

  @AfterEach
  void tearDown() throws Exception {
    RendezvousProcess.tearDown(vertx, instances);
  }

  @Test
  @Timeout(value = 300, unit = TimeUnit.SECONDS)
  void depositsMadeAtAReachBobAtBAfterAIsKilled() throws Exception {
    // Kept after the run: each instance's rendezvous.log and output are what explains a failure.
    Path dir = Files.createDirectories(Path.of("target", "mailbox-failover-it", Long.toString(System.currentTimeMillis()))
      .toAbsolutePath());
    Path clusterXml = dir.resolve("cluster.xml");
    Files.writeString(clusterXml, TestCluster.hazelcastXml(TestCluster.freeTcpRange(INSTANCES), INSTANCES));
    for (String name : List.of("a", "b")) {
      RendezvousProcess p = new RendezvousProcess(dir, name, clusterXml);
      instances.add(p);
      p.start();
    }
    for (RendezvousProcess p : instances) {
      p.awaitAnswer();
    }
    RendezvousProcess a = instances.get(0);
    RendezvousProcess b = instances.get(1);

    vertx = Vertx.vertx();
    TestNet net = new TestNet(vertx, dir);
    Node alice = net.node(config(net, "alice", a, b));
    JsonObject bobConfig = config(net, "bob", b);
    Node bob = net.node(bobConfig);
    alice.awaitPeer("bob", "direct-lan");
    alice.awaitDelivered(alice.sendTo("bob", "hi bob"), "bob"); // they have chatted: alice knows bob's keys
    TestNet.await(bob.undeploy());
    alice.awaitPeer("bob", "gone");

    List<String> texts = new ArrayList<>();
    List<String> ids = new ArrayList<>();
    for (int i = 1; i <= MESSAGES; i++) {
      texts.add("while away " + i);
      ids.add(alice.sendTo("bob", "while away " + i));
    }
    List<JsonObject> queued = alice.events.awaitCount(Events.QUEUED, e -> "bob".equals(e.getString("peer")),
      MESSAGES, WAIT_SECONDS);
    assertEquals(Set.copyOf(ids), queued.stream().map(e -> e.getString("id")).collect(Collectors.toSet()),
      "every message deposited (at A: alice is registered there)");

    a.kill();
    long killedAt = System.nanoTime();
    Node bobAgain = net.node(bobConfig);
    bobAgain.events.awaitCount(Events.RECEIVED, e -> e.getString("text").startsWith("while away "), MESSAGES,
      WAIT_SECONDS);
    System.out.printf("mailbox failover: bob at B showed all %d messages %d ms after kill -9 of A%n", MESSAGES,
      TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt));
    List<String> delivered = alice.events.awaitCount(Events.DELIVERED, e -> "bob".equals(e.getString("peer"))
      && ids.contains(e.getString("id")), MESSAGES, WAIT_SECONDS).stream().map(e -> e.getString("id")).toList();
    assertEquals(Set.copyOf(ids), Set.copyOf(delivered), "alice, failed over to B, has every receipt");
    assertEquals(texts, shown(bobAgain), "all of them, once each, in alice's order");
    assertTrue(alice.events.all(Events.FAILED).isEmpty(), "nothing failed: " + alice.events.all(Events.FAILED));
  }

  /** {@code nick}'s configuration with {@code servers} in that order (the first is where it registers). */
  private static JsonObject config(TestNet net, String nick, RendezvousProcess... servers) {
    JsonObject config = net.nodeConfig(nick, servers[0].port);
    JsonArray list = new JsonArray();
    for (RendezvousProcess s : servers) {
      list.add(s.address());
    }
    config.getJsonObject("rendezvous").put("servers", list);
    return config;
  }

  private static List<String> shown(Node at) {
    return at.events.all(Events.RECEIVED).stream().filter(e -> "alice".equals(e.getString("from"))
      && e.getString("text").startsWith("while away ")).map(e -> e.getString("text")).toList();
  }
}
