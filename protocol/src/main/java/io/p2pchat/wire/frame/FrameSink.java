package io.p2pchat.wire.frame;

/**
 * Where a stream writes the frames of the packet being built. {@link #addMsg} exists so that a sender
 * can write a fragment straight from its message bytes without allocating a {@link MsgFrame}.
 */
public interface FrameSink {

  /** Bytes still free for frames in this packet. */
  int remaining();

  /** Appends a frame; the caller checked {@link FrameCodec#encodedSize} against {@link #remaining()}. */
  void add(Frame frame);

  /** Appends a MSG frame whose data is {@code src[off, off+len)}. */
  default void addMsg(long seq, int fragIndex, int fragCount, byte[] src, int off, int len) {
    byte[] data = new byte[len];
    System.arraycopy(src, off, data, 0, len);
    add(new MsgFrame(seq, fragIndex, fragCount, data));
  }
}
