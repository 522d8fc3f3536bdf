package io.p2pchat.rendezvous.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.p2pchat.metrics.HeldKeyFile;
import io.p2pchat.node.TestNet;
import io.p2pchat.node.TestNet.Events;
import io.p2pchat.node.TestNet.Node;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Issue 8: three rendezvous processes in one real Hazelcast cluster (TCP-IP join on 127.0.0.1),
 * four clients spread over them. Every pair connects and chats; {@code list} on any instance shows
 * all four; the instance two clients use is killed with -9: they fail over, re-register and chat
 * on; restarted, it rejoins and lists everyone. Issue 18: one instance's {@code /ready} says the cluster is not
 * joined while its start-up is held before it loads the cluster's directory, and ready once it has. Run:
 * {@code mvn -Pcluster verify} or {@code mvn test -Dtest=RendezvousClusterIT}.
 */
class RendezvousClusterIT {

  private static final int INSTANCES = 3;
  private static final List<String> NICKS = List.of("ann", "bob", "cat", "dan");
  private static final Set<String> CONNECTED = Set.of("direct-lan", "direct", "relayed");
  /** The instance whose readiness is watched: one never killed, so its held key file is read once. */
  private static final int WATCHED = 2;
  /** How often /ready is asked while the watched instance's JVM starts its metrics listener. */
  private static final long POLL_MS = 200;
  private static final int OK = 200;
  private static final int UNAVAILABLE = 503;

  private final RendezvousProcess[] instances = new RendezvousProcess[INSTANCES];
  private Path dir;
  private Vertx vertx;

  @AfterEach
  void tearDown() throws Exception {
    RendezvousProcess.tearDown(vertx, java.util.Arrays.asList(instances));
  }

  @Test
  @Timeout(value = 170, unit = TimeUnit.SECONDS)
  void fourClientsOverThreeInstancesSurviveTheDeathOfOne() throws Exception {
    // Kept after the run: each instance's rendezvous.log and output are what explains a failure.
    dir = Files.createDirectories(Path.of("target", "cluster-it", Long.toString(System.currentTimeMillis())).toAbsolutePath());
    int hazelcastPort = TestCluster.freeTcpRange(INSTANCES);
    Path clusterXml = writeClusterXml(hazelcastPort);
    int metricsPort = TestCluster.freeTcpRange(1);
    HeldKeyFile key = HeldKeyFile.in(dir.resolve("rdv" + WATCHED + "-data"), dir.resolve("rdv" + WATCHED + "-made"));
    for (int i = 0; i < INSTANCES; i++) {
      instances[i] = new RendezvousProcess(dir, "rdv" + i, clusterXml);
      if (i == WATCHED) {
        instances[i].configure(new JsonObject().put("dataDir", dir.resolve("rdv" + i + "-data").toString())
          .put("metrics", new JsonObject().put("port", metricsPort)));
      }
      instances[i].start();
    }
    HttpResponse<String> held = awaitReady(metricsPort);
    JsonObject heldBody = new JsonObject(held.body());
    assertEquals(UNAVAILABLE, held.statusCode(), held.body());
    assertTrue(HeldKeyFile.hasCheck(heldBody, "cluster", "DOWN"), "not joined while held: " + held.body());
    key.release();
    for (RendezvousProcess instance : instances) {
      instance.awaitAnswer();
    }
    HttpResponse<String> joined = awaitReady(metricsPort);
    assertEquals(OK, joined.statusCode(), joined.body());
    assertTrue(HeldKeyFile.hasCheck(new JsonObject(joined.body()), "cluster", "UP"), joined.body());

    vertx = Vertx.vertx();
    TestNet net = new TestNet(vertx, dir);
    // ann and bob use instance 0 first, cat instance 1, dan instance 2; each lists the others after.
    int[][] order = {{0, 1, 2}, {0, 2, 1}, {1, 2, 0}, {2, 0, 1}};
    List<Node> nodes = new ArrayList<>();
    for (int n = 0; n < NICKS.size(); n++) {
      JsonArray servers = new JsonArray();
      for (int i : order[n]) {
        servers.add(instances[i].address());
      }
      JsonObject config = net.nodeConfig(NICKS.get(n), instances[order[n][0]].port);
      config.getJsonObject("rendezvous").put("servers", servers);
      nodes.add(net.node(config));
    }
    for (Node a : nodes) {
      for (Node b : nodes) {
        if (a != b) {
          a.events.await(Events.PEER_STATE, e -> b.nick.equals(e.getString("nick")) && CONNECTED.contains(e.getString("state")));
        }
      }
    }
    chatEveryPair(nodes, "hello");
    for (int i = 0; i < INSTANCES; i++) {
      awaitListing(i, NICKS);
    }

    // kill -9 the instance ann and bob use: they fail over and chat goes on.
    Node ann = nodes.get(0);
    Node bob = nodes.get(1);
    int upsAnn = ann.events.all(Events.RENDEZVOUS_STATE).size();
    int upsBob = bob.events.all(Events.RENDEZVOUS_STATE).size();
    long killedAt = System.nanoTime();
    instances[0].kill();
    String dead = instances[0].address();
    JsonObject annUp = ann.events.awaitCount(Events.RENDEZVOUS_STATE, e -> "up".equals(e.getString("state")), 2).get(1);
    JsonObject bobUp = bob.events.awaitCount(Events.RENDEZVOUS_STATE, e -> "up".equals(e.getString("state")), 2).get(1);
    System.out.printf("failover: ann and bob re-registered %d ms after the kill (ann at %s, bob at %s)%n",
      TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt), annUp.getString("address"), bobUp.getString("address"));
    assertNotEquals(dead, annUp.getString("address"));
    assertNotEquals(dead, bobUp.getString("address"));
    assertTrue(ann.events.all(Events.RENDEZVOUS_STATE).size() > upsAnn && bob.events.all(Events.RENDEZVOUS_STATE).size() > upsBob);
    chatEveryPair(nodes, "after failover");
    awaitListing(1, NICKS);
    awaitListing(2, NICKS);

    // Restarted on its port, it rejoins and shows the cluster-wide view.
    instances[0].start();
    instances[0].awaitAnswer();
    awaitListing(0, NICKS);
  }

  private static void chatEveryPair(List<Node> nodes, String text) throws Exception {
    for (Node a : nodes) {
      for (Node b : nodes) {
        if (a != b) {
          a.sendTo(b.nick, text + " from " + a.nick);
        }
      }
    }
    for (Node a : nodes) {
      for (Node b : nodes) {
        if (a != b) {
          b.awaitReceived(a.nick, text + " from " + a.nick);
        }
      }
    }
  }

  /** Waits until the plain {@code list} of instance {@code i} shows every nick of {@code nicks}. */
  private void awaitListing(int i, List<String> nicks) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TestNet.WAIT_SECONDS);
    String answer = "";
    while (System.nanoTime() < deadline) {
      answer = instances[i].ask("list");
      if (answer != null && List.of(answer.split("\n")).containsAll(nicks)) {
        return;
      }
    }
    throw new AssertionError("list on instance " + i + " shows " + answer + ", not all of " + nicks);
  }

  /** The watched instance's /ready answer, once its metrics listener (a JVM starting Hazelcast) accepts connections. */
  private static HttpResponse<String> awaitReady(int port) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    HttpRequest ready = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/ready"))
      .timeout(Duration.ofSeconds(TestNet.WAIT_SECONDS)).build();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(RendezvousProcess.PROCESS_SECONDS);
    while (true) {
      try {
        return http.send(ready, HttpResponse.BodyHandlers.ofString());
      } catch (ConnectException notYet) {
        assertTrue(System.nanoTime() < deadline, "no metrics listener on " + port);
        Thread.sleep(POLL_MS);
      }
    }
  }

  private Path writeClusterXml(int port) throws IOException {
    Path file = dir.resolve("cluster.xml");
    Files.writeString(file, TestCluster.hazelcastXml(port, INSTANCES));
    return file;
  }
}
