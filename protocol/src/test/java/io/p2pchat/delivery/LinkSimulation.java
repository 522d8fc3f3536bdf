package io.p2pchat.delivery;

import io.p2pchat.wire.frame.BufferFrameSink;
import io.p2pchat.wire.frame.Frame;
import io.p2pchat.wire.frame.FrameCodec;
import io.p2pchat.wire.frame.FrameException;
import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * Two {@link PeerDelivery} ends joined by a fake lossy link (loss, duplication, reordering by
 * jitter) and driven by a fake clock, the way the session owner drives them.
 */
final class LinkSimulation {

  static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

  final long seed;
  final Random random;
  final Side a;
  final Side b;
  long now = TimeUnit.SECONDS.toNanos(1000); // not zero: times must not be special-cased
  double loss;
  double duplication;
  long baseDelay = 10 * MS;
  long jitter = 8 * MS;
  boolean linkUp = true;
  private long arrivalOrder;
  long packets;

  private record InFlight(long at, long order, Side to, Buffer bytes) {
  }

  private final PriorityQueue<InFlight> wire = new PriorityQueue<>(
      (x, y) -> x.at != y.at ? Long.compare(x.at, y.at) : Long.compare(x.order, y.order));

  LinkSimulation(long seed, DeliveryOptions options, double loss, double duplication) {
    this.seed = seed;
    this.random = new Random(seed);
    this.loss = loss;
    this.duplication = duplication;
    this.a = new Side("a", options);
    this.b = new Side("b", options);
    a.peer = b;
    b.peer = a;
  }

  final class Side implements DeliveryListener, MessageSink {
    final String name;
    final PeerDelivery delivery;
    final DeliveryOptions options;
    Side peer;
    final List<byte[]> received = new ArrayList<>();
    final List<Long> delivered = new ArrayList<>();
    final List<Long> failed = new ArrayList<>();
    final List<Long> failedAt = new ArrayList<>();
    int windowOpened;
    long retransmitted;
    final List<Long> rttSamples = new ArrayList<>();

    Side(String name, DeliveryOptions options) {
      this.name = name;
      this.options = options;
      this.delivery = new PeerDelivery(options, this, this);
    }

    @Override
    public void delivered(long handle) {
      delivered.add(handle);
    }

    @Override
    public void failed(long handle, String reason) {
      failed.add(handle);
      failedAt.add(now);
    }

    @Override
    public void windowOpened() {
      windowOpened++;
    }

    @Override
    public void retransmitted() {
      retransmitted++;
    }

    @Override
    public void rttSampled(long sampleNanos) {
      rttSamples.add(sampleNanos);
    }

    @Override
    public void message(byte[] message) {
      received.add(message);
    }

    void pump() {
      while (delivery.wantsToSend(now)) {
        Buffer packet = Buffer.buffer(options.getPacketFrameBudget());
        if (!delivery.writeFrames(new BufferFrameSink(packet, options.getPacketFrameBudget()), now)) {
          return;
        }
        transmit(this, packet);
      }
    }

    void receive(Buffer packet) {
      try {
        for (Frame f : FrameCodec.decodeAll(packet)) {
          delivery.onFrame(f, now);
        }
      } catch (FrameException e) {
        throw new AssertionError("seed " + seed + ": our own packet did not parse", e);
      }
    }
  }

  private void transmit(Side from, Buffer packet) {
    packets++;
    if (!linkUp || random.nextDouble() < loss) {
      return;
    }
    int copies = random.nextDouble() < duplication ? 2 : 1;
    for (int i = 0; i < copies; i++) {
      long at = now + baseDelay + (jitter > 0 ? (long) (random.nextDouble() * jitter) : 0);
      wire.add(new InFlight(at, arrivalOrder++, from.peer, packet));
    }
  }

  /** Runs events until {@code until} (simulated nanos) or until {@code done} holds. */
  void run(long until, java.util.function.BooleanSupplier done) {
    a.pump();
    b.pump();
    while (now < until && !done.getAsBoolean()) {
      long next = Math.min(a.delivery.nextDeadlineNanos(), b.delivery.nextDeadlineNanos());
      if (!wire.isEmpty()) {
        next = Math.min(next, wire.peek().at);
      }
      if (next == Long.MAX_VALUE) {
        return; // idle
      }
      now = Math.max(now, Math.min(next, until));
      while (!wire.isEmpty() && wire.peek().at <= now) {
        InFlight p = wire.poll();
        p.to.receive(p.bytes);
      }
      for (Side s : new Side[] {a, b}) {
        if (s.delivery.nextDeadlineNanos() <= now) {
          s.delivery.onTimer(now);
        }
        s.pump();
      }
    }
  }
}
