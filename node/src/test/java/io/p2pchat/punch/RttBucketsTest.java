package io.p2pchat.punch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.p2pchat.metrics.BucketCounts;
import org.junit.jupiter.api.Test;

/** Round trips land in the bucket of the first bound at or above them, under their path kind; the rest are not counted. */
class RttBucketsTest {

  private static final long MICRO = 1_000;
  private static final long MILLI = 1_000_000;
  private static final int DIRECT = RttBuckets.KINDS.indexOf(PathState.DIRECT);
  private static final int LAN = RttBuckets.KINDS.indexOf(PathState.DIRECT_LAN);
  private static final int RELAYED = RttBuckets.KINDS.indexOf(PathState.RELAYED);

  @Test
  void samplesLandInTheirBucketUnderTheirPathKind() {
    RttBuckets rtt = new RttBuckets();
    rtt.record(PathState.DIRECT_LAN, 50 * MICRO);   // under the first bound, 100 us
    rtt.record(PathState.DIRECT_LAN, 100 * MICRO);  // on a bound: that bucket (le)
    rtt.record(PathState.DIRECT, 30 * MILLI);       // 25 ms < 30 ms <= 50 ms
    rtt.record(PathState.RELAYED, 2_000 * MILLI);   // above every bound: +Inf
    rtt.record(PathState.CONNECTING, MILLI);        // no path holds: not counted
    rtt.record(PathState.GONE, MILLI);
    rtt.record(PathState.DIRECT, -1);               // unknown: not counted

    long[] lan = new long[RttBuckets.BOUNDS_SECONDS.length + 1];
    lan[0] = 2;
    assertArrayEquals(lan, rtt.copy(LAN).counts());
    assertEquals(150e-6, rtt.copy(LAN).sum(), 1e-12);
    long[] direct = new long[RttBuckets.BOUNDS_SECONDS.length + 1];
    direct[6] = 1; // 0.05 s
    assertArrayEquals(direct, rtt.copy(DIRECT).counts());
    BucketCounts relayed = rtt.copy(RELAYED);
    assertEquals(1, relayed.counts()[RttBuckets.BOUNDS_SECONDS.length]);
    assertEquals(2.0, relayed.sum(), 1e-12);
  }

  @Test
  void aCopyDoesNotMoveWithLaterSamples() {
    RttBuckets rtt = new RttBuckets();
    BucketCounts before = rtt.copy(DIRECT);
    rtt.record(PathState.DIRECT, MILLI);
    assertEquals(0, before.counts()[2]);
    assertEquals(1, rtt.copy(DIRECT).counts()[2]);
  }
}
