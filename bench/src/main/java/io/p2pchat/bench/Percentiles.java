package io.p2pchat.bench;

import java.util.Arrays;

/** Percentiles of a set of samples: a sorted copy, nearest-rank (no interpolation, no library). */
final class Percentiles {

  private final long[] sorted;

  Percentiles(long[] samples, int count) {
    sorted = Arrays.copyOf(samples, count);
    Arrays.sort(sorted);
  }

  int count() {
    return sorted.length;
  }

  /** The nearest-rank {@code q} quantile (0 < q ≤ 1), or -1 without samples. */
  long quantile(double q) {
    if (sorted.length == 0) {
      return -1;
    }
    int rank = (int) Math.ceil(q * sorted.length);
    return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
  }

  long max() {
    return sorted.length == 0 ? -1 : sorted[sorted.length - 1];
  }
}
