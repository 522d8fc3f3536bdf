package io.p2pchat.wire;

import io.vertx.core.buffer.Buffer;

/** The first classification of every datagram, by its first bytes, before any parser runs. */
public enum DatagramKind {
  /** A p2pchat packet: first byte {@link PacketCodec#MAGIC}. */
  PACKET,
  /**
   * A datagram of the sealed control channel between a node and the rendezvous: first byte
   * {@link #CONTROL_MAGIC} 0xD8 ({@code io.p2pchat.control.ControlCodec} has its layout).
   */
  CONTROL,
  /** A STUN message (RFC 8489): top two bits zero and the magic cookie at bytes 4-7. */
  STUN,
  /** A plain-text command of the original design: starts with an ASCII letter. */
  PLAIN,
  /** Nothing we speak. */
  UNKNOWN;

  /**
   * First byte of every sealed-control datagram (the same value as {@code io.p2pchat.control.ControlCodec.MAGIC},
   * which this package cannot name): next to 0xD7, top two bits set (never STUN), not a letter.
   */
  public static final byte CONTROL_MAGIC = (byte) 0xD8;

  /** Classifies {@code datagram} by its first bytes. */
  public static DatagramKind of(Buffer datagram) {
    if (datagram.length() == 0) {
      return UNKNOWN;
    }
    byte first = datagram.getByte(0);
    if (first == PacketCodec.MAGIC) {
      return PACKET;
    }
    if (first == CONTROL_MAGIC) {
      return CONTROL;
    }
    if ((first & 0xC0) == 0 && datagram.length() >= StunCodec.HEADER_SIZE
      && datagram.getInt(4) == StunCodec.MAGIC_COOKIE) {
      return STUN;
    }
    if ((first >= 'a' && first <= 'z') || (first >= 'A' && first <= 'Z')) {
      return PLAIN;
    }
    return UNKNOWN;
  }
}
