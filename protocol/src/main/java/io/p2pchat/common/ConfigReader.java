package io.p2pchat.common;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Reads typed values from a (nested) config object by dotted key, refusing wrong types and
 * out-of-range values with a {@link ConfigException} that names the key, the rule and the value.
 */
public final class ConfigReader {

  private final JsonObject config;

  /** A reader over {@code config} in nested form (see {@link ConfigLoader#normalize}). */
  public ConfigReader(JsonObject config) {
    this.config = config;
  }

  /** The raw value at a dotted key such as {@code rendezvous.port}, or null. */
  public Object raw(String key) {
    JsonObject node = config;
    String[] parts = key.split("\\.");
    for (int i = 0; i < parts.length - 1; i++) {
      Object child = node.getValue(parts[i]);
      if (child == null) {
        return null;
      }
      if (!(child instanceof JsonObject)) {
        throw new ConfigException(parts[i] + " must be an object (got " + child + ")");
      }
      node = (JsonObject) child;
    }
    return node.getValue(parts[parts.length - 1]);
  }

  /** The string at {@code key}, or {@code defaultValue} when absent; another type is refused. */
  public String string(String key, String defaultValue) {
    Object value = raw(key);
    if (value == null) {
      return defaultValue;
    }
    if (!(value instanceof String)) {
      throw new ConfigException(key + " must be a string (got " + value + ")");
    }
    return (String) value;
  }

  /** The non-blank string at {@code key} matching {@code pattern}; {@code rule} says what is allowed. */
  public String requiredString(String key, Pattern pattern, String rule) {
    String value = string(key, null);
    if (value == null || value.isBlank()) {
      throw new ConfigException(key + " is required: " + rule);
    }
    if (!pattern.matcher(value).matches()) {
      throw new ConfigException(key + " must be " + rule + " (got \"" + value + "\")");
    }
    return value;
  }

  /** Like {@link #requiredString} but with a default when the key is absent. */
  public String requiredStringOr(String key, String defaultValue, Pattern pattern, String rule) {
    return raw(key) == null ? defaultValue : requiredString(key, pattern, rule);
  }

  /** The whole number at {@code key} from {@code min} to {@code max}, or {@code defaultValue} when absent. */
  public int integer(String key, int defaultValue, int min, int max) {
    Object value = raw(key);
    if (value == null) {
      return defaultValue;
    }
    if (!(value instanceof Integer || value instanceof Long)) {
      throw new ConfigException(key + " must be an integer from " + min + " to " + max + " (got " + value + ")");
    }
    long n = ((Number) value).longValue();
    if (n < min || n > max) {
      throw new ConfigException(key + " must be an integer from " + min + " to " + max + " (got " + n + ")");
    }
    return (int) n;
  }

  /** A UDP or TCP port at {@code key}; 0 (any free port) only where {@code zeroAllowed}. */
  public int port(String key, int defaultValue, boolean zeroAllowed) {
    return integer(key, defaultValue, zeroAllowed ? 0 : 1, 65535);
  }

  /** The boolean at {@code key}, or {@code defaultValue} when absent. */
  public boolean bool(String key, boolean defaultValue) {
    Object value = raw(key);
    if (value == null) {
      return defaultValue;
    }
    if (!(value instanceof Boolean)) {
      throw new ConfigException(key + " must be true or false (got " + value + ")");
    }
    return (Boolean) value;
  }

  /** The list of non-empty strings at {@code key}; empty when absent. */
  public List<String> strings(String key) {
    Object value = raw(key);
    if (value == null) {
      return List.of();
    }
    if (!(value instanceof JsonArray)) {
      throw new ConfigException(key + " must be a list of strings (got " + value + ")");
    }
    List<String> out = new ArrayList<>();
    for (Object item : (JsonArray) value) {
      if (!(item instanceof String) || ((String) item).isBlank()) {
        throw new ConfigException(key + " must be a list of non-empty strings (got " + item + ")");
      }
      out.add((String) item);
    }
    return out;
  }
}
