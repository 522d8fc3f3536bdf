package io.p2pchat.delivery;

import java.util.concurrent.TimeUnit;

/**
 * RFC 6298 round-trip estimator: SRTT/RTTVAR smoothing, RTO = SRTT + max(G, 4 RTTVAR) clamped to
 * [rtoMin, rtoMax], doubled on each retransmission timeout until the next fresh sample. Callers feed
 * only unambiguous samples (Karn): the sender samples fragments transmitted once.
 */
public final class RttEstimator {

  /** Clock granularity G: 1 ms, the resolution of Vert.x timers that drive the streams. */
  static final long GRANULARITY_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

  private final long rtoMin;
  private final long rtoMax;
  private final long initialRto;
  private long srtt = -1;
  private long latest = -1;
  private long rttvar;
  private long minRtt = Long.MAX_VALUE;
  private long rto;
  private int backoffShift;

  public RttEstimator(DeliveryOptions options) {
    this.rtoMin = options.getRtoMinNanos();
    this.rtoMax = options.getRtoMaxNanos();
    this.rto = options.getInitialRtoNanos();
    this.initialRto = rto;
  }

  /**
   * Feeds one RTT sample.
   *
   * @param sampleNanos   time from the (single) transmission to its ACK
   * @param ackDelayNanos delay the peer reports it held the ACK; subtracted when the result stays at
   *                      or above the smallest RTT seen (RFC 9002 5.3), so a lying peer cannot shrink
   *                      the RTT below what was measured
   */
  public void onSample(long sampleNanos, long ackDelayNanos) {
    if (sampleNanos < 0) {
      return;
    }
    minRtt = Math.min(minRtt, sampleNanos);
    latest = sampleNanos;
    long r = sampleNanos - ackDelayNanos >= minRtt ? sampleNanos - ackDelayNanos : sampleNanos;
    if (srtt < 0) {
      srtt = r;
      rttvar = r / 2;
    } else {
      rttvar = (3 * rttvar + Math.abs(srtt - r)) / 4;
      srtt = (7 * srtt + r) / 8;
    }
    backoffShift = 0;
    rto = clamp(srtt + Math.max(GRANULARITY_NANOS, 4 * rttvar));
  }

  /** A retransmission timeout fired: double the RTO (up to rtoMax) until a fresh sample. */
  public void backOff() {
    if (rto < rtoMax) {
      backoffShift++;
      rto = clamp(rto * 2);
    }
  }

  /**
   * How long a fragment overtaken by later acked ones may still be merely reordered: 9/8 of
   * max(SRTT, latest RTT) as in RFC 9002 6.1.2 (the initial RTO before any sample), at least G.
   */
  public long lossDelayNanos() {
    if (srtt < 0) {
      return initialRto;
    }
    long base = Math.max(srtt, latest);
    return Math.max(GRANULARITY_NANOS, base + base / 8);
  }

  /** The current retransmission timeout, back-off included. */
  public long rtoNanos() {
    return rto;
  }

  /** Smoothed RTT, or -1 before the first sample. */
  public long srttNanos() {
    return srtt;
  }

  /** Number of doublings since the last fresh sample. */
  public int backoffCount() {
    return backoffShift;
  }

  private long clamp(long v) {
    return Math.max(rtoMin, Math.min(rtoMax, v));
  }
}
