package io.p2pchat.common;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A token bucket per key (a source {@code ip:port} or a source ip), as the generic cell rate
 * algorithm: each key holds one number, the time its bucket will be full again, so a tracked
 * source costs one map entry and one {@code long[1]}. At most {@code maxKeys} keys are tracked;
 * beyond that the least recently seen key is forgotten (its bucket starts full again), so a flood
 * from any number of addresses cannot grow memory. Pure state: the caller passes the time.
 */
public final class RateLimiter {

  private static final long NANOS_PER_SECOND = 1_000_000_000L;

  /** Time one request costs. */
  private final long intervalNanos;
  /** How far ahead of now a bucket may be booked: {@code burst - 1} requests. */
  private final long toleranceNanos;
  private final Map<Object, long[]> fullAt;
  private long evicted;

  /** {@code perSecond} requests a second per key, {@code burst} at once, at most {@code maxKeys} keys tracked. */
  public RateLimiter(int perSecond, int burst, int maxKeys) {
    if (perSecond < 1 || burst < 1 || maxKeys < 1) {
      throw new IllegalArgumentException("rate, burst and size must be positive");
    }
    intervalNanos = NANOS_PER_SECOND / perSecond;
    toleranceNanos = intervalNanos * (burst - 1);
    fullAt = new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<Object, long[]> eldest) {
        if (size() > maxKeys) {
          evicted++;
          return true;
        }
        return false;
      }
    };
  }

  /** Takes one request from {@code key}'s bucket; false if the bucket is empty (nothing is booked then). */
  public boolean tryAcquire(Object key, long nowNanos) {
    long[] state = fullAt.get(key);
    if (state == null) {
      fullAt.put(key, new long[] {nowNanos + intervalNanos});
      return true;
    }
    long booked = Math.max(state[0], nowNanos);
    if (booked - nowNanos > toleranceNanos) {
      return false;
    }
    state[0] = booked + intervalNanos;
    return true;
  }

  /** Keys tracked now. */
  public int size() {
    return fullAt.size();
  }

  /** Keys forgotten to stay within the bound since start. */
  public long evicted() {
    return evicted;
  }
}
