package io.p2pchat.wire.frame;

import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Encoder/decoder of DATA frames (docs/PROTOCOL.md, "DATA"). Pure: no state, no Vert.x context.
 *
 * <pre>
 * 0x00 PADDING  rest of the body ignored
 * 0x01 MSG      seq u32 | fragIndex u16 | fragCount u16 | len u16 | len bytes
 * 0x02 ACK      cumulative u32 | delayMicros u32 | n u8 | n x (start u32, end u32 exclusive)
 * 0x03 PING     pingId u64
 * 0x04 PONG     pingId u64
 * 0x05 BYE
 * 0x06 FORGET   below u32
 * </pre>
 *
 * <p>Seqs are written as their low 32 bits and decoded as 0..2^32-1. ACK ranges are checked in
 * modular (serial-number) order relative to {@code cumulative}, so an ACK across the 2^32 wrap is
 * valid: each range lies above the previous one with at least one missing seq between, the first
 * starts above {@code cumulative}, and none reaches more than 2^31 above it.
 */
public final class FrameCodec {

  public static final int TYPE_PADDING = 0x00;
  public static final int TYPE_MSG = 0x01;
  public static final int TYPE_ACK = 0x02;
  public static final int TYPE_PING = 0x03;
  public static final int TYPE_PONG = 0x04;
  public static final int TYPE_BYE = 0x05;
  public static final int TYPE_FORGET = 0x06;

  /** Largest value of a u16 field (fragment numbers and lengths). */
  public static final int MAX_U16 = 0xFFFF;
  /** MSG frame bytes before the data: type, seq, fragIndex, fragCount, len. */
  public static final int MSG_HEADER_BYTES = 1 + 4 + 2 + 2 + 2;
  /** ACK frame bytes without ranges: type, cumulative, delayMicros, range count. */
  public static final int ACK_BASE_BYTES = 1 + 4 + 4 + 1;
  /** Bytes of one ACK range. */
  public static final int ACK_RANGE_BYTES = 4 + 4;
  /**
   * Most ranges an ACK may carry: 32 ranges make a 266-byte ACK, a quarter of a packet, so an ACK
   * still leaves room for data to ride with it; the decoder rejects more.
   */
  public static final int MAX_ACK_RANGES = 32;
  /** PING/PONG frame bytes: type + u64. */
  public static final int PING_BYTES = 1 + 8;
  /** FORGET frame bytes: type + u32. */
  public static final int FORGET_BYTES = 1 + 4;
  /** BYE frame bytes: type only. */
  public static final int BYE_BYTES = 1;

  private static final long U32_MASK = 0xFFFF_FFFFL;
  /** Ranges may reach at most half the u32 space above cumulative (serial-number arithmetic). */
  private static final long MAX_RANGE_OFFSET = 1L << 31;

  private FrameCodec() {
  }

  /** Encoded size of a frame in bytes. */
  public static int encodedSize(Frame frame) {
    if (frame instanceof MsgFrame m) {
      return MSG_HEADER_BYTES + m.data().length;
    } else if (frame instanceof AckFrame a) {
      return ackSize(a.ranges().size());
    } else if (frame instanceof PingFrame || frame instanceof PongFrame) {
      return PING_BYTES;
    } else if (frame instanceof ForgetFrame) {
      return FORGET_BYTES;
    } else if (frame instanceof ByeFrame) {
      return BYE_BYTES;
    }
    throw new IllegalStateException("BUG: unknown frame " + frame);
  }

  /** Encoded size of an ACK with {@code ranges} ranges. */
  public static int ackSize(int ranges) {
    return ACK_BASE_BYTES + ranges * ACK_RANGE_BYTES;
  }

  /**
   * Appends a frame at the end of {@code out}.
   *
   * @throws IllegalArgumentException for an ACK whose ranges are not in order or above the cap
   */
  public static void encode(Buffer out, Frame frame) {
    if (frame instanceof MsgFrame m) {
      encodeMsg(out, m.seq(), m.fragIndex(), m.fragCount(), m.data(), 0, m.data().length);
    } else if (frame instanceof AckFrame a) {
      encodeAck(out, a);
    } else if (frame instanceof PingFrame p) {
      out.appendByte((byte) TYPE_PING).appendLong(p.pingId());
    } else if (frame instanceof PongFrame p) {
      out.appendByte((byte) TYPE_PONG).appendLong(p.pingId());
    } else if (frame instanceof ForgetFrame f) {
      out.appendByte((byte) TYPE_FORGET).appendUnsignedInt(f.below() & U32_MASK);
    } else if (frame instanceof ByeFrame) {
      out.appendByte((byte) TYPE_BYE);
    } else {
      throw new IllegalStateException("BUG: unknown frame " + frame);
    }
  }

  /** Appends a MSG frame whose data is {@code src[off, off+len)}, without building a {@link MsgFrame}. */
  public static void encodeMsg(Buffer out, long seq, int fragIndex, int fragCount, byte[] src, int off, int len) {
    if (fragCount < 1 || fragCount > MAX_U16 || fragIndex < 0 || fragIndex >= fragCount || len > MAX_U16) {
      throw new IllegalArgumentException("bad fragment " + fragIndex + "/" + fragCount + " len " + len);
    }
    out.appendByte((byte) TYPE_MSG)
        .appendUnsignedInt(seq & U32_MASK)
        .appendUnsignedShort(fragIndex)
        .appendUnsignedShort(fragCount)
        .appendUnsignedShort(len)
        .appendBytes(src, off, len);
  }

  private static void encodeAck(Buffer out, AckFrame a) {
    List<SeqRange> ranges = a.ranges();
    String problem = checkRanges(a.cumulative(), ranges);
    if (problem != null) {
      throw new IllegalArgumentException(problem);
    }
    if (a.delayMicros() < 0) {
      throw new IllegalArgumentException("negative ack delay");
    }
    out.appendByte((byte) TYPE_ACK)
        .appendUnsignedInt(a.cumulative() & U32_MASK)
        .appendUnsignedInt(Math.min(a.delayMicros(), U32_MASK))
        .appendByte((byte) ranges.size());
    for (int i = 0; i < ranges.size(); i++) {
      SeqRange r = ranges.get(i);
      out.appendUnsignedInt(r.start() & U32_MASK).appendUnsignedInt(r.end() & U32_MASK);
    }
  }

  /** Returns why the ranges are invalid relative to {@code cumulative}, or null when they are fine. */
  private static String checkRanges(long cumulative, List<SeqRange> ranges) {
    if (ranges.size() > MAX_ACK_RANGES) {
      return "too many ack ranges: " + ranges.size();
    }
    long prevEnd = 0; // offset of the previous range's end; cumulative itself is missing
    for (int i = 0; i < ranges.size(); i++) {
      SeqRange r = ranges.get(i);
      long start = (r.start() - cumulative) & U32_MASK;
      long end = (r.end() - cumulative) & U32_MASK;
      if (start <= prevEnd || end <= start || end > MAX_RANGE_OFFSET) {
        return "ack range " + i + " [" + r.start() + "," + r.end() + ") not ascending/disjoint above "
            + cumulative;
      }
      prevEnd = end;
    }
    return null;
  }

  /** Decodes every frame of a DATA body. */
  public static List<Frame> decodeAll(Buffer body) throws FrameException {
    List<Frame> frames = new ArrayList<>();
    decode(body, frames::add);
    return frames;
  }

  /**
   * Decodes the frames of a DATA body, handing each to {@code visitor} as soon as it is parsed. On a
   * malformed frame the frames before it have already been visited; the caller drops the packet's
   * remaining frames (the peer's retransmission repairs anything lost that way).
   */
  public static void decode(Buffer body, FrameVisitor visitor) throws FrameException {
    int pos = 0;
    int length = body.length();
    while (pos < length) {
      int type = body.getUnsignedByte(pos);
      switch (type) {
        case TYPE_PADDING:
          return;
        case TYPE_MSG: {
          need(body, pos, MSG_HEADER_BYTES, "MSG");
          long seq = body.getUnsignedInt(pos + 1);
          int fragIndex = body.getUnsignedShort(pos + 5);
          int fragCount = body.getUnsignedShort(pos + 7);
          int len = body.getUnsignedShort(pos + 9);
          if (fragCount == 0 || fragIndex >= fragCount) {
            throw new FrameException("MSG fragment " + fragIndex + "/" + fragCount);
          }
          need(body, pos, MSG_HEADER_BYTES + len, "MSG data");
          int dataStart = pos + MSG_HEADER_BYTES;
          visitor.frame(new MsgFrame(seq, fragIndex, fragCount, body.getBytes(dataStart, dataStart + len)));
          pos = dataStart + len;
          break;
        }
        case TYPE_ACK: {
          need(body, pos, ACK_BASE_BYTES, "ACK");
          long cumulative = body.getUnsignedInt(pos + 1);
          long delay = body.getUnsignedInt(pos + 5);
          int n = body.getUnsignedByte(pos + 9);
          if (n > MAX_ACK_RANGES) {
            throw new FrameException("ACK with " + n + " ranges, cap " + MAX_ACK_RANGES);
          }
          need(body, pos, ackSize(n), "ACK ranges");
          List<SeqRange> ranges = new ArrayList<>(n);
          int p = pos + ACK_BASE_BYTES;
          for (int i = 0; i < n; i++, p += ACK_RANGE_BYTES) {
            ranges.add(new SeqRange(body.getUnsignedInt(p), body.getUnsignedInt(p + 4)));
          }
          String problem = checkRanges(cumulative, ranges);
          if (problem != null) {
            throw new FrameException(problem);
          }
          visitor.frame(new AckFrame(cumulative, delay, ranges));
          pos = p;
          break;
        }
        case TYPE_PING:
        case TYPE_PONG: {
          need(body, pos, PING_BYTES, type == TYPE_PING ? "PING" : "PONG");
          long id = body.getLong(pos + 1);
          visitor.frame(type == TYPE_PING ? new PingFrame(id) : new PongFrame(id));
          pos += PING_BYTES;
          break;
        }
        case TYPE_BYE:
          visitor.frame(ByeFrame.INSTANCE);
          pos += BYE_BYTES;
          break;
        case TYPE_FORGET:
          need(body, pos, FORGET_BYTES, "FORGET");
          visitor.frame(new ForgetFrame(body.getUnsignedInt(pos + 1)));
          pos += FORGET_BYTES;
          break;
        default:
          throw new FrameException("unknown frame type 0x" + Integer.toHexString(type) + " at " + pos);
      }
    }
  }

  private static void need(Buffer body, int pos, int bytes, String what) throws FrameException {
    if (body.length() - pos < bytes) {
      throw new FrameException("truncated " + what + " frame at " + pos + ": need " + bytes + ", have "
          + (body.length() - pos));
    }
  }
}
