package io.p2pchat.rendezvous;

/**
 * Monotonic counts by the constants of one enum: a bounded label set for the metrics
 * ({@link RendezvousMetrics}), kept by whoever sees the event. Event-loop confined.
 */
final class EnumCounts<E extends Enum<E>> {

  private final long[] counts;

  EnumCounts(Class<E> type) {
    counts = new long[type.getEnumConstants().length];
  }

  void add(E what, long n) {
    counts[what.ordinal()] += n;
  }

  void count(E what) {
    add(what, 1);
  }

  long get(E what) {
    return counts[what.ordinal()];
  }
}
