package io.p2pchat.punch;

import io.p2pchat.metrics.BucketCounts;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Every round trip the node's sessions measure (each delivery ACK's sample, and a direct path's probe when it is
 * confirmed), counted into fixed buckets by the kind of path it crossed, for the {@code p2pchat_node_rtt_seconds}
 * histogram ({@link NodeMetrics}). A sample costs a scan of {@link #BOUNDS_SECONDS}' dozen bounds, one
 * increment and one add, on the hot path of ACKs; a Micrometer histogram's {@code record} would cost
 * several times that, on another thread's structures. Lives on PunchVerticle's event loop only: the meters read
 * a {@link #copy(int)}.
 */
final class RttBuckets {

  /** The kinds of path a sample is counted by (the histogram's {@code path} label): a bounded set. */
  static final List<PathState> KINDS = List.of(PathState.RELAYED, PathState.DIRECT, PathState.DIRECT_LAN);
  /**
   * Upper bounds of the buckets, s: a LAN's 100 us to an intercontinental half second, and a second for a relay
   * across the world or a path whose ACKs queue behind a burst.
   */
  static final double[] BOUNDS_SECONDS = {0.0001, 0.0005, 0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1};
  private static final double NANOS_PER_SECOND = TimeUnit.SECONDS.toNanos(1);
  private static final long[] BOUNDS_NANOS = new long[BOUNDS_SECONDS.length];
  /** A path state's index in {@link #KINDS}, by its ordinal; -1 for a state no sample is counted in. */
  private static final int[] KIND_OF = new int[PathState.values().length];

  static {
    for (int i = 0; i < BOUNDS_SECONDS.length; i++) {
      BOUNDS_NANOS[i] = Math.round(BOUNDS_SECONDS[i] * NANOS_PER_SECOND);
    }
    for (PathState state : PathState.values()) {
      KIND_OF[state.ordinal()] = KINDS.indexOf(state);
    }
  }

  /** Per kind ({@link #KINDS} index), per bucket; the last bucket is above every bound. */
  private final long[][] counts = new long[KINDS.size()][BOUNDS_SECONDS.length + 1];
  private final long[] sumNanos = new long[KINDS.size()];

  /** Counts one round trip over a path in {@code state}; one taken while no path holds (an ACK late after a loss) is not. */
  void record(PathState state, long rttNanos) {
    int kind = KIND_OF[state.ordinal()];
    if (kind < 0 || rttNanos < 0) {
      return;
    }
    int bucket = 0;
    while (bucket < BOUNDS_NANOS.length && rttNanos > BOUNDS_NANOS[bucket]) {
      bucket++;
    }
    counts[kind][bucket]++;
    sumNanos[kind] += rttNanos;
  }

  /** A copy of the counts of {@link #KINDS}' {@code kind}, in seconds. */
  BucketCounts copy(int kind) {
    return new BucketCounts(counts[kind].clone(), sumNanos[kind] / NANOS_PER_SECOND);
  }
}
