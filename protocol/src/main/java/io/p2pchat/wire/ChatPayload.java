package io.p2pchat.wire;


import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The bytes of one chat message as carried by the reliable stream:
 * {@code kind u8 | ts i64 | idLen u8 | id (ASCII) | text (UTF-8, to the end)}.
 *
 * @param direct true for a message to one peer, false for the room
 * @param ts sender's clock, ms since the epoch
 * @param id the sender's message id
 * @param text what the user wrote
 */
public record ChatPayload(boolean direct, long ts, String id, String text) {

  /** Longest text a message may carry, in UTF-8 bytes: 64 KiB less our own fields. */
  public static final int MAX_TEXT_BYTES = 64 * 1024 - 300;
  /**
   * Longest message id, in characters: ours are at most 33 (12 hex digits of a run prefix, '-', a
   * counter); anything longer is not one of ours. Front ends key a peer's messages by sender and id,
   * and an id is shown in logs: it is checked on the way in, not trusted.
   */
  public static final int MAX_ID = 64;
  /** The first byte of a room message. */
  static final byte KIND_ROOM = 0;
  /** The first byte of a direct message (to one peer). */
  static final byte KIND_DIRECT = 1;

  /** True when {@code encoded} (a payload as {@link #encode} made it) is a room message; read without decoding it. */
  public static boolean isRoom(byte[] encoded) {
    return encoded.length > 0 && encoded[0] == KIND_ROOM;
  }

  public byte[] encode() {
    return encode(direct, ts, id, text, utf8UnlessAscii(text));
  }

  /**
   * The one choice between the two encodings of a text: null when {@code text} is all ASCII (its UTF-8 is its
   * chars, one byte each, written from them by {@link #encodeAscii}: no array in between, ~120 B less garbage per
   * 100-byte message), else its UTF-8. A sender that measures its texts before it encodes them (ChatVerticle:
   * every text of a batch is checked before any is sent) keeps this for {@link #utf8Length} and
   * {@link #encode(boolean, long, String, String, byte[])}.
   */
  public static byte[] utf8UnlessAscii(String text) {
    return isAscii(text) ? null : text.getBytes(StandardCharsets.UTF_8);
  }

  /** {@code text}'s length in UTF-8 bytes, given its {@link #utf8UnlessAscii} {@code utf8OrNull}. */
  public static int utf8Length(String text, byte[] utf8OrNull) {
    return utf8OrNull == null ? text.length() : utf8OrNull.length;
  }

  /** The same bytes as {@link #encode()}, from {@code text} and its {@link #utf8UnlessAscii} {@code utf8OrNull}. */
  public static byte[] encode(boolean direct, long ts, String id, String text, byte[] utf8OrNull) {
    return utf8OrNull == null ? encodeAscii(direct, ts, id, text) : encode(direct, ts, id, utf8OrNull);
  }

  /** Bytes before the id: kind u8, ts i64, idLen u8. */
  private static final int HEADER_BYTES = 1 + 8 + 1;

  /**
   * The same bytes as {@link #encode()}, for a caller that already has the text in UTF-8. Written straight into
   * the one array returned (every message sent goes through here: no id array, no {@code ByteBuffer}).
   */
  public static byte[] encode(boolean direct, long ts, String id, byte[] utf8Text) {
    String wireId = wireId(id);
    byte[] out = new byte[HEADER_BYTES + wireId.length() + utf8Text.length];
    int textAt = writeHeader(out, direct, ts, wireId);
    System.arraycopy(utf8Text, 0, out, textAt, utf8Text.length);
    return out;
  }

  /**
   * The same bytes as {@link #encode()} for a text that is all ASCII ({@link #isAscii(String)}: its UTF-8 is its
   * chars, one byte each), written from the text itself: no UTF-8 array in between, ~120 B less garbage per
   * 100-byte message sent.
   *
   * @throws IllegalArgumentException when {@code asciiText} has a char above 0x7F
   */
  public static byte[] encodeAscii(boolean direct, long ts, String id, String asciiText) {
    String wireId = wireId(id);
    int length = asciiText.length();
    byte[] out = new byte[HEADER_BYTES + wireId.length() + length];
    int textAt = writeHeader(out, direct, ts, wireId);
    for (int i = 0; i < length; i++) {
      char c = asciiText.charAt(i);
      if (c >= 0x80) {
        throw new IllegalArgumentException("BUG: text not ASCII at " + i);
      }
      out[textAt + i] = (byte) c;
    }
    return out;
  }

  /** True when every char of {@code s} is ASCII: its UTF-8 is one byte a char, {@code s.length()} bytes. */
  public static boolean isAscii(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) >= 0x80) {
        return false;
      }
    }
    return true;
  }

  /** The id as it goes on the wire: ASCII ('?' for any other char), at most {@link #MAX_ID} long. */
  private static String wireId(String id) {
    if (id.length() <= MAX_ID && isAscii(id)) {
      return id;
    }
    byte[] idBytes = id.getBytes(StandardCharsets.US_ASCII);
    if (idBytes.length > MAX_ID) {
      throw new IllegalArgumentException("id longer than " + MAX_ID);
    }
    return new String(idBytes, StandardCharsets.US_ASCII); // what the encoder makes of it: '?' for the rest
  }

  /** Kind, ts, idLen and the id into {@code out}; returns where the text starts. */
  private static int writeHeader(byte[] out, boolean direct, long ts, String wireId) {
    int idLen = wireId.length();
    out[0] = direct ? KIND_DIRECT : KIND_ROOM;
    for (int i = 0; i < 8; i++) {
      out[1 + i] = (byte) (ts >>> (56 - 8 * i)); // big-endian
    }
    out[9] = (byte) idLen;
    for (int i = 0; i < idLen; i++) {
      out[HEADER_BYTES + i] = (byte) wireId.charAt(i);
    }
    return HEADER_BYTES + idLen;
  }

  /** Read by index: every message received goes through here, and an ASCII one makes only its strings. */
  public static ChatPayload decode(byte[] bytes) throws WireException {
    if (bytes.length < HEADER_BYTES) {
      throw new WireException(DropReason.TRUNCATED, "chat payload of " + bytes.length + " bytes");
    }
    int kind = bytes[0];
    if (kind != KIND_ROOM && kind != KIND_DIRECT) {
      throw new WireException(DropReason.MALFORMED, "chat kind " + kind);
    }
    long ts = 0;
    for (int i = 1; i <= 8; i++) {
      ts = (ts << 8) | (bytes[i] & 0xFF); // big-endian
    }
    int idLen = bytes[9] & 0xFF;
    if (bytes.length - HEADER_BYTES < idLen) {
      throw new WireException(DropReason.TRUNCATED, "chat id of " + idLen + " bytes");
    }
    if (idLen == 0 || idLen > MAX_ID || !isIdChars(bytes, HEADER_BYTES, idLen)) {
      throw new WireException(DropReason.MALFORMED, "chat id of " + idLen + " bytes: 1 to " + MAX_ID
        + " letters, digits, '-', '_' or '.'");
    }
    String id = new String(bytes, HEADER_BYTES, idLen, StandardCharsets.US_ASCII);
    int textAt = HEADER_BYTES + idLen;
    if (isAscii(bytes, textAt)) {
      // Most chat text: ASCII is valid UTF-8, no decoder needed.
      return new ChatPayload(kind == KIND_DIRECT, ts, id, new String(bytes, textAt, bytes.length - textAt, StandardCharsets.US_ASCII));
    }
    try {
      String text = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT)
        .decode(ByteBuffer.wrap(bytes, textAt, bytes.length - textAt)).toString();
      return new ChatPayload(kind == KIND_DIRECT, ts, id, text);
    } catch (CharacterCodingException e) {
      throw new WireException(DropReason.MALFORMED, "text is not UTF-8");
    }
  }

  /** Every byte of {@code [offset, offset + length)} a letter, digit, '-', '_' or '.'. */
  private static boolean isIdChars(byte[] bytes, int offset, int length) {
    for (int i = offset; i < offset + length; i++) {
      byte b = bytes[i];
      boolean ok = (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9') || b == '-' || b == '_'
        || b == '.';
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  private static boolean isAscii(byte[] bytes, int from) {
    for (int i = from; i < bytes.length; i++) {
      if (bytes[i] < 0) {
        return false;
      }
    }
    return true;
  }
}
