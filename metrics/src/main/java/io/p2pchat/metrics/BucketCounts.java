package io.p2pchat.metrics;

/**
 * One series of a {@link Meters#countedHistogram counted histogram} as its owner counted it: the
 * observations in each bucket (not cumulative; the last is the one above every bound, {@code +Inf}) and
 * their sum, in the histogram's base unit.
 */
public record BucketCounts(long[] counts, double sum) {

  /** Nothing observed yet, in a histogram of {@code bounds} upper bounds. */
  public static BucketCounts empty(int bounds) {
    return new BucketCounts(new long[bounds + 1], 0);
  }
}
