package io.p2pchat.wire;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Pattern;

/** Field names of CONTROL messages and validated readers for them. */
public final class Control {

  public static final String TYPE = "t";
  public static final String VERSION = "v";
  public static final String NICK = "nick";
  public static final String ROOM = "room";
  /** The sender's Ed25519 public key (32 bytes, base64): its identity. */
  public static final String KEY = "key";
  /** The rendezvous's address cookie (16 bytes, base64), echoed in the signed {@code register}. */
  public static final String COOKIE = "cookie";
  /** An Ed25519 signature (64 bytes, base64) over a {@link ControlSigning} byte string. */
  public static final String SIG = "sig";
  /** Random per client process: a new one means the client restarted and its sessions are new. */
  public static final String INSTANCE = "instance";
  public static final String LOCAL = "local";
  public static final String PUBLIC = "public";
  public static final String RELAY_ID = "relayId";
  /**
   * In an {@code introduce}: true when either peer reaches the rendezvous only over a stream (a
   * WebSocket in TLS): there is no UDP address to punch, so both use the relay at once. Absent: false.
   */
  public static final String RELAY_FIRST = "relayFirst";
  public static final String TTL = "ttl";
  /**
   * In {@code registered}: how many mailbox messages wait for the client (0: none), so that only a node with mail
   * holds its peers' live messages behind them (docs/PROTOCOL.md, "Mailbox", Pick-up). Absent: unknown (a cluster,
   * a rendezvous without a mailbox, or one from before the field).
   */
  public static final String MAIL_WAITING = "mail";
  public static final String INTRO_ID = "introId";
  public static final String SECRET = "secret";
  public static final String PEER = "peer";
  public static final String PEERS = "peers";
  public static final String ADDRESS = "address";
  public static final String CODE = "code";
  public static final String MESSAGE = "message";
  /**
   * The message id of a rendezvous → client message that must arrive ({@code introduce}, {@code gone}):
   * the client answers each with an {@code ack} carrying it, and the rendezvous sends it again until then.
   */
  public static final String MID = "mid";
  /** A keep-alive's {@link RoomDigest} of the members the client knows (16 hex digits). */
  public static final String VIEW = "view";

  /**
   * An introduction's peer address of the other family (docs/PROTOCOL.md, "Registering over both
   * families"): the reflexive address of the peer's second socket, validated by the rendezvous.
   */
  public static final String ALT = "alt";
  /**
   * An introduction's peer address through its gateway's port mapping (docs/PROTOCOL.md, "Candidates"): on the
   * host the rendezvous registered the peer at, so it points nowhere a peer could not already send to.
   */
  public static final String PORTMAP = "portmap";
  /** Padding of an {@code alt} message: makes it at least {@link #ALT_MIN_DATAGRAM} bytes. */
  public static final String PAD = "pad";
  /**
   * Smallest sealed {@code alt} datagram the rendezvous answers. Its answer, an {@code alt-challenge}, is at
   * most 32 (sealing) + 117 (the JSON with the longest IPv6 endpoint, 47 characters, and a 24-character
   * cookie) = 149 bytes; a request at least as long makes the answer to that unvalidated source no bigger
   * than the request (1x, within the 3x rule with room to spare, as the control channel's HELLO / COOKIE).
   */
  public static final int ALT_MIN_DATAGRAM = 160;

  /** Protocol version carried in {@code register}. */
  public static final int PROTOCOL_VERSION = 2;
  /**
   * Host candidates a peer is told of (and probes) per client at most: enough for a few interfaces;
   * the rendezvous keeps the first this many of a registration's LAN candidates and drops the rest,
   * counted, so a registration cannot multiply a room's probes.
   */
  public static final int MAX_LOCAL_CANDIDATES = 8;
  /**
   * Entries a {@code local} list may hold on the wire: a longer one is malformed. Twice the kept
   * {@link #MAX_LOCAL_CANDIDATES}, so a host with many interfaces still registers (its extra ones
   * are dropped, counted), while parsing stays bounded.
   */
  public static final int MAX_LOCAL_LISTED = 2 * MAX_LOCAL_CANDIDATES;
  /** Longest string field (tokens, secrets, messages) a control message may carry. */
  public static final int MAX_STRING = 200;

  /** Letters, digits, {@code _ . -}; 1 to 32 characters: short enough for a console column. */
  public static final Pattern NICK_PATTERN = Pattern.compile("[\\p{L}\\p{N}_.-]{1,32}");
  /** Same alphabet as nicks, up to 64 characters (a secret room's id is 64 hex digits). */
  public static final Pattern ROOM_PATTERN = Pattern.compile("[\\p{L}\\p{N}_.-]{1,64}");

  private Control() {
  }

  public static JsonObject of(ControlType type) {
    return new JsonObject().put(TYPE, type.wireName());
  }

  public static JsonObject error(String code, String message) {
    return of(ControlType.ERROR).put(CODE, code).put(MESSAGE, message);
  }

  public static ControlType type(JsonObject message) {
    return ControlType.of(message.getString(TYPE));
  }

  public static String string(JsonObject message, String key) throws WireException {
    Object value = message.getValue(key);
    if (!(value instanceof String) || ((String) value).isEmpty() || ((String) value).length() > MAX_STRING) {
      throw new WireException(DropReason.MALFORMED, "field " + key + " must be a string of 1 to " + MAX_STRING);
    }
    return (String) value;
  }

  public static String matching(JsonObject message, String key, Pattern pattern) throws WireException {
    String value = string(message, key);
    if (!pattern.matcher(value).matches()) {
      throw new WireException(DropReason.MALFORMED, "field " + key + " has characters not allowed");
    }
    return value;
  }

  public static long number(JsonObject message, String key) throws WireException {
    Object value = message.getValue(key);
    if (!(value instanceof Number)) {
      throw new WireException(DropReason.MALFORMED, "field " + key + " must be a number");
    }
    return ((Number) value).longValue();
  }

  public static Endpoint endpoint(JsonObject message, String key) throws WireException {
    return Endpoint.parse(string(message, key));
  }

  public static List<Endpoint> endpoints(JsonObject message, String key) throws WireException {
    Object value = message.getValue(key);
    if (value == null) {
      return List.of();
    }
    if (!(value instanceof JsonArray) || ((JsonArray) value).size() > MAX_LOCAL_LISTED) {
      throw new WireException(DropReason.MALFORMED,
        "field " + key + " must be a list of at most " + MAX_LOCAL_LISTED + " addresses");
    }
    List<Endpoint> out = new ArrayList<>();
    for (Object item : (JsonArray) value) {
      if (!(item instanceof String)) {
        throw new WireException(DropReason.MALFORMED, "field " + key + " holds a non-string");
      }
      out.add(Endpoint.parse((String) item));
    }
    return out;
  }

  /** The raw strings of an optional list of host candidates, each checked as an address. */
  public static List<String> endpointStrings(JsonObject message, String key) throws WireException {
    List<Endpoint> parsed = endpoints(message, key);
    List<String> out = new ArrayList<>(parsed.size());
    JsonArray array = message.getJsonArray(key);
    for (int i = 0; i < parsed.size(); i++) {
      out.add(array.getString(i));
    }
    return out;
  }

  /** A base64 field of exactly {@code length} bytes. */
  public static byte[] bytes(JsonObject message, String key, int length) throws WireException {
    String text = string(message, key);
    byte[] value;
    try {
      value = Base64.getDecoder().decode(text);
    } catch (IllegalArgumentException e) {
      throw new WireException(DropReason.MALFORMED, "field " + key + " is not base64");
    }
    if (value.length != length) {
      throw new WireException(DropReason.MALFORMED, "field " + key + " must hold " + length + " bytes");
    }
    return value;
  }

  /** Base64 text of {@code bytes}, for {@link #bytes}. */
  public static String base64(byte[] bytes) {
    return Base64.getEncoder().encodeToString(bytes);
  }

  public static JsonArray toJson(List<Endpoint> endpoints) {
    JsonArray array = new JsonArray();
    endpoints.forEach(e -> array.add(e.toString()));
    return array;
  }

  public static JsonObject object(JsonObject message, String key) throws WireException {
    Object value = message.getValue(key);
    if (!(value instanceof JsonObject)) {
      throw new WireException(DropReason.MALFORMED, "field " + key + " must be an object");
    }
    return (JsonObject) value;
  }
}
