package io.p2pchat.wire;

import io.vertx.core.buffer.Buffer;

/**
 * HANDSHAKE packets: the header (session id = the receiver's index), then
 * {@code number u8 (1-3) | senderIndex u32 | Noise message}.
 */
public final class HandshakeCodec {

  private static final int FIXED_BODY = 1 + 4;
  /** Noise XX messages here are under 300 bytes; more is not a handshake. */
  private static final int MAX_NOISE_MESSAGE = 512;

  /** A decoded HANDSHAKE body. */
  public record Message(int number, int senderIndex, byte[] noise) {
  }

  private HandshakeCodec() {
  }

  public static Buffer encode(int receiverIndex, long counter, int number, int senderIndex, byte[] noise) {
    return PacketCodec.header(PacketType.HANDSHAKE, receiverIndex, counter)
      .appendByte((byte) number).appendInt(senderIndex).appendBytes(noise);
  }

  public static Message decode(Buffer datagram) throws WireException {
    int bodyAt = PacketCodec.HEADER_SIZE;
    if (datagram.length() < bodyAt + FIXED_BODY + 1) {
      throw new WireException(DropReason.TRUNCATED, "handshake of " + datagram.length() + " bytes");
    }
    int number = datagram.getUnsignedByte(bodyAt);
    if (number < 1 || number > 3) {
      throw new WireException(DropReason.MALFORMED, "handshake message " + number);
    }
    int noiseLength = datagram.length() - bodyAt - FIXED_BODY;
    if (noiseLength > MAX_NOISE_MESSAGE) {
      throw new WireException(DropReason.OVERSIZED, "handshake message of " + noiseLength + " bytes");
    }
    return new Message(number, datagram.getInt(bodyAt + 1), datagram.getBytes(bodyAt + FIXED_BODY, datagram.length()));
  }
}
