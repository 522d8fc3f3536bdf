package io.p2pchat.control;

import io.p2pchat.crypto.AddressCookie;
import io.p2pchat.crypto.CipherSuite;
import io.p2pchat.crypto.Keys;
import io.p2pchat.wire.PacketCodec;
import java.nio.ByteBuffer;

/**
 * Byte layout of the control channel (docs/PROTOCOL.md, "Sealed control"). Every datagram starts with
 * a 4-byte header whose first byte, {@link #MAGIC} 0xD8, sets it apart from every other datagram kind
 * before any parser runs: not 0xD7 (p2pchat packets), not an ASCII letter (plain-text commands), top
 * two bits set (never STUN, whose first byte is 0x00 or 0x01). Big-endian:
 * <pre>
 *   header      magic 0xD8 | type u8 | version u8 (1) | reserved u8 (0)                          4
 *   HELLO      (1) header | nonce [16] | padding to 68 bytes in all (zeros, ignored)            >= 68
 *   COOKIE     (2) header | nonce [16] | cookie [16] | server static key [32]                      68
 *   INITIATION (3) header | nonce [16] | cookie [16] | sender index u32 | Noise IK message 1     241
 *   RESPONSE   (4) header | receiver index u32 | sender index u32 | Noise IK message 2           60
 *   SEALED     (5) header | receiver index u32 | counter u64 | AEAD(control message) + tag [16] >= 32
 *   RESET      (6) header | server index u32 | reset token [16]                                    24
 *   RESUME     (7) header | client nonce [16] | sender index u32 | ticket [137]
 *                  | AEAD(timestamp u64 | zeros [12]) + tag [16]                                  197
 *   RESUMED    (8) header | receiver index u32 | sender index u32 | server nonce [16]
 *                  | AEAD(reset token [16] | fresh ticket [137]) + tag [16]                       197
 * </pre>
 * RESUME and RESUMED resume a session from a {@link ResumptionTicket} without public-key work
 * ({@link Resumption}); the RESUME's 12 zero bytes make it exactly as large as the RESUMED that answers
 * it, which goes to an unvalidated source.
 * A RESET answers a SEALED datagram (at least 32 bytes) for a session the server does not have: it is
 * smaller than what it answers ({@link ResetTokens}).
 * The sizes are chosen for the 3x rule: the server's only answer to a source it has not validated is a
 * COOKIE of 68 bytes, and it answers only a HELLO of at least 68 bytes or an INITIATION (at least 136):
 * never more bytes than it received. SEALED's first 16 bytes are its associated data. Parsers refuse a
 * short datagram and one over {@link #MAX_DATAGRAM}; COOKIE may carry trailing bytes (ignored, for later
 * versions); the Noise messages and the ciphertext run to the end. Pure: no state, no Vert.x context.
 */
public final class ControlCodec {
  /** Byte 0 of every control-channel datagram (see the class comment for why it collides with nothing). */
  public static final byte MAGIC = (byte) 0xD8;
  /** Byte 2: the control channel's version. */
  public static final byte VERSION = 1;
  /** magic, type, version, reserved. */
  public static final int HEADER_SIZE = 4;
  /** A random value the client picks per HELLO/INITIATION; the COOKIE echoes it (off-path forgeries miss it). */
  public static final int NONCE_SIZE = 16;
  /** The same budget as every other datagram (PacketCodec.MAX_DATAGRAM: what every path carries). */
  public static final int MAX_DATAGRAM = PacketCodec.MAX_DATAGRAM;
  /** COOKIE: header + nonce + cookie + key. */
  public static final int COOKIE_SIZE = HEADER_SIZE + NONCE_SIZE + AddressCookie.LENGTH + Keys.KEY_LENGTH;
  /** A HELLO is padded to the size of the COOKIE it earns: the answer is never larger than the request. */
  public static final int HELLO_SIZE = COOKIE_SIZE;
  /** INITIATION's bytes before the Noise message. */
  static final int INITIATION_FIXED = HEADER_SIZE + NONCE_SIZE + AddressCookie.LENGTH + Integer.BYTES;
  /** The shortest IK message 1: ephemeral key, encrypted static key, an empty encrypted payload. */
  static final int MIN_NOISE_1 = Keys.KEY_LENGTH + Keys.KEY_LENGTH + CipherSuite.TAG_LENGTH + CipherSuite.TAG_LENGTH;
  /** RESPONSE's bytes before the Noise message. */
  static final int RESPONSE_FIXED = HEADER_SIZE + Integer.BYTES + Integer.BYTES;
  /** The shortest IK message 2: ephemeral key and an empty encrypted payload. */
  static final int MIN_NOISE_2 = Keys.KEY_LENGTH + CipherSuite.TAG_LENGTH;
  /** SEALED's header, the associated data of its AEAD: header + receiver index + counter. */
  public static final int SEALED_HEADER_SIZE = HEADER_SIZE + Integer.BYTES + Long.BYTES;
  /** RESET: header + server index + token. */
  public static final int RESET_SIZE = HEADER_SIZE + Integer.BYTES + ResetTokens.LENGTH;
  /** RESUME's bytes before its AEAD part (its associated data). */
  static final int RESUME_FIXED = HEADER_SIZE + Resumption.NONCE_SIZE + Integer.BYTES + ResumptionTicket.LENGTH;
  /** RESUME's sealed timestamp and the zeros that pad the RESUME to its answer's size. */
  static final int RESUME_PLAIN = Long.BYTES + 12;
  /** A RESUME. */
  public static final int RESUME_SIZE = RESUME_FIXED + RESUME_PLAIN + CipherSuite.TAG_LENGTH;
  /** RESUMED's bytes before its AEAD part (its associated data). */
  static final int RESUMED_FIXED = HEADER_SIZE + Integer.BYTES + Integer.BYTES + Resumption.NONCE_SIZE;
  /** RESUMED's sealed payload: the new session's reset token and a fresh ticket. */
  static final int RESUMED_PLAIN = ResetTokens.LENGTH + ResumptionTicket.LENGTH;
  /** A RESUMED: never larger than the RESUME it answers. */
  public static final int RESUMED_SIZE = RESUMED_FIXED + RESUMED_PLAIN + CipherSuite.TAG_LENGTH;
  /** The longest control message a SEALED datagram carries: 1200 - 16 - 16 = 1168 bytes. */
  public static final int MAX_PLAINTEXT = MAX_DATAGRAM - SEALED_HEADER_SIZE - CipherSuite.TAG_LENGTH;

  /**
   * The Noise prologue of the control handshake: protocol name and version, so a handshake can never be
   * confused with another protocol's or another version's (both sides hash it before message 1).
   */
  public static final byte[] PROLOGUE = "p2pchat-control/1".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

  /**
   * The cipher suite of the control channel, on every client and server whatever a node's {@code cipher}
   * says: the handshake carries no suite byte, so both ends must agree in advance. AES-256-GCM, the
   * default suite of peer sessions (hardware AES on every platform the JVM runs on).
   */
  public static final CipherSuite SUITE = CipherSuite.AES_GCM;

  /** Byte 1: the message type. */
  public enum Type {
    HELLO(1), COOKIE(2), INITIATION(3), RESPONSE(4), SEALED(5), RESET(6), RESUME(7), RESUMED(8);

    private final int code;

    Type(int code) {
      this.code = code;
    }

    /** The type byte. */
    public int code() {
      return code;
    }

    static Type of(int code) {
      for (Type t : values()) {
        if (t.code == code) {
          return t;
        }
      }
      return null;
    }
  }

  private ControlCodec() {
  }

  /** True if {@code datagram} starts with the control channel's magic: hand it to the control channel. */
  public static boolean isControl(byte[] datagram, int length) {
    return length > 0 && datagram[0] == MAGIC;
  }

  /** A HELLO padded to {@link #HELLO_SIZE}. */
  public static byte[] hello(byte[] nonce) {
    return header(HELLO_SIZE, Type.HELLO).put(check(nonce, NONCE_SIZE, "nonce")).array();
  }

  /** A COOKIE reply. */
  public static byte[] cookie(byte[] nonce, byte[] cookie, byte[] serverKey) {
    return header(COOKIE_SIZE, Type.COOKIE).put(check(nonce, NONCE_SIZE, "nonce"))
        .put(check(cookie, AddressCookie.LENGTH, "cookie")).put(check(serverKey, Keys.KEY_LENGTH, "key")).array();
  }

  /** An INITIATION. */
  public static byte[] initiation(byte[] nonce, byte[] cookie, int senderIndex, byte[] noise) {
    return header(INITIATION_FIXED + noise.length, Type.INITIATION).put(check(nonce, NONCE_SIZE, "nonce"))
        .put(check(cookie, AddressCookie.LENGTH, "cookie")).putInt(senderIndex).put(noise).array();
  }

  /** A RESPONSE. */
  public static byte[] response(int receiverIndex, int senderIndex, byte[] noise) {
    return header(RESPONSE_FIXED + noise.length, Type.RESPONSE).putInt(receiverIndex).putInt(senderIndex).put(noise)
        .array();
  }

  /** A RESET for the server session {@code serverIndex}. */
  public static byte[] reset(int serverIndex, byte[] token) {
    return header(RESET_SIZE, Type.RESET).putInt(serverIndex).put(check(token, ResetTokens.LENGTH, "token")).array();
  }

  /** A RESUME's bytes before its sealed part: the associated data of {@code sealedRequest}. */
  static byte[] resumeHead(byte[] clientNonce, int senderIndex, byte[] ticket) {
    return header(RESUME_FIXED, Type.RESUME).put(check(clientNonce, Resumption.NONCE_SIZE, "nonce")).putInt(senderIndex)
        .put(check(ticket, ResumptionTicket.LENGTH, "ticket")).array();
  }

  /** A RESUME: {@link #resumeHead} and the sealed request. */
  static byte[] resume(byte[] head, byte[] sealedRequest) {
    return ByteBuffer.allocate(RESUME_SIZE).put(check(head, RESUME_FIXED, "head"))
        .put(check(sealedRequest, RESUME_PLAIN + CipherSuite.TAG_LENGTH, "request")).array();
  }

  /** A RESUMED's bytes before its sealed part: the associated data of {@code sealedAnswer}. */
  static byte[] resumedHead(int receiverIndex, int senderIndex, byte[] serverNonce) {
    return header(RESUMED_FIXED, Type.RESUMED).putInt(receiverIndex).putInt(senderIndex)
        .put(check(serverNonce, Resumption.NONCE_SIZE, "nonce")).array();
  }

  /** A RESUMED: {@link #resumedHead} and the sealed answer. */
  static byte[] resumed(byte[] head, byte[] sealedAnswer) {
    return ByteBuffer.allocate(RESUMED_SIZE).put(check(head, RESUMED_FIXED, "head"))
        .put(check(sealedAnswer, RESUMED_PLAIN + CipherSuite.TAG_LENGTH, "answer")).array();
  }

  /** A SEALED datagram's header, with room for {@code plaintextLength} + tag after it. */
  static byte[] sealedFrame(int receiverIndex, long counter, int plaintextLength) {
    if (plaintextLength > MAX_PLAINTEXT) {
      throw new IllegalArgumentException("control message of " + plaintextLength + " bytes, max " + MAX_PLAINTEXT);
    }
    return header(SEALED_HEADER_SIZE + plaintextLength + CipherSuite.TAG_LENGTH, Type.SEALED)
        .putInt(receiverIndex).putLong(counter).array();
  }

  /**
   * Parses any control-channel datagram. Throws {@link ControlException} (never anything else) for a
   * datagram that is short, oversized, of another version or type, or has its reserved byte set.
   */
  public static ControlMessage decode(byte[] datagram) throws ControlException {
    int length = datagram.length;
    if (length > MAX_DATAGRAM) {
      throw new ControlException(ControlDrop.OVERSIZED, "control datagram of " + length + " bytes");
    }
    if (length < HEADER_SIZE) {
      throw new ControlException(ControlDrop.TRUNCATED, "control header of " + length + " bytes");
    }
    if (datagram[0] != MAGIC) {
      throw new ControlException(ControlDrop.UNKNOWN_TYPE, "not a control datagram");
    }
    if (datagram[2] != VERSION) {
      throw new ControlException(ControlDrop.BAD_VERSION, "control version " + (datagram[2] & 0xFF));
    }
    if (datagram[3] != 0) {
      throw new ControlException(ControlDrop.MALFORMED, "reserved byte " + (datagram[3] & 0xFF));
    }
    Type type = Type.of(datagram[1] & 0xFF);
    if (type == null) {
      throw new ControlException(ControlDrop.UNKNOWN_TYPE, "control type " + (datagram[1] & 0xFF));
    }
    ByteBuffer in = ByteBuffer.wrap(datagram, HEADER_SIZE, length - HEADER_SIZE);
    return switch (type) {
      case HELLO -> {
        need(length, HELLO_SIZE, type);
        yield new ControlMessage.Hello(take(in, NONCE_SIZE));
      }
      case COOKIE -> {
        need(length, COOKIE_SIZE, type);
        yield new ControlMessage.CookieReply(take(in, NONCE_SIZE), take(in, AddressCookie.LENGTH),
            take(in, Keys.KEY_LENGTH));
      }
      case INITIATION -> {
        need(length, INITIATION_FIXED + MIN_NOISE_1, type);
        yield new ControlMessage.Initiation(take(in, NONCE_SIZE), take(in, AddressCookie.LENGTH), in.getInt(),
            take(in, in.remaining()));
      }
      case RESPONSE -> {
        need(length, RESPONSE_FIXED + MIN_NOISE_2, type);
        yield new ControlMessage.Response(in.getInt(), in.getInt(), take(in, in.remaining()));
      }
      case SEALED -> {
        need(length, SEALED_HEADER_SIZE + CipherSuite.TAG_LENGTH, type);
        yield new ControlMessage.Sealed(in.getInt(), in.getLong());
      }
      case RESET -> {
        need(length, RESET_SIZE, type);
        yield new ControlMessage.Reset(in.getInt(), take(in, ResetTokens.LENGTH));
      }
      case RESUME -> {
        exactly(length, RESUME_SIZE, type);
        yield new ControlMessage.Resume(take(in, Resumption.NONCE_SIZE), in.getInt(), take(in, ResumptionTicket.LENGTH),
            java.util.Arrays.copyOf(datagram, RESUME_FIXED), take(in, in.remaining()));
      }
      case RESUMED -> {
        exactly(length, RESUMED_SIZE, type);
        yield new ControlMessage.Resumed(in.getInt(), in.getInt(), take(in, Resumption.NONCE_SIZE),
            java.util.Arrays.copyOf(datagram, RESUMED_FIXED), take(in, in.remaining()));
      }
    };
  }

  private static ByteBuffer header(int size, Type type) {
    if (size > MAX_DATAGRAM) {
      throw new IllegalArgumentException("control datagram of " + size + " bytes, max " + MAX_DATAGRAM);
    }
    return ByteBuffer.allocate(size).put(MAGIC).put((byte) type.code()).put(VERSION).put((byte) 0);
  }

  private static void need(int length, int min, Type type) throws ControlException {
    if (length < min) {
      throw new ControlException(ControlDrop.TRUNCATED, type + " of " + length + " bytes, needs " + min);
    }
  }

  private static void exactly(int length, int size, Type type) throws ControlException {
    need(length, size, type);
    if (length != size) {
      throw new ControlException(ControlDrop.MALFORMED, type + " of " + length + " bytes, not " + size);
    }
  }

  private static byte[] take(ByteBuffer in, int n) {
    byte[] out = new byte[n];
    in.get(out);
    return out;
  }

  private static byte[] check(byte[] value, int size, String what) {
    if (value == null || value.length != size) {
      throw new IllegalArgumentException(what + " must be " + size + " bytes");
    }
    return value;
  }

  /** A one-line summary for logs: type and sizes, never keys, cookies or ciphertext. */
  public static String summary(byte[] datagram) {
    try {
      ControlMessage m = decode(datagram);
      return m.type() + " (" + datagram.length + " bytes)";
    } catch (ControlException e) {
      return "control datagram of " + datagram.length + " bytes refused: " + e.drop().label();
    }
  }
}
