package io.p2pchat.chat;

import io.p2pchat.wire.Control;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * What one request address takes: a JSON object with known fields only, each of one
 * {@link Kind}. Every request handler of a node checks its body here first, so every address
 * refuses the same way: {@link FailureCodes#BAD_REQUEST} with one message naming what is wrong
 * ({@code unknown field 'ot'}, {@code text must be a string}, …).
 *
 * <p>Built once per address (a constant) and immutable after: {@link #refusal} walks the body's
 * fields once, comparing each name with the few declared ones (no map, no regex for the usual
 * ASCII nick), and allocates nothing for a body it accepts: {@code chat.send} is checked ~100,000
 * times a second in the benchmark.
 */
public final class RequestSchema {

  /** The type a field must have, and how a value of another type is refused. */
  public enum Kind {
    /** Any JSON string. */
    STRING,
    /** A nick: 1 to 32 letters, digits, {@code _ . -} (the rendezvous' own rule, {@link Control#NICK_PATTERN}). */
    NICK,
    /** An integer from 1 to {@link Integer#MAX_VALUE}. */
    POSITIVE_INT,
    /** An array of 1 to {@link RequestSchema#MAX_ARRAY} strings. */
    STRING_ARRAY
  }

  /**
   * Longest array a {@link Kind#STRING_ARRAY} field takes: a {@code chat.send} batch (a hundred
   * datagrams' worth of short messages, no more than a peer's send window of 1024 fragments holds,
   * so the one reply comes within one window's drain).
   */
  public static final int MAX_ARRAY = 1_000;
  /** Longest nick, in characters: the rendezvous' rule ({@link Control#NICK_PATTERN}); a console column. */
  static final int MAX_NICK_CHARS = 32;
  /** How a refusal describes a nick, the same words as the config check of {@code nick}. */
  public static final String NICK_RULE = "1 to 32 letters, digits, '_', '.' or '-'";

  private final String[] names;
  private final Kind[] kinds;
  /** The refusal for a value of the wrong type, per field: built once, not per request. */
  private final String[] wrongType;
  private final boolean[] required;
  private final boolean nullBody;

  private RequestSchema(String[] names, Kind[] kinds, boolean[] required, boolean nullBody) {
    this.names = names;
    this.kinds = kinds;
    this.required = required;
    this.nullBody = nullBody;
    this.wrongType = new String[names.length];
    for (int i = 0; i < names.length; i++) {
      wrongType[i] = names[i] + switch (kinds[i]) {
        case STRING -> " must be a string";
        case NICK -> " must be a nick (" + NICK_RULE + ")";
        case POSITIVE_INT -> " must be a positive integer";
        case STRING_ARRAY -> " must be an array of 1 to " + MAX_ARRAY + " strings";
      };
    }
  }

  /**
   * A schema of no fields: the body is {@code {}} or null (nothing to say). For {@code peers},
   * {@code node}, {@code netcheck}, {@code punch.stats}.
   */
  public static RequestSchema empty() {
    return new RequestSchema(new String[0], new Kind[0], new boolean[0], true);
  }

  /**
   * A schema whose fields are all optional; a null body is taken as {@code {}} when
   * {@code nullBody} is true (an address where every field may be left out).
   */
  public static RequestSchema optional(boolean nullBody, String name, Kind kind, Object... more) {
    return build(nullBody, false, name, kind, more);
  }

  /** A schema whose fields are all required; a null body is refused. */
  public static RequestSchema required(String name, Kind kind, Object... more) {
    return build(false, true, name, kind, more);
  }

  /** {@code more} is further name, kind pairs. */
  private static RequestSchema build(boolean nullBody, boolean required, String name, Kind kind, Object... more) {
    if (more.length % 2 != 0) {
      throw new IllegalArgumentException("fields come as name, kind pairs");
    }
    int n = 1 + more.length / 2;
    String[] names = new String[n];
    Kind[] kinds = new Kind[n];
    names[0] = name;
    kinds[0] = kind;
    for (int i = 1; i < n; i++) {
      names[i] = (String) more[2 * i - 2];
      kinds[i] = (Kind) more[2 * i - 1];
    }
    boolean[] flags = new boolean[n];
    Arrays.fill(flags, required);
    return new RequestSchema(names, kinds, flags, nullBody);
  }

  /**
   * Checks {@code msg}'s body; a body it refuses is answered with {@link FailureCodes#BAD_REQUEST}
   * and the refusal here, so the handler only has to return.
   *
   * @return true when the body is fine (its fields may then be read with their declared types)
   */
  public boolean admit(Message<?> msg) {
    String refusal = refusal(msg.body());
    if (refusal != null) {
      msg.fail(FailureCodes.BAD_REQUEST, refusal);
      return false;
    }
    return true;
  }

  /** Why {@code body} is refused, or null when it is fine. The first problem in the body's field order wins. */
  public String refusal(Object body) {
    if (body == null) {
      return nullBody ? null : "body must be a JSON object (got nothing)";
    }
    if (!(body instanceof JsonObject object)) {
      return "body must be a JSON object (got " + typeName(body) + ")";
    }
    int seen = 0;
    // The map itself: JsonObject's own iterator wraps nested values, which a check need not do.
    for (Map.Entry<String, Object> field : object.getMap().entrySet()) {
      int i = indexOf(field.getKey());
      if (i < 0) {
        return "unknown field '" + field.getKey() + "'";
      }
      String wrong = check(i, field.getValue());
      if (wrong != null) {
        return wrong;
      }
      seen++;
    }
    if (seen < names.length) {
      for (int i = 0; i < names.length; i++) {
        if (required[i] && !object.containsKey(names[i])) {
          return names[i] + " is required";
        }
      }
    }
    return null;
  }

  private int indexOf(String name) {
    for (int i = 0; i < names.length; i++) {
      if (names[i].equals(name)) {
        return i;
      }
    }
    return -1;
  }

  /** Why the value of field {@code i} is refused, or null. A JSON null is a value of the wrong type. */
  private String check(int i, Object value) {
    switch (kinds[i]) {
      case STRING:
        return value instanceof String ? null : wrongType[i];
      case NICK:
        return value instanceof String nick && isNick(nick) ? null : wrongType[i];
      case POSITIVE_INT:
        return (value instanceof Integer n && n > 0) || (value instanceof Long l && l > 0 && l <= Integer.MAX_VALUE)
          ? null : wrongType[i];
      case STRING_ARRAY:
        // A body decoded from JSON text (a clustered event bus, a bridge) holds a plain List.
        List<?> items = value instanceof JsonArray array ? array.getList() : value instanceof List<?> list ? list : null;
        if (items == null || items.isEmpty() || items.size() > MAX_ARRAY) {
          return wrongType[i];
        }
        for (int j = 0; j < items.size(); j++) {
          if (!(items.get(j) instanceof String)) {
            return names[i] + "[" + j + "] must be a string";
          }
        }
        return null;
      default:
        throw new IllegalStateException("BUG: kind " + kinds[i]);
    }
  }

  /**
   * Whether {@code s} is a nick: ASCII nicks (nearly all) by a loop over their characters, others
   * by {@link Control#NICK_PATTERN}, which has the last word.
   */
  static boolean isNick(String s) {
    int length = s.length();
    if (length == 0) {
      return false;
    }
    for (int i = 0; i < length; i++) {
      char c = s.charAt(i);
      boolean ascii = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
        || c == '_' || c == '.' || c == '-';
      if (!ascii) {
        return Control.NICK_PATTERN.matcher(s).matches();
      }
    }
    return length <= MAX_NICK_CHARS;
  }

  /** How a refusal names the JSON type of a body that is not an object. */
  static String typeName(Object value) {
    if (value instanceof String) {
      return "a string";
    } else if (value instanceof Number) {
      return "a number";
    } else if (value instanceof Boolean) {
      return "a boolean";
    } else if (value instanceof JsonArray || value instanceof List) {
      return "an array";
    }
    return "a " + value.getClass().getSimpleName();
  }
}
