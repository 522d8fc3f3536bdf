package io.p2pchat.client.impl;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The checks behind {@link io.p2pchat.client.ChatNodeOptions}' setters and JSON constructor: each
 * throws {@link IllegalArgumentException} naming the config key and the rule, in the words the node's
 * own start-up check ({@link io.p2pchat.common.ConfigReader}) uses, with the ranges and patterns of
 * {@link io.p2pchat.node.NodeOptions}.
 */
public final class Checks {

  private Checks() {
  }

  /** {@code value} if it matches {@code pattern}; null passes (an unset key). */
  public static String matching(String key, String value, Pattern pattern, String rule) {
    if (value != null && !pattern.matcher(value).matches()) {
      throw new IllegalArgumentException(key + " must be " + rule + " (got \"" + value + "\")");
    }
    return value;
  }

  /** {@code value} if it is not blank; null passes (an unset key). */
  public static String nonBlank(String key, String value) {
    if (value != null && value.isBlank()) {
      throw new IllegalArgumentException(key + " must not be empty");
    }
    return value;
  }

  /** {@code value} if it lies in {@code [min, max]}. */
  public static int range(String key, long value, int min, int max) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(key + " must be an integer from " + min + " to " + max + " (got " + value + ")");
    }
    return (int) value;
  }

  /** An immutable copy of a list of non-blank strings; null passes (an unset key). */
  public static List<String> strings(String key, List<String> values) {
    if (values == null) {
      return null;
    }
    for (String value : values) {
      if (value == null || value.isBlank()) {
        throw new IllegalArgumentException(key + " must be a list of non-empty strings (got " + value + ")");
      }
    }
    return List.copyOf(values);
  }

  /** Like {@link #strings} where every entry must also be {@code host:port}. */
  public static List<String> hostPorts(String key, List<String> values) {
    List<String> checked = strings(key, values);
    if (checked != null) {
      for (String value : checked) {
        if (!io.p2pchat.node.NodeOptions.isHostPort(value)) {
          throw new IllegalArgumentException(key + " entries must be host:port (got \"" + value + "\")");
        }
      }
    }
    return checked;
  }

  /**
   * Refuses any key of {@code object} not in {@code known}; {@code path} is the dotted prefix of its
   * keys ("" at the top, "rendezvous." inside that group).
   */
  public static void onlyKnown(JsonObject object, String path, List<String> known) {
    for (String name : object.fieldNames()) {
      if (!known.contains(name)) {
        throw new IllegalArgumentException("unknown key '" + path + name + "' (known: " + known + ")");
      }
    }
  }

  /** The string at {@code name} of {@code object}, or null; {@code key} names it in an error. */
  public static String string(JsonObject object, String name, String key) {
    Object value = object.getValue(name);
    if (value != null && !(value instanceof String)) {
      throw new IllegalArgumentException(key + " must be a string (got " + value + ")");
    }
    return (String) value;
  }

  /** The integer at {@code name} of {@code object}, or null. */
  public static Long integer(JsonObject object, String name, String key) {
    Object value = object.getValue(name);
    if (value != null && !(value instanceof Integer || value instanceof Long)) {
      throw new IllegalArgumentException(key + " must be an integer (got " + value + ")");
    }
    return value == null ? null : ((Number) value).longValue();
  }

  /** The boolean at {@code name} of {@code object}, or null. */
  public static Boolean bool(JsonObject object, String name, String key) {
    Object value = object.getValue(name);
    if (value != null && !(value instanceof Boolean)) {
      throw new IllegalArgumentException(key + " must be true or false (got " + value + ")");
    }
    return (Boolean) value;
  }

  /** The list of strings at {@code name} of {@code object}, or null. */
  public static List<String> stringList(JsonObject object, String name, String key) {
    Object value = object.getValue(name);
    if (value == null) {
      return null;
    }
    if (!(value instanceof JsonArray array)) {
      throw new IllegalArgumentException(key + " must be a list of strings (got " + value + ")");
    }
    List<String> out = new ArrayList<>(array.size());
    for (Object item : array) {
      if (!(item instanceof String text)) {
        throw new IllegalArgumentException(key + " must be a list of non-empty strings (got " + item + ")");
      }
      out.add(text);
    }
    return out;
  }

  /** The object at {@code name} of {@code object} (a group such as {@code rendezvous}), or an empty one. */
  public static JsonObject group(JsonObject object, String name) {
    Object value = object.getValue(name);
    if (value != null && !(value instanceof JsonObject)) {
      throw new IllegalArgumentException(name + " must be an object (got " + value + ")");
    }
    return value == null ? new JsonObject() : (JsonObject) value;
  }

  /** Puts {@code value} (a list as a JSON array) unless it is null: an unset key or an absent optional field. */
  public static JsonObject putIfSet(JsonObject json, String name, Object value) {
    if (value instanceof List<?> list) {
      json.put(name, new JsonArray(List.copyOf(list)));
    } else if (value != null) {
      json.put(name, value);
    }
    return json;
  }
}
