package io.p2pchat.delivery;

import io.p2pchat.wire.frame.Frame;
import io.p2pchat.wire.frame.FrameCodec;
import io.p2pchat.wire.frame.FrameSink;
import java.util.ArrayList;
import java.util.List;

/** A FrameSink that keeps frames as objects, for assertions. */
final class CollectingSink implements FrameSink {
  final List<Frame> frames = new ArrayList<>();
  private int remaining;

  CollectingSink(int budget) {
    remaining = budget;
  }

  @Override
  public int remaining() {
    return remaining;
  }

  @Override
  public void add(Frame frame) {
    remaining -= FrameCodec.encodedSize(frame);
    frames.add(frame);
  }
}
