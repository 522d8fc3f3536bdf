package io.p2pchat.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.p2pchat.node.TestNet;
import io.p2pchat.node.TestNet.Events;
import io.p2pchat.rendezvous.RendezvousVerticle;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 18, the node's meters of its reliable delivery, read from its real {@code /metrics} while two real
 * nodes chat over loopback UDP, alice's packets through the node's test impairment (20 % lost): every DATA
 * retransmission is counted ({@code p2pchat_node_retransmissions_total}), every round trip a delivery ACK
 * measures lands in {@code p2pchat_node_rtt_seconds} under the path the peer is on (so its count grows with the
 * messages, not once per path), and {@code promtool check metrics} accepts the exposition. The rendezvous's
 * handshakes are counted by their outcome.
 */
@Timeout(180)
@ExtendWith(VertxExtension.class)
class NodeMetersTest {

  /** Messages sent one at a time, each awaited delivered: each gives one RTT sample unless its packet was lost. */
  private static final int ONE_BY_ONE = 30;
  /** Messages sent at once after those: enough packets that some of 20 % are lost and retransmitted. */
  private static final int BURST = 200;
  /** Percent of alice's packets the impairment drops. */
  private static final int LOSS_PERCENT = 20;
  /** The impairment's seed: a fixed one, so a failure can be replayed. */
  private static final int SEED = 18;
  /** A scrape on a loaded 2-core machine, and the wait for the 1 s refresh of the node's figures: generous. */
  private static final long WAIT_SECONDS = 60;

  private final Scrapes scrapes = new Scrapes(WAIT_SECONDS);

  @Test
  void retransmissionsAndEveryRoundTripAreCountedUnderLoss(Vertx vertx, @TempDir Path dir) throws Exception {
    TestNet net = new TestNet(vertx, dir);
    RendezvousVerticle rendezvous = net.rendezvous(new JsonObject().put("metrics", new JsonObject().put("port", 0)));
    int port = rendezvous.port();
    TestNet.Node alice = net.node(net.nodeConfig("alice", port)
      .put("metrics", new JsonObject().put("port", 0))
      .put("impair", new JsonObject().put("lossPercent", LOSS_PERCENT).put("seed", SEED)));
    net.node("bob", port);
    JsonObject path = alice.events.await(Events.PEER_STATE, e -> "bob".equals(e.getString("nick"))
      && e.getString("state").startsWith("direct") && e.getString("fingerprint") != null);
    String rttCount = "p2pchat_node_rtt_seconds_count{path=\"" + path.getString("state") + "\"}";
    int metricsPort = alice.verticle.metricsPort();
    double samplesBefore = scrapes.awaitValue(metricsPort, rttCount, v -> v >= 0);

    for (int i = 0; i < ONE_BY_ONE; i++) {
      String id = alice.sendTo("bob", "one " + i);
      alice.awaitDelivered(id, "bob");
    }
    // Each message above is one round trip; 20 % of them lost their packet and give no sample (Karn).
    double samples = scrapes.awaitValue(metricsPort, rttCount, v -> v - samplesBefore >= ONE_BY_ONE / 2.0);
    assertTrue(samples - samplesBefore >= ONE_BY_ONE / 2.0,
      "RTT samples grew by " + (samples - samplesBefore) + " over " + ONE_BY_ONE + " round trips");

    List<String> ids = new ArrayList<>();
    for (int i = 0; i < BURST; i++) {
      ids.add(alice.sendTo("bob", "burst " + i));
    }
    alice.events.awaitCount(Events.DELIVERED, e -> ids.contains(e.getString("id")), BURST, WAIT_SECONDS);
    assertTrue(scrapes.awaitValue(metricsPort, "p2pchat_node_retransmissions_total", v -> v > 0) > 0,
      "20 % loss over " + BURST + " messages retransmits");
    assertEquals(0, Scrapes.value(scrapes.scrape(metricsPort), "p2pchat_node_rtt_seconds_count{path=\"relayed\"}"),
      "no sample of a direct path counted as relayed");

    Path exposition = dir.resolve("alice.prom");
    Files.writeString(exposition, scrapes.scrape(metricsPort));
    Process promtool = new ProcessBuilder("promtool", "check", "metrics").redirectErrorStream(true)
      .redirectInput(exposition.toFile()).start();
    String verdict = new String(promtool.getInputStream().readAllBytes());
    assertTrue(promtool.waitFor(WAIT_SECONDS, TimeUnit.SECONDS));
    assertEquals(0, promtool.exitValue(), verdict);

    // Two nodes, two control-channel handshakes completed at the rendezvous (by the reply's outcome).
    assertTrue(scrapes.awaitValue(rendezvous.metricsPort(), "p2pchat_rendezvous_handshakes_total{outcome=\"completed\"}",
      v -> v >= 2) >= 2);
  }
}
