package io.p2pchat.wire.frame;

import java.util.List;

/**
 * ACK: every seq below {@code cumulative} was received (or forgotten, see {@link ForgetFrame}); the
 * {@code ranges} list seqs received above it, ascending, disjoint and not adjacent, at most
 * {@link FrameCodec#MAX_ACK_RANGES}. {@code delayMicros} is how long the receiver held the ACK after
 * the newest seq arrived (the sender subtracts it from its RTT sample).
 */
public record AckFrame(long cumulative, long delayMicros, List<SeqRange> ranges) implements Frame {

  public AckFrame {
    ranges = List.copyOf(ranges);
  }

  /** The highest seq this ACK reports as received plus one ({@code cumulative} when no range). */
  public long largestExclusive() {
    return ranges.isEmpty() ? cumulative : ranges.get(ranges.size() - 1).end();
  }
}
