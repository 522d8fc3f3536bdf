package io.p2pchat.rendezvous;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * How often one pair of nicks may be introduced: a token bucket per pair (the generic cell rate
 * algorithm, like {@link io.p2pchat.common.RateLimiter}), {@link #BURST} at once and then one per
 * {@link #INTERVAL_NANOS}. Every introduction makes both peers punch each other for a whole
 * window, so a client that re-registers with new instance ids, or retries {@code connect}, must not
 * make every member of a big room punch again at its pace. An introduction over the budget is not
 * lost: it is <em>deferred</em> to when the pair's bucket allows it, one per pair however many were
 * asked for (the newest registrations are introduced then), so a genuinely restarted peer is still
 * introduced, at most {@link #INTERVAL_NANOS} late. Pure state, time passed in; on the verticle's event loop.
 */
final class PairPacing {

  /**
   * Introductions of a pair at once: the first one, the {@code connect} after a lost path, and a
   * restart of either peer, all within one punch window.
   */
  static final int BURST = 3;
  /** Then one per default punch window (5 s): a pair never punches twice at once because of us. */
  static final long INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(5);
  /** Pairs remembered at most (~150 bytes each); the least recently introduced is forgotten (a full bucket again). */
  static final int MAX_PAIRS = 100_000;

  /** A deferred introduction of the pair {@code a}, {@code b} (nicks), due at {@code dueAt}. */
  record Deferred(String a, String b, long dueAt) {
  }

  private static final long TOLERANCE_NANOS = INTERVAL_NANOS * (BURST - 1);

  /** Pair key → the time its bucket is full again. */
  private final Map<String, long[]> fullAt = new LinkedHashMap<>(16, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, long[]> eldest) {
      return size() > MAX_PAIRS;
    }
  };
  /** Pair key → its one deferred introduction, in the order they were deferred. */
  private final Map<String, Deferred> deferred = new LinkedHashMap<>();
  private long deferrals;
  private long coalesced;

  /**
   * Takes an introduction of {@code a} and {@code b} at {@code now}: true to introduce now; false
   * when it is deferred (or was already), to come back from {@link #due}.
   */
  boolean tryIntroduce(String a, String b, long now) {
    String key = key(a, b);
    if (deferred.containsKey(key)) {
      coalesced++;
      return false;
    }
    long[] state = fullAt.get(key);
    long booked = state == null ? now : Math.max(state[0], now);
    if (booked - now > TOLERANCE_NANOS) {
      deferrals++;
      if (deferred.size() < MAX_PAIRS) {
        deferred.put(key, new Deferred(a, b, booked - TOLERANCE_NANOS));
      }
      return false;
    }
    if (state == null) {
      fullAt.put(key, new long[] {booked + INTERVAL_NANOS});
    } else {
      state[0] = booked + INTERVAL_NANOS;
    }
    return true;
  }

  /** The deferred introductions due at {@code now}, forgotten here: the caller introduces each (if both are still there). */
  java.util.List<Deferred> due(long now) {
    java.util.List<Deferred> out = new java.util.ArrayList<>();
    for (Iterator<Deferred> it = deferred.values().iterator(); it.hasNext(); ) {
      Deferred d = it.next();
      if (now - d.dueAt() >= 0) {
        it.remove();
        out.add(d);
      }
    }
    return out;
  }

  /** The earliest deferred introduction's time, or {@link Long#MAX_VALUE}. */
  long nextDeadline() {
    long next = Long.MAX_VALUE;
    for (Deferred d : deferred.values()) {
      if (next == Long.MAX_VALUE || d.dueAt() - next < 0) {
        next = d.dueAt();
      }
    }
    return next;
  }

  /** Counters for the stats: introductions deferred, and asked again while deferred. */
  long deferrals() {
    return deferrals;
  }

  long coalesced() {
    return coalesced;
  }

  private static String key(String a, String b) {
    return a.compareTo(b) < 0 ? a + '\n' + b : b + '\n' + a;
  }
}
