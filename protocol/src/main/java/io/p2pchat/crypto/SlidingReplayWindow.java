package io.p2pchat.crypto;

/**
 * The replay-window algorithm of every authenticated channel (RFC 6479's bitmap of 64-bit words, a ring
 * indexed by the counter itself): each counter is accepted at most once, and none {@link #window()} or more
 * below the highest accepted one. Counter c is bit {@code c mod 64} of word {@code (c / 64) mod words}; when
 * the top moves up, exactly the bits of the counters it passes are cleared: they held the counters one whole
 * bitmap below, which leave the window at that moment. So the window is the whole bitmap (no slack block, as
 * RFC 6479's block-wise clearing needs), an in-order counter clears one bit, a jump at most every word once.
 *
 * <p>Where the words live is the subclass's: {@link ReplayWindow} keeps an array (DATA's 2048 counters),
 * {@link CompactReplayWindow} two fields of the object that extends it (a control session's 128, no array
 * and no object of its own). Call {@link #record} only after the packet authenticated, otherwise a forged
 * counter would move the window; {@link #isFresh} may run first to drop obvious replays cheaply.
 * Not thread-safe.
 */
abstract class SlidingReplayWindow {
  private static final int WORD_SHIFT = 6; // log2(Long.SIZE)
  private static final int BIT_MASK = Long.SIZE - 1;

  /** The highest accepted counter, -1 while none was. */
  private long top = -1;

  SlidingReplayWindow() {
  }

  /** Words of the bitmap: a power of two, the same every call. */
  abstract int words();

  /** Word {@code i} of the bitmap. */
  abstract long word(int i);

  /** Sets word {@code i} of the bitmap. */
  abstract void word(int i, long bits);

  /** Counters this far below the highest one are too old: the bitmap's bits. */
  final long window() {
    return (long) words() << WORD_SHIFT;
  }

  /** True if {@code counter} would be accepted now (no state change). */
  final boolean isFresh(long counter) {
    if (counter < 0) {
      return false;
    }
    long below = top - counter; // top >= -1 and counter >= 0: no overflow
    if (below < 0) {
      return true;
    }
    if (below >= window()) {
      return false;
    }
    return (word(wordOf(counter)) & bit(counter)) == 0;
  }

  /** Records {@code counter}; false if it is a replay, too old, or negative (nothing changes then). */
  final boolean record(long counter) {
    if (!isFresh(counter)) {
      return false;
    }
    if (counter > top) {
      clearPassed(counter - top); // from the empty window's -1 to 2^63 - 1 it overflows: negative
      top = counter;
    }
    int w = wordOf(counter);
    word(w, word(w) | bit(counter));
    return true;
  }

  /** The highest accepted counter, or -1. */
  final long top() {
    return top;
  }

  /** Clears the bits of the {@code passed} counters above {@link #top} (all of them for a jump of a window or more). */
  private void clearPassed(long passed) {
    if (passed < 0 || passed >= window()) {
      for (int i = 0; i < words(); i++) {
        word(i, 0);
      }
      return;
    }
    long c = top + 1;
    for (long left = passed; left > 0; ) {
      int from = (int) (c & BIT_MASK);
      int n = (int) Math.min(left, Long.SIZE - from);
      long bits = n == Long.SIZE ? -1L : ((1L << n) - 1) << from;
      int w = wordOf(c);
      word(w, word(w) & ~bits);
      left -= n;
      c += n;
    }
  }

  private int wordOf(long counter) {
    return (int) (counter >>> WORD_SHIFT) & (words() - 1);
  }

  private static long bit(long counter) {
    return 1L << (counter & BIT_MASK);
  }
}
