package io.p2pchat.wire.frame;

import io.vertx.core.buffer.Buffer;

/**
 * A {@link FrameSink} encoding into a {@link Buffer} (appending at its end) with a byte budget.
 */
public final class BufferFrameSink implements FrameSink {

  private final Buffer out;
  private final int limit;

  /**
   * @param out    the packet body being built; frames are appended at its end
   * @param budget bytes available for frames from the buffer's current end
   */
  public BufferFrameSink(Buffer out, int budget) {
    if (budget < 0) {
      throw new IllegalArgumentException("budget < 0");
    }
    this.out = out;
    this.limit = out.length() + budget;
  }

  @Override
  public int remaining() {
    return limit - out.length();
  }

  @Override
  public void add(Frame frame) {
    FrameCodec.encode(out, frame);
  }

  @Override
  public void addMsg(long seq, int fragIndex, int fragCount, byte[] src, int off, int len) {
    FrameCodec.encodeMsg(out, seq, fragIndex, fragCount, src, off, len);
  }

  /** Number of bytes written since creation is {@code budget - remaining()}; the buffer itself. */
  public Buffer buffer() {
    return out;
  }
}
