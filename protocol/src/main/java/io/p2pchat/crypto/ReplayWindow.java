package io.p2pchat.crypto;

/**
 * DATA's replay window ({@link SlidingReplayWindow}'s algorithm over an array of {@link #WORDS} words):
 * accepts each counter once and refuses counters {@link #WINDOW} or more below the highest accepted one.
 * Fixed memory per session: 256 bytes of bitmap.
 *
 * <p>Call {@link #accept(long)} only after the packet authenticated, otherwise a forged counter would
 * move the window; {@link #check(long)} may be used before decrypting to drop obvious replays cheaply.
 * Not thread-safe.
 */
public final class ReplayWindow extends SlidingReplayWindow {
  /** Words of the bitmap: 32 x 64 = 2048 bits, as RFC 6479 suggests for fast links. */
  static final int WORDS = 32;
  /**
   * Counters this far below the highest one are too old; every one above is accepted once: 2048 packets of
   * reordering, far more than a UDP path reorders.
   */
  public static final long WINDOW = (long) WORDS * Long.SIZE;

  private final long[] bitmap = new long[WORDS];

  /** True if {@code counter} would be accepted now (no state change). */
  public boolean check(long counter) {
    return isFresh(counter);
  }

  /** Records {@code counter}; false if it is a replay, too old, or negative. */
  public boolean accept(long counter) {
    return record(counter);
  }

  /** The highest accepted counter, or -1. */
  public long highest() {
    return top();
  }

  @Override
  int words() {
    return WORDS;
  }

  @Override
  long word(int i) {
    return bitmap[i];
  }

  @Override
  void word(int i, long bits) {
    bitmap[i] = bits;
  }
}
