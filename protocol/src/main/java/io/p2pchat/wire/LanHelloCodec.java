package io.p2pchat.wire;

import io.p2pchat.crypto.Keys;
import io.p2pchat.crypto.LanHello;
import io.vertx.core.buffer.Buffer;

import javax.crypto.AEADBadTagException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.util.Arrays;

/**
 * The LAN hello packet ({@link PacketType#LAN_HELLO}), sealed with {@link LanHello}'s key:
 * <pre>
 *  0      16                       48                                            n
 *  +------+------------------------+---------------------------------------------+
 *  |header| sender static key (32) | seal(u8 len | nick | u8 len | instance) +16 |
 *  +------+------------------------+---------------------------------------------+
 *  header: PacketCodec's, type LAN_HELLO, session id 0, counter = the nonce (random per hello)
 *  AAD:    header | sender static key | recipient static key
 * </pre>
 * It carries what the mDNS announcement must not show the LAN (the nick), readable only by the node
 * whose static key it was sealed to, in the same room.
 */
public final class LanHelloCodec {

  /** What an opened hello says. */
  public record Hello(byte[] senderStatic, String nick, String instance) {
  }

  /** Longest nick or instance field: one length byte. */
  private static final int MAX_FIELD = 255;
  private static final int KEY_AT = PacketCodec.HEADER_SIZE;
  private static final int SEALED_AT = KEY_AT + Keys.KEY_LENGTH;
  /** Shortest hello: header, key, two empty fields, tag. */
  public static final int MIN_LENGTH = SEALED_AT + 2 + LanHello.TAG_LENGTH;

  private LanHelloCodec() {
  }

  /** Our {@code nick} and {@code instance}, sealed to the holder of {@code recipientStatic}. */
  public static Buffer encode(LanHello keys, byte[] recipientStatic, String nick, String instance, long nonce)
    throws InvalidKeyException {
    byte[] nickBytes = nick.getBytes(StandardCharsets.UTF_8);
    byte[] instBytes = instance.getBytes(StandardCharsets.UTF_8);
    if (nickBytes.length > MAX_FIELD || instBytes.length > MAX_FIELD) {
      throw new IllegalArgumentException("nick or instance longer than " + MAX_FIELD + " bytes");
    }
    byte[] plain = ByteBuffer.allocate(2 + nickBytes.length + instBytes.length)
      .put((byte) nickBytes.length).put(nickBytes).put((byte) instBytes.length).put(instBytes).array();
    byte[] head = new byte[SEALED_AT];
    PacketCodec.writeHeader(head, PacketType.LAN_HELLO, 0, nonce);
    byte[] ours = keys.staticPublicKey();
    System.arraycopy(ours, 0, head, KEY_AT, Keys.KEY_LENGTH);
    byte[] sealed = keys.seal(recipientStatic, nonce, aad(head, recipientStatic), plain);
    return Buffer.buffer(head.length + sealed.length).appendBytes(head).appendBytes(sealed);
  }

  /** Opens a hello sealed to us; a short, forged, other-room or malformed one is a {@link WireException}. */
  public static Hello decode(LanHello keys, Buffer packet) throws WireException {
    if (packet.length() < MIN_LENGTH) {
      throw new WireException(DropReason.TRUNCATED, "LAN hello of " + packet.length() + " bytes");
    }
    if (packet.length() > PacketCodec.MAX_DATAGRAM) {
      throw new WireException(DropReason.OVERSIZED, "LAN hello of " + packet.length() + " bytes");
    }
    byte[] bytes = packet.getBytes();
    byte[] head = Arrays.copyOfRange(bytes, 0, SEALED_AT);
    byte[] sender = Arrays.copyOfRange(bytes, KEY_AT, SEALED_AT);
    long nonce = packet.getLong(PacketCodec.HEADER_SIZE - Long.BYTES);
    byte[] plain;
    try {
      plain = keys.open(sender, nonce, aad(head, keys.staticPublicKey()),
        Arrays.copyOfRange(bytes, SEALED_AT, bytes.length));
    } catch (InvalidKeyException | AEADBadTagException e) {
      throw new WireException(DropReason.UNAUTHENTICATED, "LAN hello not sealed to us in this room");
    }
    int nickLen = plain[0] & 0xff;
    if (1 + nickLen >= plain.length || 2 + nickLen + (plain[1 + nickLen] & 0xff) > plain.length) {
      throw new WireException(DropReason.MALFORMED, "LAN hello fields past its end");
    }
    return new Hello(sender, new String(plain, 1, nickLen, StandardCharsets.UTF_8),
      new String(plain, 2 + nickLen, plain[1 + nickLen] & 0xff, StandardCharsets.UTF_8));
  }

  private static byte[] aad(byte[] head, byte[] recipientStatic) {
    byte[] aad = Arrays.copyOf(head, head.length + recipientStatic.length);
    System.arraycopy(recipientStatic, 0, aad, head.length, recipientStatic.length);
    return aad;
  }
}
