package io.p2pchat.wire.frame;

/** Receives the frames of a DATA body one by one, in order, as {@link FrameCodec#decode} parses them. */
@FunctionalInterface
public interface FrameVisitor {
  void frame(Frame frame);
}
