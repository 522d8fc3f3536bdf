package io.p2pchat.mailbox;

import io.p2pchat.crypto.MailboxSeal;
import io.p2pchat.wire.ChatPayload;
import io.p2pchat.wire.DropReason;
import io.p2pchat.wire.WireException;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * What a mailbox envelope ({@link MailboxSeal}) carries, once opened: a chat message or a delivery receipt.
 * <pre>
 * kind u8 (1 chat, 2 receipt) | from: u8 length, UTF-8 (the sender's nick) | id: u8 length, ASCII
 *   | room: u8 length, UTF-8 (empty: direct) | ts i64
 *   | counter u64 (the sender's per-recipient mailbox counter)
 *   | chat: text, UTF-8, to the end
 *   | receipt: count u8 | count × (u8 length, ASCII id)
 * </pre>
 * Trailing bytes after a receipt's ids are ignored (forward compatibility); a short or contradicting record
 * throws {@link WireException}. {@code from} is the nick the sender claims: the recipient checks it against
 * {@code known_peers} with the identity key the envelope authenticated, as a live session's handshake does. A receipt's {@code id} is its own id (the receipts' sender names it) and
 * its {@code room} names the conversation the confirmed ids belong to.
 *
 * @param kind    chat line or receipt
 * @param from    the sender's nick
 * @param id      the sender's message id (for a receipt: the receipt's own)
 * @param room    the room's name for a room message, "" for a direct one
 * @param ts      the sender's clock, ms since the epoch
 * @param counter the sender's counter, increasing with every envelope it seals (so also per recipient): the recipient
 *                shows one sender's messages in its order ({@code punch.MailOrder})
 * @param text    the text of a chat line, "" for a receipt
 * @param ids     the message ids a receipt confirms, empty for a chat line
 */
public record MailPlaintext(Kind kind, String from, String id, String room, long ts, long counter, String text, List<String> ids) {

  /** The kind byte. */
  public enum Kind {
    CHAT(1), RECEIPT(2);

    final int code;

    Kind(int code) {
      this.code = code;
    }
  }

  /** Longest room name, in UTF-8 bytes: a node's room names are nicks' length (64) at most. */
  public static final int MAX_ROOM_BYTES = 64;
  /**
   * Ids one receipt confirms: a pick-up window is 32 {@code mail}s, so one receipt per window per sender at
   * most, and the 2 × 32 leaves room for a window's worth of ids carried over from the last one.
   */
  public static final int MAX_RECEIPT_IDS = 64;
  /** Longest nick, in UTF-8 bytes ({@code HandshakePayload.MAX_NICK_BYTES}). */
  public static final int MAX_NICK_BYTES = 64;
  /** Fixed bytes: kind, from length, id length, room length, ts, counter. */
  static final int FIXED = 1 + 1 + 1 + 1 + Long.BYTES + Long.BYTES;
  /**
   * Longest text a chat plaintext may carry with an id and room at their longest: an envelope's plaintext
   * less the fields. {@link ChatPayload#MAX_TEXT_BYTES} is larger; such a text is not queued.
   */
  public static final int MAX_TEXT_BYTES = MailboxSeal.MAX_PLAINTEXT - FIXED - MAX_NICK_BYTES - ChatPayload.MAX_ID
    - MAX_ROOM_BYTES;

  public MailPlaintext {
    if (kind == null || from == null || id == null || room == null || text == null || ids == null) {
      throw new IllegalArgumentException("every field is required");
    }
    ids = List.copyOf(ids);
  }

  /** A chat line for one recipient. */
  public static MailPlaintext chat(String from, String id, String room, long ts, long counter, String text) {
    return new MailPlaintext(Kind.CHAT, from, id, room, ts, counter, text, List.of());
  }

  /** A receipt confirming {@code ids} of the conversation {@code room} ("" for direct). */
  public static MailPlaintext receipt(String from, String id, String room, long ts, long counter, List<String> ids) {
    return new MailPlaintext(Kind.RECEIPT, from, id, room, ts, counter, "", ids);
  }

  /** True for a direct message (no room). */
  public boolean direct() {
    return room.isEmpty();
  }

  /** The bytes to seal. @throws IllegalArgumentException for a field over its bound */
  public byte[] encode() {
    byte[] idBytes = ascii(id);
    byte[] fromBytes = from.getBytes(StandardCharsets.UTF_8);
    if (fromBytes.length == 0 || fromBytes.length > MAX_NICK_BYTES) {
      throw new IllegalArgumentException("nick of " + fromBytes.length + " bytes, not 1.." + MAX_NICK_BYTES);
    }
    byte[] roomBytes = room.getBytes(StandardCharsets.UTF_8);
    if (roomBytes.length > MAX_ROOM_BYTES) {
      throw new IllegalArgumentException("room name longer than " + MAX_ROOM_BYTES + " bytes");
    }
    byte[] body;
    if (kind == Kind.CHAT) {
      body = text.getBytes(StandardCharsets.UTF_8);
      if (body.length > MAX_TEXT_BYTES) {
        throw new IllegalArgumentException("text of " + body.length + " bytes; the mailbox takes " + MAX_TEXT_BYTES);
      }
    } else {
      if (ids.size() > MAX_RECEIPT_IDS) {
        throw new IllegalArgumentException("a receipt confirms at most " + MAX_RECEIPT_IDS + " ids");
      }
      ByteBuffer b = ByteBuffer.allocate(1 + ids.size() * (1 + ChatPayload.MAX_ID));
      b.put((byte) ids.size());
      for (String confirmed : ids) {
        byte[] c = ascii(confirmed);
        b.put((byte) c.length).put(c);
      }
      body = java.util.Arrays.copyOf(b.array(), b.position());
    }
    return ByteBuffer.allocate(FIXED + fromBytes.length + idBytes.length + roomBytes.length + body.length)
      .put((byte) kind.code)
      .put((byte) fromBytes.length).put(fromBytes)
      .put((byte) idBytes.length).put(idBytes)
      .put((byte) roomBytes.length).put(roomBytes)
      .putLong(ts).putLong(counter)
      .put(body)
      .array();
  }

  /** Parses an opened envelope's plaintext. */
  public static MailPlaintext decode(byte[] bytes) throws WireException {
    ByteBuffer in = ByteBuffer.wrap(bytes);
    Kind kind = switch (u8(in)) {
      case 1 -> Kind.CHAT;
      case 2 -> Kind.RECEIPT;
      default -> throw new WireException(DropReason.UNKNOWN_TYPE, "mail kind " + Byte.toUnsignedInt(bytes[0]));
    };
    int fromLength = u8(in);
    if (fromLength == 0 || fromLength > MAX_NICK_BYTES) {
      throw new WireException(DropReason.MALFORMED, "nick of " + fromLength + " bytes");
    }
    String from = utf8(take(in, fromLength));
    String id = id(in);
    int roomLength = u8(in);
    if (roomLength > MAX_ROOM_BYTES) {
      throw new WireException(DropReason.MALFORMED, "room of " + roomLength + " bytes");
    }
    String room = utf8(take(in, roomLength));
    if (in.remaining() < 2 * Long.BYTES) {
      throw new WireException(DropReason.TRUNCATED, "mail plaintext cut before its counter");
    }
    long ts = in.getLong();
    long counter = in.getLong();
    if (kind == Kind.CHAT) {
      return chat(from, id, room, ts, counter, utf8(take(in, in.remaining())));
    }
    int count = u8(in);
    if (count > MAX_RECEIPT_IDS) {
      throw new WireException(DropReason.MALFORMED, "receipt of " + count + " ids");
    }
    List<String> ids = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      ids.add(id(in));
    }
    return receipt(from, id, room, ts, counter, ids);
  }

  private static byte[] ascii(String id) {
    byte[] b = id.getBytes(StandardCharsets.US_ASCII);
    if (b.length == 0 || b.length > ChatPayload.MAX_ID) {
      throw new IllegalArgumentException("id of " + b.length + " bytes, not 1.." + ChatPayload.MAX_ID);
    }
    return b;
  }

  private static String id(ByteBuffer in) throws WireException {
    int length = u8(in);
    if (length == 0 || length > ChatPayload.MAX_ID) {
      throw new WireException(DropReason.MALFORMED, "id of " + length + " bytes");
    }
    byte[] b = take(in, length);
    for (byte c : b) {
      if (c < 0x21 || c > 0x7e) {
        throw new WireException(DropReason.MALFORMED, "id not printable ASCII");
      }
    }
    return new String(b, StandardCharsets.US_ASCII);
  }

  private static int u8(ByteBuffer in) throws WireException {
    if (!in.hasRemaining()) {
      throw new WireException(DropReason.TRUNCATED, "mail plaintext cut short");
    }
    return Byte.toUnsignedInt(in.get());
  }

  private static byte[] take(ByteBuffer in, int length) throws WireException {
    if (in.remaining() < length) {
      throw new WireException(DropReason.TRUNCATED, "mail plaintext field of " + length + " bytes past the end");
    }
    byte[] b = new byte[length];
    in.get(b);
    return b;
  }

  private static String utf8(byte[] b) throws WireException {
    try {
      return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b)).toString();
    } catch (CharacterCodingException e) {
      throw new WireException(DropReason.MALFORMED, "mail text not UTF-8");
    }
  }
}
