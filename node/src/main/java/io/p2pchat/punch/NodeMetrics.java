package io.p2pchat.punch;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Tags;
import io.p2pchat.metrics.Meters;
import io.p2pchat.wire.DropCounters;
import io.p2pchat.wire.DropReason;

import java.util.concurrent.TimeUnit;

/**
 * The node's meters (README, "Monitoring"), over the counts its parts keep already ({@link NodeCounts},
 * the drop counters, the mailbox's queued total, the peer table). Every label comes from an enum:
 * never a nick, an address or a key. The parts live on PunchVerticle's event loop and the scrape runs
 * on another, so PunchVerticle copies the figures into {@link #published} every
 * {@link #REFRESH_MS} ({@link #refresh}); a scrape reads that copy. Histograms are recorded on path
 * changes, never per message.
 */
final class NodeMetrics {

  /** How often the figures are copied for the scrape: well under Prometheus's default 15 s scrape interval. */
  static final long REFRESH_MS = 1_000;
  private static final String PREFIX = "p2pchat.node.";
  private static final double NANOS_PER_SECOND = TimeUnit.SECONDS.toNanos(1);
  /** Buckets of the time from an introduction to a direct path, s: a LAN punch to the 15 s punch window and past it. */
  private static final double[] PUNCH_BUCKETS = {0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 30, 60};
  /** Buckets of a direct path's round trip, s: a LAN's 100 us to an intercontinental half second. */
  private static final double[] RTT_BUCKETS = {0.0001, 0.0005, 0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1};

  /** What a scrape reads: the copies made by the last {@link #refresh}. */
  private static final class Figures {
    final long[] counts;
    final long[] drops;
    final int[] peersByState;
    final long queued;

    Figures(long[] counts, long[] drops, int[] peersByState, long queued) {
      this.counts = counts;
      this.drops = drops;
      this.peersByState = peersByState;
      this.queued = queued;
    }
  }

  private final Meters meters;
  private volatile Figures published = new Figures(new long[NodeCounts.Count.values().length],
    new long[DropReason.values().length], new int[PathState.values().length], 0);
  private final DistributionSummary[] toDirect = new DistributionSummary[PathState.values().length];
  private final DistributionSummary[] rtt = new DistributionSummary[PathState.values().length];

  NodeMetrics(Meters meters) {
    this.meters = meters;
    for (PathState state : PathState.values()) {
      meters.gauge(PREFIX + "peers", "Peers by the state of their path", Tags.of("state", state.label()), this,
        m -> m.published.peersByState[state.ordinal()]);
      if (state.isDirect()) {
        toDirect[state.ordinal()] = meters.histogram(PREFIX + "direct.path.time",
          "Time from an introduction to a direct path, by path kind", "seconds", Tags.of("path", state.label()),
          PUNCH_BUCKETS);
        rtt[state.ordinal()] = meters.histogram(PREFIX + "rtt", "Round trip of a direct path when it is confirmed",
          "seconds", Tags.of("path", state.label()), RTT_BUCKETS);
      }
    }
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
    published = new Figures(counts.copy(), dropCopy, byState, queued);
  }

  /** A path became direct: how long since the introduction, and its round trip (either may be unknown: -1). */
  void direct(PathState state, long sinceIntroductionNanos, long rttNanos) {
    if (sinceIntroductionNanos >= 0) {
      toDirect[state.ordinal()].record(sinceIntroductionNanos / NANOS_PER_SECOND);
    }
    if (rttNanos >= 0) {
      rtt[state.ordinal()].record(rttNanos / NANOS_PER_SECOND);
    }
  }

  void close() {
    meters.removeAll();
  }

}
