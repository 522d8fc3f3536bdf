package io.p2pchat.delivery;

/**
 * Seqs are 64-bit inside the streams and u32 on the wire. {@link #expand} recovers the 64-bit value
 * nearest to a reference point, which is unambiguous while both ends stay within 2^31 of each other
 * (the windows are at most 2^24).
 */
final class SeqNumbers {

  private static final long SPAN = 1L << 32;
  private static final long HALF = 1L << 31;
  private static final long MASK = SPAN - 1;

  private SeqNumbers() {
  }

  /** The 64-bit seq with the low 32 bits of {@code wire} nearest to {@code reference}. */
  static long expand(long wire, long reference) {
    long candidate = (reference & ~MASK) | (wire & MASK);
    if (candidate <= reference - HALF) {
      candidate += SPAN;
    } else if (candidate > reference + HALF && candidate >= SPAN) {
      candidate -= SPAN;
    }
    return candidate;
  }
}
