package io.p2pchat.punch;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Tags;
import io.p2pchat.metrics.BucketCounts;
import io.p2pchat.metrics.Meters;
import io.p2pchat.wire.DropCounters;
import io.p2pchat.wire.DropReason;

import java.util.concurrent.TimeUnit;

/**
 * The node's meters (README, "Monitoring"), over the counts its parts keep already ({@link NodeCounts},
 * the drop counters, the mailbox's queued total, the peer table). Every label comes from an enum:
 * never a nick, an address or a key. The parts live on PunchVerticle's event loop and the scrape runs
 * on another, so PunchVerticle copies the figures into {@link #published} every
 * {@link #REFRESH_MS} ({@link #refresh}); a scrape reads that copy. The time to a direct path is recorded on
 * path changes; the round trips are counted per sample, into {@link RttBuckets}' fixed buckets, and copied
 * with the rest.
 */
final class NodeMetrics {

  /** How often the figures are copied for the scrape: well under Prometheus's default 15 s scrape interval. */
  static final long REFRESH_MS = 1_000;
  private static final String PREFIX = "p2pchat.node.";
  private static final double NANOS_PER_SECOND = TimeUnit.SECONDS.toNanos(1);
  /** Buckets of the time from an introduction to a direct path, s: a LAN punch to the 15 s punch window and past it. */
  private static final double[] PUNCH_BUCKETS = {0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 30, 60};

  /** What a scrape reads: the copies made by the last {@link #refresh}. */
  private static final class Figures {
    final long[] counts;
    final long[] drops;
    final int[] peersByState;
    final long queued;
    /** By {@link RttBuckets#KINDS} index. */
    final BucketCounts[] rtt;

    Figures(long[] counts, long[] drops, int[] peersByState, long queued, BucketCounts[] rtt) {
      this.counts = counts;
      this.drops = drops;
      this.peersByState = peersByState;
      this.queued = queued;
      this.rtt = rtt;
    }
  }

  private final Meters meters;
  private volatile Figures published = new Figures(new long[NodeCounts.Count.values().length],
    new long[DropReason.values().length], new int[PathState.values().length], 0, emptyRtt());
  private final DistributionSummary[] toDirect = new DistributionSummary[PathState.values().length];

  NodeMetrics(Meters meters) {
    this.meters = meters;
    for (PathState state : PathState.values()) {
      meters.gauge(PREFIX + "peers", "Peers by the state of their path", Tags.of("state", state.label()), this,
        m -> m.published.peersByState[state.ordinal()]);
      if (state.isDirect()) {
        toDirect[state.ordinal()] = meters.histogram(PREFIX + "direct.path.time",
          "Time from an introduction to a direct path, by path kind", "seconds", Tags.of("path", state.label()),
          PUNCH_BUCKETS);
      }
    }
    meters.countedHistogram(PREFIX + "rtt", "Round trips measured on peer paths (delivery ACKs, a direct path's "
        + "confirming probe), by path kind", "seconds", RttBuckets.BOUNDS_SECONDS, "path",
      RttBuckets.KINDS.stream().map(PathState::label).toList(), kind -> published.rtt[kind]);
    counter("messages.sent", "Chat messages handed over to be sent", Tags.empty(), NodeCounts.Count.SENT);
    counter("messages.received", "Chat messages received from peers", Tags.empty(), NodeCounts.Count.RECEIVED);
    counter("messages.delivered", "Messages a peer acknowledged", Tags.empty(), NodeCounts.Count.DELIVERED);
    counter("messages.failed", "Messages that could not be delivered", Tags.empty(), NodeCounts.Count.FAILED);
    meters.counter(PREFIX + "messages.queued", "Messages queued at the rendezvous's mailbox for an absent peer",
      Tags.empty(), this, m -> m.published.queued);
    counter("handshakes", "Peer handshakes by outcome", Tags.of("outcome", "secured"),
      NodeCounts.Count.HANDSHAKE_SECURED);
    counter("handshakes", "Peer handshakes by outcome", Tags.of("outcome", "failed"),
      NodeCounts.Count.HANDSHAKE_FAILED);
    counter("punches", "Punch attempts by outcome", Tags.of("outcome", "direct"), NodeCounts.Count.PUNCH_DIRECT);
    counter("punches", "Punch attempts by outcome", Tags.of("outcome", "failed"), NodeCounts.Count.PUNCH_FAILED);
    counter("retransmissions", "DATA fragments the reliable-delivery layer sent again", Tags.empty(),
      NodeCounts.Count.RETRANSMISSION);
    for (DropReason reason : DropReason.values()) {
      meters.counter(PREFIX + "drops", "Datagrams dropped, by reason", Tags.of("reason", reason.label()), this,
        m -> m.published.drops[reason.ordinal()]);
    }
  }

  private void counter(String name, String help, Tags tags, NodeCounts.Count count) {
    meters.counter(PREFIX + name, help, tags, this, m -> m.published.counts[count.ordinal()]);
  }

  /** On PunchVerticle's event loop: copies the figures a scrape reads. */
  void refresh(NodeCounts counts, DropCounters drops, PeerTable peers, long queued) {
    long[] dropCopy = new long[DropReason.values().length];
    for (DropReason reason : DropReason.values()) {
      dropCopy[reason.ordinal()] = drops.get(reason);
    }
    int[] byState = new int[PathState.values().length];
    for (PeerSession session : peers.sessions()) {
      byState[session.path.state().ordinal()]++;
    }
    BucketCounts[] rtt = new BucketCounts[RttBuckets.KINDS.size()];
    for (int kind = 0; kind < rtt.length; kind++) {
      rtt[kind] = counts.rtt().copy(kind);
    }
    published = new Figures(counts.copy(), dropCopy, byState, queued, rtt);
  }

  private static BucketCounts[] emptyRtt() {
    BucketCounts[] none = new BucketCounts[RttBuckets.KINDS.size()];
    java.util.Arrays.fill(none, BucketCounts.empty(RttBuckets.BOUNDS_SECONDS.length));
    return none;
  }

  /** A path became direct: how long since the introduction. */
  void direct(PathState state, long sinceIntroductionNanos) {
    toDirect[state.ordinal()].record(sinceIntroductionNanos / NANOS_PER_SECOND);
  }

  void close() {
    meters.removeAll();
  }

}
