package io.p2pchat.wire;

import io.p2pchat.crypto.ProbeMac;
import io.vertx.core.buffer.Buffer;

/**
 * HANDSHAKE packets: the header (session id = the receiver's index), then
 * {@code number u8 (1-3) | senderIndex u32 | Noise message}, and for message 1 only a trailing
 * {@code MAC [16]}: {@link ProbeMac} over everything before it, header included, under the
 * introduction's secret (what only the two peers and the rendezvous know). Message 1 of Noise XX
 * authenticates nothing by itself; its MAC lets the responder drop one that does not come from the
 * introduced peer before it does any Diffie-Hellman or takes a handshake slot (WireGuard's mac1, keyed
 * by a shared secret rather than a public key). Messages 2 and 3 authenticate themselves.
 */
public final class HandshakeCodec {

  private static final int FIXED_BODY = 1 + 4;
  /** Noise XX messages here are under 300 bytes; more is not a handshake. */
  private static final int MAX_NOISE_MESSAGE = 512;
  /** Bytes of message 1's MAC. */
  public static final int MESSAGE1_MAC_LENGTH = ProbeMac.LENGTH;

  /**
   * A decoded HANDSHAKE body. For message 1, {@code signed} is the datagram before its MAC and
   * {@code mac} the MAC ({@link #verify} checks them); both are null for messages 2 and 3.
   */
  public record Message(int number, int senderIndex, byte[] noise, byte[] signed, byte[] mac) {

    /** True when this is a message 2 or 3, or a message 1 whose MAC verifies under {@code secret}. */
    public boolean verify(byte[] secret) {
      return number != 1 || (secret != null && ProbeMac.verify(secret, signed, 0, signed.length, mac, 0));
    }
  }

  private HandshakeCodec() {
  }

  /**
   * A HANDSHAKE packet; {@code secret} is the introduction's probe secret, used (and required) for
   * message 1 only.
   */
  public static Buffer encode(int receiverIndex, long counter, int number, int senderIndex, byte[] noise, byte[] secret) {
    Buffer packet = PacketCodec.header(PacketType.HANDSHAKE, receiverIndex, counter)
      .appendByte((byte) number).appendInt(senderIndex).appendBytes(noise);
    if (number != 1) {
      return packet;
    }
    if (secret == null) {
      throw new IllegalArgumentException("message 1 needs the introduction's secret");
    }
    byte[] signed = packet.getBytes();
    return packet.appendBytes(ProbeMac.compute(secret, signed, 0, signed.length));
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
    int end = datagram.length();
    if (number == 1) {
      end -= MESSAGE1_MAC_LENGTH;
      if (end < bodyAt + FIXED_BODY + 1) {
        throw new WireException(DropReason.TRUNCATED, "handshake message 1 of " + datagram.length() + " bytes");
      }
    }
    int noiseLength = end - bodyAt - FIXED_BODY;
    if (noiseLength > MAX_NOISE_MESSAGE) {
      throw new WireException(DropReason.OVERSIZED, "handshake message of " + noiseLength + " bytes");
    }
    byte[] noise = datagram.getBytes(bodyAt + FIXED_BODY, end);
    if (number != 1) {
      return new Message(number, datagram.getInt(bodyAt + 1), noise, null, null);
    }
    return new Message(number, datagram.getInt(bodyAt + 1), noise, datagram.getBytes(0, end),
      datagram.getBytes(end, datagram.length()));
  }
}
