package io.p2pchat.crypto;

/**
 * Sliding-window replay protection in the style of RFC 6479: a ring of 64-bit blocks; advancing the
 * window clears whole blocks instead of shifting bits. Accepts each counter at most once and rejects
 * counters more than {@link #window()} below the highest accepted one ({@link #WINDOW} by default). Fixed memory
 * per session: 256 bytes by default, 32 for a low-rate channel's {@link #ReplayWindow(int) smaller window}.
 *
 * <p>Call {@link #accept(long)} only after the packet authenticated, otherwise a forged counter would
 * move the window; {@link #check(long)} may be used before decrypting to drop obvious replays cheaply.
 * Not thread-safe.
 */
public final class ReplayWindow {
  private static final int BLOCK_BITS = Long.SIZE;
  private static final int BLOCK_SHIFT = 6; // log2(64)
  /** Blocks in the ring (a power of two): 32 x 64 = 2048 bits, as RFC 6479 suggests for fast links. */
  static final int BLOCKS = 32;
  /** The fewest blocks: one for the top counter and one of slack, as below. */
  public static final int MIN_BLOCKS = 2;
  /**
   * Counters this far below the highest one are still accepted once. One block is kept as slack so
   * the block holding the top counter never overlaps the oldest: (32 - 1) x 64 = 1984 packets of
   * reordering, far more than a UDP path reorders.
   */
  public static final long WINDOW = (long) (BLOCKS - 1) * BLOCK_BITS;

  private final long[] bitmap;
  private final int blockMask;
  private long top = -1; // highest accepted counter, -1 = none yet

  /** A window of {@link #WINDOW} counters, for DATA. */
  public ReplayWindow() {
    this(BLOCKS);
  }

  /**
   * A window of {@code (blocks - 1) x 64} counters: {@code blocks} a power of two, at least {@link #MIN_BLOCKS}.
   * For a channel that sends a few messages at a time, where a long reordering window buys nothing.
   */
  public ReplayWindow(int blocks) {
    if (blocks < MIN_BLOCKS || Integer.bitCount(blocks) != 1) {
      throw new IllegalArgumentException("blocks must be a power of two >= " + MIN_BLOCKS + ": " + blocks);
    }
    bitmap = new long[blocks];
    blockMask = blocks - 1;
  }

  /** Counters this far below the highest one are still accepted once. */
  public long window() {
    return (long) (bitmap.length - 1) * BLOCK_BITS;
  }

  /** True if {@code counter} would be accepted now (no state change). */
  public boolean check(long counter) {
    if (counter < 0) {
      return false;
    }
    if (counter > top) {
      return true;
    }
    if (top - counter >= window()) {
      return false;
    }
    return (bitmap[blockOf(counter)] & bit(counter)) == 0;
  }

  /** Records {@code counter}; false if it is a replay, too old, or negative. */
  public boolean accept(long counter) {
    if (!check(counter)) {
      return false;
    }
    if (counter > top) {
      long topBlock = top < 0 ? -1 : top >>> BLOCK_SHIFT;
      long newBlock = counter >>> BLOCK_SHIFT;
      long toClear = Math.min(newBlock - topBlock, bitmap.length);
      for (long i = 1; i <= toClear; i++) {
        bitmap[(int) ((topBlock + i) & blockMask)] = 0;
      }
      top = counter;
    }
    bitmap[blockOf(counter)] |= bit(counter);
    return true;
  }

  /** The highest accepted counter, or -1. */
  public long highest() {
    return top;
  }

  private int blockOf(long counter) {
    return (int) ((counter >>> BLOCK_SHIFT) & blockMask);
  }

  private static long bit(long counter) {
    return 1L << (counter & (BLOCK_BITS - 1));
  }
}
