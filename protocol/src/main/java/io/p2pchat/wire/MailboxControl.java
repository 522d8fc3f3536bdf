package io.p2pchat.wire;

import io.p2pchat.crypto.Keys;
import io.p2pchat.crypto.MailboxSeal;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The mailbox's control messages (issue 17; docs/PROTOCOL.md, "Mailbox"): typed, encoded to the CONTROL
 * JSON of the sealed control channel and decoded with every field checked. Each {@link Type} has its
 * {@link ControlType} of the same wire name (so the control codec lets it through); an older peer counts them
 * as unknown. Pure: no state, no time.
 *
 * <p>An envelope travels in parts of at most {@value #PART_BYTES} bytes ({@link #split}), each part one
 * control message, reassembled by {@link io.p2pchat.delivery.EnvelopeAssembler}.
 */
public final class MailboxControl {
  /** The {@code t} of each mailbox message. */
  public enum Type {
    /** Client to server: one part of an envelope for a recipient's mailbox. */
    DEPOSIT("deposit"),
    /** Server to client: a part arrived; with {@code seq} once the whole envelope is stored. */
    DEPOSITED("deposited"),
    /** Server to client: a deposit was not stored, and why. */
    REFUSED("refused"),
    /** Server to client: one part of a message waiting in the client's mailbox. */
    MAIL("mail"),
    /** Client to server: these messages are recorded: delete them. */
    MAIL_ACK("mail-ack"),
    /** Server to client: a deposit of the client's expired unread. */
    EXPIRED("expired"),
    /** Client to server: these expiry notices were seen: forget them. */
    NOTICE_ACK("notice-ack");

    private final String wireName;

    Type(String wireName) {
      this.wireName = wireName;
    }

    public String wireName() {
      return wireName;
    }

    /** The type named {@code name}, or null. */
    public static Type of(String name) {
      for (Type t : values()) {
        if (t.wireName.equals(name)) {
          return t;
        }
      }
      return null;
    }
  }

  /**
   * Envelope bytes per part: 896 base64 characters, which leaves about 270 of a sealed control message's
   * 1168 bytes for the other fields at their longest ({@code mail}: a 20-digit seq, a 44-character key, a
   * 13-digit time, part numbers). The 353- and 609-byte envelopes travel in one part.
   */
  public static final int PART_BYTES = 672;
  /** Parts of the largest envelope: ceil(65536 / 672) = 98. */
  public static final int MAX_PARTS = (MailboxSeal.MAX_ENVELOPE + PART_BYTES - 1) / PART_BYTES;
  /** Sequence numbers per acknowledgement: 32 of at most 17 characters each keep it under 600 bytes. */
  public static final int MAX_ACK_IDS = 32;
  /** A deposit id: what {@code io.p2pchat.rendezvous.mailbox.Deposit} accepts. */
  public static final Pattern DEPOSIT_ID = Pattern.compile("[A-Za-z0-9._:@-]{1,64}");
  /** The longest refusal reason: the store's codes are far shorter. */
  static final int MAX_REASON = 32;
  /** A refusal reason: lower-case words and dashes, as the store's {@code Refusal} codes. */
  static final Pattern REASON = Pattern.compile("[a-z-]{1," + MAX_REASON + "}");

  static final String DID = "did";
  static final String TO = "to";
  static final String FROM = "from";
  static final String PART = "part";
  static final String PARTS = "parts";
  static final String ENV = "env";
  static final String SEQ = "seq";
  static final String SEQS = "seqs";
  static final String AT = "at";
  static final String REASON_FIELD = "reason";
  static final String NID = "nid";
  static final String NIDS = "nids";
  static final String EXPIRED_AT = "expiredAt";

  private MailboxControl() {}

  /** Part {@code part} (1-based) of {@code parts} of the envelope {@code did} for the mailbox of {@code to}. */
  public record DepositPart(String did, byte[] to, int part, int parts, byte[] data) {
    public JsonObject toJson() {
      return of(Type.DEPOSIT).put(DID, did).put(TO, Control.base64(to)).put(PART, part).put(PARTS, parts)
          .put(ENV, Control.base64(data));
    }
  }

  /** Part {@code part} of deposit {@code did} arrived; {@code seq} > 0 once the whole envelope is stored. */
  public record Deposited(String did, int part, long seq) {
    public JsonObject toJson() {
      JsonObject json = of(Type.DEPOSITED).put(DID, did).put(PART, part);
      return seq > 0 ? json.put(SEQ, seq) : json;
    }
  }

  /** Deposit {@code did} was not stored: {@code reason} is a store refusal code or {@code not-enabled}. */
  public record Refused(String did, String reason) {
    public JsonObject toJson() {
      return of(Type.REFUSED).put(DID, did).put(REASON_FIELD, reason);
    }
  }

  /** Part {@code part} of {@code parts} of the message {@code seq} deposited by {@code from} at {@code at}. */
  public record MailPart(long seq, byte[] from, long at, int part, int parts, byte[] data) {
    public JsonObject toJson() {
      return of(Type.MAIL).put(SEQ, seq).put(FROM, Control.base64(from)).put(AT, at).put(PART, part)
          .put(PARTS, parts).put(ENV, Control.base64(data));
    }
  }

  /** The client recorded the messages {@code seqs} (or the notices, for {@link Type#NOTICE_ACK}). */
  public record Ack(Type type, List<Long> ids) {
    public Ack {
      if (type != Type.MAIL_ACK && type != Type.NOTICE_ACK) {
        throw new IllegalArgumentException("an ack is mail-ack or notice-ack, not " + type);
      }
      ids = List.copyOf(ids);
    }

    public JsonObject toJson() {
      return of(type).put(type == Type.MAIL_ACK ? SEQS : NIDS, new JsonArray(new ArrayList<Object>(ids)));
    }
  }

  /** The client's deposit {@code did} for {@code to}, made at {@code at}, expired unread at {@code expiredAt}. */
  public record Expired(long nid, String did, byte[] to, long at, long expiredAt) {
    public JsonObject toJson() {
      return of(Type.EXPIRED).put(NID, nid).put(DID, did).put(TO, Control.base64(to)).put(AT, at)
          .put(EXPIRED_AT, expiredAt);
    }
  }

  private static JsonObject of(Type type) {
    return new JsonObject().put(Control.TYPE, type.wireName());
  }

  /** The mailbox type of a control message, or null when it is not one. */
  public static Type type(JsonObject message) {
    Object t = message.getValue(Control.TYPE);
    return t instanceof String s ? Type.of(s) : null;
  }

  /** Splits {@code envelope} into its deposit parts, in order. */
  public static List<DepositPart> split(String did, byte[] to, byte[] envelope) {
    if (envelope.length == 0 || envelope.length > MailboxSeal.MAX_ENVELOPE) {
      throw new IllegalArgumentException("an envelope is 1.." + MailboxSeal.MAX_ENVELOPE + " bytes");
    }
    int parts = (envelope.length + PART_BYTES - 1) / PART_BYTES;
    List<DepositPart> out = new ArrayList<>(parts);
    for (int i = 0; i < parts; i++) {
      out.add(new DepositPart(did, to.clone(), i + 1, parts, Arrays.copyOfRange(envelope, i * PART_BYTES,
          Math.min(envelope.length, (i + 1) * PART_BYTES))));
    }
    return out;
  }

  // ---------------------------------------------------------------- decoding

  public static DepositPart decodeDeposit(JsonObject m) throws WireException {
    int[] part = parts(m);
    return new DepositPart(Control.matching(m, DID, DEPOSIT_ID), Control.bytes(m, TO, Keys.KEY_LENGTH), part[0],
        part[1], data(m));
  }

  public static Deposited decodeDeposited(JsonObject m) throws WireException {
    long seq = m.containsKey(SEQ) ? positive(m, SEQ) : 0;
    return new Deposited(Control.matching(m, DID, DEPOSIT_ID), (int) between(m, PART, 1, MAX_PARTS), seq);
  }

  public static Refused decodeRefused(JsonObject m) throws WireException {
    return new Refused(Control.matching(m, DID, DEPOSIT_ID), Control.matching(m, REASON_FIELD, REASON));
  }

  public static MailPart decodeMail(JsonObject m) throws WireException {
    int[] part = parts(m);
    return new MailPart(positive(m, SEQ), Control.bytes(m, FROM, Keys.KEY_LENGTH), between(m, AT, 0, Long.MAX_VALUE),
        part[0], part[1], data(m));
  }

  public static Ack decodeAck(JsonObject m) throws WireException {
    Type type = type(m);
    if (type != Type.MAIL_ACK && type != Type.NOTICE_ACK) {
      throw new WireException(DropReason.MALFORMED, "not an acknowledgement");
    }
    String key = type == Type.MAIL_ACK ? SEQS : NIDS;
    Object value = m.getValue(key);
    if (!(value instanceof JsonArray array) || array.isEmpty() || array.size() > MAX_ACK_IDS) {
      throw new WireException(DropReason.MALFORMED, "field " + key + " must list 1 to " + MAX_ACK_IDS + " numbers");
    }
    List<Long> ids = new ArrayList<>(array.size());
    for (Object id : array) {
      if (!(id instanceof Number n) || n.longValue() < 1 || n.doubleValue() != n.longValue()) {
        throw new WireException(DropReason.MALFORMED, "field " + key + " holds something but positive integers");
      }
      ids.add(n.longValue());
    }
    return new Ack(type, ids);
  }

  public static Expired decodeExpired(JsonObject m) throws WireException {
    return new Expired(positive(m, NID), Control.matching(m, DID, DEPOSIT_ID), Control.bytes(m, TO, Keys.KEY_LENGTH),
        between(m, AT, 0, Long.MAX_VALUE), between(m, EXPIRED_AT, 0, Long.MAX_VALUE));
  }

  /** {part, parts}: 1 <= part <= parts <= {@link #MAX_PARTS}. */
  private static int[] parts(JsonObject m) throws WireException {
    int parts = (int) between(m, PARTS, 1, MAX_PARTS);
    return new int[] {(int) between(m, PART, 1, parts), parts};
  }

  /** An envelope part: base64 of 1 to {@link #PART_BYTES} bytes. */
  private static byte[] data(JsonObject m) throws WireException {
    Object value = m.getValue(ENV);
    int maxChars = (PART_BYTES + 2) / 3 * 4;
    if (!(value instanceof String text) || text.isEmpty() || text.length() > maxChars) {
      throw new WireException(DropReason.MALFORMED, "field env must be base64 of 1 to " + PART_BYTES + " bytes");
    }
    try {
      return Base64.getDecoder().decode(text);
    } catch (IllegalArgumentException e) {
      throw new WireException(DropReason.MALFORMED, "field env is not base64");
    }
  }

  private static long positive(JsonObject m, String key) throws WireException {
    return between(m, key, 1, Long.MAX_VALUE);
  }

  private static long between(JsonObject m, String key, long min, long max) throws WireException {
    Object value = m.getValue(key);
    if (!(value instanceof Number n) || n.doubleValue() != n.longValue() || n.longValue() < min || n.longValue() > max) {
      throw new WireException(DropReason.MALFORMED, "field " + key + " must be an integer from " + min + " to " + max);
    }
    return n.longValue();
  }
}
