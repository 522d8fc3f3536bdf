package io.p2pchat.wire.frame;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * MSG: one fragment of a message. {@code data} is owned by the frame once built (not copied).
 *
 * @param seq       the fragment's stream sequence number (u32 on the wire)
 * @param fragIndex index of this fragment in its message, {@code 0 <= fragIndex < fragCount}
 * @param fragCount number of fragments of the message, 1..65535
 * @param data      the fragment's bytes, at most 65535
 */
public record MsgFrame(long seq, int fragIndex, int fragCount, byte[] data) implements Frame {

  public MsgFrame {
    if (fragCount < 1 || fragCount > FrameCodec.MAX_U16) {
      throw new IllegalArgumentException("fragCount out of range: " + fragCount);
    }
    if (fragIndex < 0 || fragIndex >= fragCount) {
      throw new IllegalArgumentException("fragIndex " + fragIndex + " not below fragCount " + fragCount);
    }
    if (data == null || data.length > FrameCodec.MAX_U16) {
      throw new IllegalArgumentException("data missing or longer than 65535 bytes");
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof MsgFrame m && m.seq == seq && m.fragIndex == fragIndex
        && m.fragCount == fragCount && Arrays.equals(m.data, data);
  }

  @Override
  public int hashCode() {
    return (Long.hashCode(seq) * 31 + fragIndex * 17 + fragCount) * 31 + Arrays.hashCode(data);
  }

  @Override
  public String toString() {
    String hex = HexFormat.of().formatHex(data, 0, Math.min(data.length, 16));
    return "MsgFrame[seq=" + seq + ", frag=" + fragIndex + "/" + fragCount + ", len=" + data.length
        + ", data=" + hex + (data.length > 16 ? "…" : "") + "]";
  }
}
