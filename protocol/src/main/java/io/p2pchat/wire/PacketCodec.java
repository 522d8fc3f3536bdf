package io.p2pchat.wire;

import io.vertx.core.buffer.Buffer;

/**
 * Encodes and decodes the packet header. Layout (big-endian):
 * <pre>
 *  0      1      2       3      4            8                16
 *  magic  type   version flags  session id   packet counter   body...
 *  0xD7          0x01    0      u32          u64
 * </pre>
 */
public final class PacketCodec {

  /** Byte 0 of every p2pchat packet: not ASCII (plain-text commands) and not 0x00/0x01 (STUN). */
  public static final byte MAGIC = (byte) 0xD7;
  public static final byte VERSION = 1;
  public static final int HEADER_SIZE = 16;
  /**
   * The whole datagram, every header and tag included: what QUIC assumes every path carries. On IPv6,
   * 1200 + 40 (IPv6 header) + 8 (UDP) = 1248 fits the 1280-byte minimum link MTU (RFC 8200 5).
   */
  public static final int MAX_DATAGRAM = 1200;
  /** Relay id that a relay frame adds in front of the peer packet it carries. */
  public static final int RELAY_ID_SIZE = 8;
  /** A peer packet still fits a relay frame, so a path move never forces re-fragmenting. */
  public static final int MAX_PEER_PACKET = MAX_DATAGRAM - HEADER_SIZE - RELAY_ID_SIZE;

  private PacketCodec() {
  }

  /** A new buffer holding just the header, ready for the body to be appended. */
  public static Buffer header(PacketType type, int sessionId, long counter) {
    byte[] header = new byte[HEADER_SIZE];
    writeHeader(header, type, sessionId, counter);
    return Buffer.buffer(MAX_DATAGRAM).appendBytes(header);
  }

  /** Writes the header into {@code packet[0, HEADER_SIZE)}: for a packet built in one array. */
  public static void writeHeader(byte[] packet, PacketType type, int sessionId, long counter) {
    packet[0] = MAGIC;
    packet[1] = (byte) type.code();
    packet[2] = VERSION;
    packet[3] = 0;
    for (int i = 0; i < 4; i++) {
      packet[4 + i] = (byte) (sessionId >>> (24 - 8 * i));
    }
    for (int i = 0; i < 8; i++) {
      packet[8 + i] = (byte) (counter >>> (56 - 8 * i));
    }
  }

  /** Parses the header of a datagram already classified as {@link DatagramKind#PACKET}. */
  public static PacketHeader decodeHeader(Buffer datagram) throws WireException {
    if (datagram.length() > MAX_DATAGRAM) {
      throw new WireException(DropReason.OVERSIZED, "datagram of " + datagram.length() + " bytes");
    }
    if (datagram.length() < HEADER_SIZE) {
      throw new WireException(DropReason.TRUNCATED, "header of " + datagram.length() + " bytes");
    }
    if (datagram.getByte(0) != MAGIC) {
      throw new WireException(DropReason.UNKNOWN_KIND, "bad magic");
    }
    if (datagram.getByte(2) != VERSION) {
      throw new WireException(DropReason.BAD_VERSION, "version " + datagram.getUnsignedByte(2));
    }
    PacketType type = PacketType.of(datagram.getUnsignedByte(1));
    if (type == null) {
      throw new WireException(DropReason.UNKNOWN_TYPE, "type " + datagram.getUnsignedByte(1));
    }
    return new PacketHeader(type, datagram.getInt(4), datagram.getLong(8));
  }
}
