package io.p2pchat.punch;

import io.p2pchat.wire.Endpoint;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The smoothed round trip of each confirmed address of one peer, and whether a working direct path should
 * give way to another of the same kind (direct over IPv4 and direct over IPv6, say) because that one is
 * clearly faster. Pure: samples and time are passed in.
 *
 * <p>Hysteresis, so two similar paths never flap (Tailscale's {@code betterAddr} ignores small gains for the
 * same reason): the other address must be lower than the current one's by both {@link #SWITCH_RATIO_PERCENT}
 * and {@link #SWITCH_MARGIN_NANOS}, in every one of at least {@link #SWITCH_MIN_SAMPLES} samples in a row
 * spanning {@link #SWITCH_DWELL_NANOS}; one sample that is not clearly lower starts the count again.
 */
final class PathRtt {

  /** Weight of a new sample in the smoothed RTT, 1/8: RFC 6298 section 2.3's alpha, as TCP and QUIC use. */
  static final int SMOOTHING_DIVISOR = 8;
  /**
   * The other path must be under 75% of the current path's smoothed RTT: a home link's jitter moves a
   * smoothed RTT by 10-20%, so only a real difference (another route, a detour through a tunnel) qualifies.
   */
  static final int SWITCH_RATIO_PERCENT = 75;
  /**
   * And at least 5 ms lower: on a LAN or loopback (well under a millisecond) a large ratio is noise that
   * no one would notice, and a move costs a path change; 5 ms is below what a chat user can perceive anyway.
   */
  static final long SWITCH_MARGIN_NANOS = TimeUnit.MILLISECONDS.toNanos(5);
  /** Samples in a row, each clearly lower: one lucky probe never moves a path. */
  static final int SWITCH_MIN_SAMPLES = 3;
  /**
   * And the clearly lower samples must span this long: the retries of one punch round (100 ms apart) are
   * one moment, not a trend. 10 s is two keep-alive periods at the shortest practical keepAliveSeconds (5).
   */
  static final long SWITCH_DWELL_NANOS = TimeUnit.SECONDS.toNanos(10);

  private static final class Estimate {
    long smoothed;
    /** Clearly lower than the current path's in this many samples in a row (0: not). */
    int lowerInARow;
    long lowerSince;

    Estimate(long first) {
      smoothed = first;
    }
  }

  private final Map<Endpoint, Estimate> estimates = new HashMap<>();

  /** A round trip measured on {@code at}: a {@code punched} answering our {@code punch} there. */
  void sample(Endpoint at, long rttNanos) {
    Estimate e = estimates.get(at);
    if (e == null) {
      estimates.put(at, new Estimate(rttNanos));
    } else {
      e.smoothed += (rttNanos - e.smoothed) / SMOOTHING_DIVISOR;
    }
  }

  /** The smoothed RTT of {@code at}, or -1 before its first sample. */
  long smoothed(Endpoint at) {
    Estimate e = estimates.get(at);
    return e == null ? -1 : e.smoothed;
  }

  /** True once {@code at} answered a probe (it is a working path to compare with). */
  boolean measured(Endpoint at) {
    return estimates.containsKey(at);
  }

  /**
   * After a sample of {@code other}: true when it should replace {@code current} (a working path of the same
   * kind), its smoothed RTT having been clearly lower in enough samples over long enough; the count restarts
   * with any sample that is not.
   */
  boolean prefers(Endpoint other, Endpoint current, long now) {
    Estimate o = estimates.get(other);
    Estimate c = estimates.get(current);
    if (o == null || c == null) {
      return false;
    }
    boolean clearlyLower = o.smoothed * 100 <= c.smoothed * SWITCH_RATIO_PERCENT
      && c.smoothed - o.smoothed >= SWITCH_MARGIN_NANOS;
    if (!clearlyLower) {
      o.lowerInARow = 0;
      return false;
    }
    if (o.lowerInARow++ == 0) {
      o.lowerSince = now;
    }
    return o.lowerInARow >= SWITCH_MIN_SAMPLES && now - o.lowerSince >= SWITCH_DWELL_NANOS;
  }

  /** The path moved: every comparison starts again against the new one. */
  void moved() {
    estimates.values().forEach(e -> e.lowerInARow = 0);
  }

  /** Forgets addresses that are no longer candidates: bounded by the candidates of one introduction. */
  void retain(Collection<Endpoint> candidates) {
    estimates.keySet().retainAll(candidates);
  }
}
