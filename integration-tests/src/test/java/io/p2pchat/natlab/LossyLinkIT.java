package io.p2pchat.natlab;

import static io.p2pchat.natlab.ConsoleLines.DIRECT;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * (d) 5% loss and 5% duplication of every public packet (after NAT, in the core): 200 messages
 * each way must each be shown exactly once, in order.
 */
class LossyLinkIT extends NatLabScenario {

  static final double LOSS = 0.05;
  static final double DUPLICATION = 0.05;
  static final int MESSAGES = 200;
  /** Messages typed before waiting for them: many packets, so loss and duplication really hit. */
  static final int BATCH = 5;
  /** 200 messages with retransmissions after 5% loss; generous for a loaded machine. */
  static final Duration BURST_TIMEOUT = Duration.ofSeconds(120);

  @Test
  void everyMessageArrivesExactlyOnceInOrderOverALossyDuplicatingInternet(TestInfo info) {
    up("home", info);
    rendezvous("rdv");
    ConsoleProcess alice = client("alice", "alice");
    ConsoleProcess bob = client("bob", "bob");
    expectPath(alice, "bob", DIRECT, "203.0.113.22:4000");
    expectPath(bob, "alice", DIRECT, "203.0.113.21:4000");

    lab.loss(LOSS);
    lab.dup(DUPLICATION);
    long start = System.nanoTime();
    // in batches, each awaited: typed all at once, 200 messages coalesce into a handful of packets
    // and the impairments would hit almost nothing
    for (int sent = 0; sent < MESSAGES; sent += BATCH) {
      typeNumbered(alice, "a", sent, BATCH);
      typeNumbered(bob, "b", sent, BATCH);
      bob.awaitCount(ConsoleLines.roomMessageMatching("alice", "a-\\d{3}"), sent + BATCH, BURST_TIMEOUT);
      alice.awaitCount(ConsoleLines.roomMessageMatching("bob", "b-\\d{3}"), sent + BATCH, BURST_TIMEOUT);
    }
    expectExactlyOnceInOrder(alice, bob, "a", MESSAGES, BURST_TIMEOUT);
    expectExactlyOnceInOrder(bob, alice, "b", MESSAGES, BURST_TIMEOUT);
    report(String.format("%d messages each way with %.0f%% loss and %.0f%% duplication delivered exactly once in order in %d ms",
        MESSAGES, LOSS * 100, DUPLICATION * 100, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)));
    System.out.println(lab.status());
  }
}
