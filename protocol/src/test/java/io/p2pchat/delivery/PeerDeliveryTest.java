package io.p2pchat.delivery;

import static io.p2pchat.delivery.LinkSimulation.MS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.p2pchat.wire.frame.AckFrame;
import io.p2pchat.wire.frame.SeqRange;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class PeerDeliveryTest {

  private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

  private static byte[] numbered(long n, int size) {
    byte[] m = new byte[size];
    ByteBuffer.wrap(m).putLong(n);
    for (int i = 8; i < size; i++) {
      m[i] = (byte) (n * 31 + i);
    }
    return m;
  }

  /** Offers messages 0..count-1 from {@code side} as fast as the window allows. */
  private static final class Feeder {
    final LinkSimulation.Side side;
    final int count;
    final int size;
    int next;

    Feeder(LinkSimulation.Side side, int count, int size) {
      this.side = side;
      this.count = count;
      this.size = size;
    }

    void feed(long now) {
      while (next < count && side.delivery.offer(next, numbered(next, size), now)) {
        next++;
      }
    }
  }

  private static void runFed(LinkSimulation sim, long until, Feeder... feeders) {
    while (sim.now < until) {
      for (Feeder f : feeders) {
        f.feed(sim.now);
      }
      long before = sim.now;
      sim.run(Math.min(until, sim.now + 2 * MS), () -> false);
      boolean allDone = true;
      for (Feeder f : feeders) {
        allDone &= f.side.delivered.size() + f.side.failed.size() == f.count;
      }
      if (allDone) {
        return;
      }
      if (sim.now == before) {
        sim.now += MS; // idle link: let time pass
      }
    }
  }

  private static void assertInOrderExactlyOnce(String what, long seed, List<byte[]> received, int count, int size) {
    assertEquals(count, received.size(), what + " count, seed " + seed);
    for (int i = 0; i < count; i++) {
      byte[] got = received.get(i);
      assertTrue(Arrays.equals(numbered(i, size), got), what + " message " + i + " differs, seed " + seed);
    }
  }

  @Test
  void tenThousandMessagesArriveExactlyOnceInOrderOverALossyLink() {
    long seed = 20_240_611L;
    LinkSimulation sim = new LinkSimulation(seed, new DeliveryOptions(), 0.20, 0.05);
    Feeder ab = new Feeder(sim.a, 10_000, 100);
    Feeder ba = new Feeder(sim.b, 2_000, 100);
    long start = sim.now;
    runFed(sim, sim.now + 120 * SECOND, ab, ba);
    assertInOrderExactlyOnce("a->b", seed, sim.b.received, 10_000, 100);
    assertInOrderExactlyOnce("b->a", seed, sim.a.received, 2_000, 100);
    assertEquals(10_000, new HashSet<>(sim.a.delivered).size(), "every a message confirmed, seed " + seed);
    assertEquals(2_000, new HashSet<>(sim.b.delivered).size(), "every b message confirmed, seed " + seed);
    assertEquals(List.of(), sim.a.failed, "seed " + seed);
    SendStream s = sim.a.delivery.send();
    System.out.printf("lossy 20%%/dup 5%%, seed %d: %d packets, %.1f s simulated, a retransmitted %d of %d"
            + " (lost by threshold %d, by timeout %d), srtt %d ms, rto %d ms, b duplicates %d, dropped %d%n",
        seed, sim.packets, (sim.now - start) / 1e9, s.retransmissions(), s.transmissions(), s.lostByThreshold(),
        s.lostByTimeout(), s.rtt().srttNanos() / MS, s.rtt().rtoNanos() / MS,
        sim.b.delivery.receive().duplicates(), sim.b.delivery.receive().dropped());
  }

  /**
   * What the node's meters count (README, "Monitoring"): every retransmission reaches the listener once, and
   * every RTT sample, each no shorter than the link's one-way delays there and back.
   */
  @Test
  void theListenerHearsEveryRetransmissionAndRttSample() {
    long seed = 18_018L;
    LinkSimulation sim = new LinkSimulation(seed, new DeliveryOptions(), 0.20, 0.0);
    Feeder ab = new Feeder(sim.a, 500, 100);
    runFed(sim, sim.now + 60 * SECOND, ab);
    assertInOrderExactlyOnce("a->b", seed, sim.b.received, 500, 100);
    SendStream s = sim.a.delivery.send();
    assertTrue(s.retransmissions() > 0, "20% loss retransmits, seed " + seed);
    assertEquals(s.retransmissions(), sim.a.retransmitted, "seed " + seed);
    assertFalse(sim.a.rttSamples.isEmpty(), "seed " + seed);
    for (long sample : sim.a.rttSamples) {
      assertTrue(sample >= 2 * sim.baseDelay, "sample " + sample + " ns under two link delays, seed " + seed);
    }
  }

  @Test
  void manySeedsSmallRuns() {
    for (long seed = 1; seed <= 20; seed++) {
      Random r = new Random(seed);
      LinkSimulation sim = new LinkSimulation(seed, new DeliveryOptions(), r.nextDouble() * 0.3, r.nextDouble() * 0.2);
      int size = 1 + r.nextInt(3000);
      Feeder ab = new Feeder(sim.a, 300, Math.max(8, size));
      runFed(sim, sim.now + 120 * SECOND, ab);
      assertInOrderExactlyOnce("a->b", seed, sim.b.received, 300, Math.max(8, size));
    }
  }

  @Test
  void a64KiBMessageSurvivesTenPercentLoss() {
    long seed = 64_064L;
    LinkSimulation sim = new LinkSimulation(seed, new DeliveryOptions(), 0.10, 0.0);
    Feeder ab = new Feeder(sim.a, 5, 64 * 1024);
    runFed(sim, sim.now + 60 * SECOND, ab);
    assertInOrderExactlyOnce("64 KiB", seed, sim.b.received, 5, 64 * 1024);
    assertEquals(5, sim.a.delivered.size(), "seed " + seed);
  }

  @Test
  void aVanishedPeerFailsEveryOutstandingMessageWithinTheDeadlineAndMemoryStaysBounded() {
    long seed = 777L;
    DeliveryOptions options = new DeliveryOptions();
    LinkSimulation sim = new LinkSimulation(seed, options, 0.0, 0.0);
    Feeder ab = new Feeder(sim.a, 3_000, 500);
    runFed(sim, sim.now + 50 * MS, ab); // some get through
    sim.linkUp = false;
    long vanishedAt = sim.now;
    int deliveredBefore = sim.a.delivered.size();
    long maxQueued = 0;
    while (sim.now < vanishedAt + options.getDeliveryDeadlineNanos() + 5 * SECOND) {
      ab.feed(sim.now);
      maxQueued = Math.max(maxQueued, sim.a.delivery.send().queuedBytes());
      sim.run(sim.now + 100 * MS, () -> false);
      sim.now = Math.max(sim.now, sim.now + 1);
    }
    assertTrue(deliveredBefore > 0, "some delivered before the peer vanished, seed " + seed);
    assertEquals(ab.next, sim.a.delivered.size() + sim.a.failed.size(), "every offered message resolved, seed " + seed);
    assertTrue(maxQueued <= options.getMaxUnackedBytes(), "queued " + maxQueued);
    for (long at : sim.a.failedAt) {
      assertTrue(at - vanishedAt <= options.getDeliveryDeadlineNanos() + 1 * SECOND,
          "failed " + (at - vanishedAt) / MS + " ms after vanishing");
    }
    // the stream still progresses once the peer is back: FORGET lets the receiver skip the hole
    sim.linkUp = true;
    sim.b.received.clear();
    int offeredBefore = ab.next;
    for (int i = 0; i < 50; i++) {
      assertTrue(sim.a.delivery.offer(offeredBefore + i, numbered(i, 500), sim.now));
    }
    sim.run(sim.now + 30 * SECOND, () -> sim.b.received.size() >= 50);
    assertInOrderExactlyOnce("after forget", seed, sim.b.received, 50, 500);
    assertEquals(0, sim.a.delivery.send().queuedBytes());
    System.out.printf("vanished peer, seed %d: %d delivered before, %d failed, max queued %d bytes, b holds %d bytes%n",
        seed, deliveredBefore, sim.a.failed.size(), maxQueued, sim.b.delivery.receive().heldBytes());
  }

  @Test
  void fullWindowRefusesOffersUntilAcksOpenIt() {
    long seed = 5L;
    DeliveryOptions options = new DeliveryOptions().setMaxUnackedFragments(128).setReceiveHoldbackFragments(128);
    LinkSimulation sim = new LinkSimulation(seed, options, 0.0, 0.0);
    int accepted = 0;
    while (sim.a.delivery.offer(accepted, numbered(accepted, 100), sim.now)) {
      accepted++;
    }
    assertEquals(128, accepted);
    assertFalse(sim.a.delivery.hasWindow());
    sim.run(sim.now + SECOND, () -> sim.a.windowOpened > 0);
    assertEquals(1, sim.a.windowOpened);
    assertTrue(sim.a.delivery.hasWindow());
    assertTrue(sim.a.delivery.offer(accepted, numbered(accepted, 100), sim.now));
  }

  @Test
  void ackOfANeverSentSeqIsAProtocolError() {
    SendStream send = new SendStream(new DeliveryOptions(), new NoopListener());
    send.offer(1, new byte[10], 0);
    send.offer(2, new byte[10], 0);
    assertThrows(DeliveryProtocolException.class, () -> send.onAck(new AckFrame(1, 0, List.of()), 0),
        "nothing sent yet");
    send.writeFrames(new CollectingSink(2000), 0);
    send.onAck(new AckFrame(2, 0, List.of()), MS); // both sent: fine
    send.offer(3, new byte[10], MS);
    assertThrows(DeliveryProtocolException.class,
        () -> send.onAck(new AckFrame(2, 0, List.of(new SeqRange(3, 4))), MS), "seq 3 only queued");
  }

  static final class NoopListener implements DeliveryListener {
    final Set<Long> delivered = new HashSet<>();

    @Override
    public void delivered(long handle) {
      delivered.add(handle);
    }

    @Override
    public void failed(long handle, String reason) {
    }

    @Override
    public void windowOpened() {
    }
  }
}
