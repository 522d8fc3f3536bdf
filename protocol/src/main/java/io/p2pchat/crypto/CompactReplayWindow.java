package io.p2pchat.crypto;

/**
 * A replay window of {@link #WINDOW} counters held in two long fields of the object that extends it
 * ({@link SlidingReplayWindow}'s algorithm, as DATA's {@link ReplayWindow}), for a low-rate channel kept
 * by the hundred thousand: a rendezvous's control sessions, one per client. Extending it puts the window's
 * 24 bytes (the top and two words) among the session's own fields, where a {@code ReplayWindow} would add
 * an object and an array (32 + 48 bytes) and a reference to them. Its operations are protected: they are
 * the subclass's to call, not part of its API. Not thread-safe.
 */
public abstract class CompactReplayWindow extends SlidingReplayWindow {
  /** Words of the bitmap, each a field: two. */
  private static final int WORDS = 2;
  /** Counters this far below the highest one are too old: two words of 64. */
  public static final int WINDOW = WORDS * Long.SIZE;

  private long word0;
  private long word1;

  protected CompactReplayWindow() {
  }

  /** True if {@code counter} would be accepted now: not negative, not accepted before, not too old. */
  protected final boolean replayFresh(long counter) {
    return isFresh(counter);
  }

  /** Records {@code counter} after its message authenticated; false if it is a replay, too old, or negative. */
  protected final boolean replayAccept(long counter) {
    return record(counter);
  }

  @Override
  final int words() {
    return WORDS;
  }

  @Override
  final long word(int i) {
    return i == 0 ? word0 : word1;
  }

  @Override
  final void word(int i, long bits) {
    if (i == 0) {
      word0 = bits;
    } else {
      word1 = bits;
    }
  }
}
