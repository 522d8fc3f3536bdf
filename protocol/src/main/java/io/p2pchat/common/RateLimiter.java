package io.p2pchat.common;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A token bucket per key (a source {@code ip:port} or a source ip), as the generic cell rate
 * algorithm: each key holds one number, the time its bucket will be full again, so a tracked
 * source costs one map entry and one {@code long[1]}. At most {@code maxKeys} keys are tracked;
 * beyond that the least recently seen key is forgotten (its bucket starts full again), so a flood
 * from any number of addresses cannot grow memory.
 *
 * <p><b>Full buckets are forgotten.</b> A key whose bucket is full again says nothing a missing key
 * does not (both start full), so each {@link #tryAcquire} also retires up to {@link #RETIRE_PER_CALL}
 * of the least recently seen keys whose buckets are full by now. The map then holds the sources active
 * within about a burst's time, not every source ever seen: a rendezvous's million clients, each
 * sending a keep-alive every few seconds, are a few entries each instant, not a million (at ~150 bytes
 * an entry with its key, the rendezvous's per-registration memory budget). Retiring stops at the first
 * eldest key still booked: all later keys were seen after it, so each waits at most one burst's time
 * behind it. Pure state: the caller passes the time.
 */
public final class RateLimiter {

  private static final long NANOS_PER_SECOND = 1_000_000_000L;
  /**
   * Keys retired per call at most: more than the one a call may add, so the map drains while traffic
   * flows, and a constant, so no call pays for a whole sweep.
   */
  static final int RETIRE_PER_CALL = 2;

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
    retireFull(nowNanos);
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

  /** Forgets up to {@link #RETIRE_PER_CALL} least recently seen keys whose buckets are full at {@code nowNanos}. */
  private void retireFull(long nowNanos) {
    Iterator<long[]> eldest = fullAt.values().iterator();
    for (int i = 0; i < RETIRE_PER_CALL && eldest.hasNext(); i++) {
      if (eldest.next()[0] - nowNanos > 0) {
        return;
      }
      eldest.remove();
    }
  }

  /** Keys tracked now (sources seen recently whose buckets are not full again). */
  public int size() {
    return fullAt.size();
  }

  /** Keys forgotten to stay within the bound since start. */
  public long evicted() {
    return evicted;
  }
}
