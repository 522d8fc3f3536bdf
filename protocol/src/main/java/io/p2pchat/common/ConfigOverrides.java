package io.p2pchat.common;

import io.p2pchat.common.ConfigLoader.Type;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.HashMap;
import java.util.Map;

/**
 * Environment variables and system properties over a config object, in rising priority:
 * <ol>
 *   <li>the config object (the {@code -conf} JSON file of {@code vertx run});</li>
 *   <li>environment variables: {@code P2PCHAT_} + the dotted key in upper snake case
 *       ({@code rendezvous.port} → {@code P2PCHAT_RENDEZVOUS_PORT},
 *       {@code keepAliveSeconds} → {@code P2PCHAT_KEEP_ALIVE_SECONDS});</li>
 *   <li>system properties: {@code -Dp2pchat.} + the dotted key ({@code -Dp2pchat.rendezvous.port=7001}).</li>
 * </ol>
 * The launcher ({@code vertx run}, {@code bin/vertx}, {@code bin/p2pchat}, the demo) applies them
 * before it deploys; a verticle deployed in code never reads them, so an application's config
 * object means what it says. An application that wants them too calls
 * {@code ConfigOverrides.apply(config, NodeOptions.KEYS)} (or {@code RendezvousOptions.KEYS}) and
 * deploys the result.
 * <p>
 * Values are text, read as the key's type: a list is comma-separated, an object is JSON text; a
 * wrong one fails with a one-line {@link ConfigException} naming the key and both places it may
 * have come from.
 */
public final class ConfigOverrides {

  /** Prefix of the environment variables that override config keys. */
  public static final String ENV_PREFIX = "P2PCHAT_";
  /** Prefix of the system properties that override config keys. */
  public static final String PROPERTY_PREFIX = "p2pchat.";

  private ConfigOverrides() {
  }

  /** The environment variable of a dotted key: {@code rendezvous.port} → {@code P2PCHAT_RENDEZVOUS_PORT}. */
  public static String envName(String key) {
    return ENV_PREFIX + key.replaceAll("([a-z0-9])([A-Z])", "$1_$2").replace('.', '_').toUpperCase();
  }

  /** The system property of a dotted key: {@code rendezvous.port} → {@code p2pchat.rendezvous.port}. */
  public static String propertyName(String key) {
    return PROPERTY_PREFIX + key;
  }

  /**
   * {@code config} in nested form ({@link ConfigLoader#normalize}) with this process's environment
   * variables and system properties for {@code keys} applied over it: a new object.
   *
   * @throws ConfigException for an unknown key in {@code config} or an override of the wrong type
   */
  public static JsonObject apply(JsonObject config, Map<String, Type> keys) {
    Map<String, String> properties = new HashMap<>();
    System.getProperties().forEach((k, v) -> properties.put(String.valueOf(k), String.valueOf(v)));
    return apply(config, keys, System.getenv(), properties);
  }

  /**
   * {@link #apply(JsonObject, Map)} with the environment and system properties given: a system
   * property wins over an environment variable, both over the config.
   */
  public static JsonObject apply(JsonObject config, Map<String, Type> keys, Map<String, String> environment,
                                 Map<String, String> properties) {
    JsonObject result = ConfigLoader.normalize(config, keys);
    keys.forEach((key, type) -> {
      String text = properties.getOrDefault(propertyName(key), environment.get(envName(key)));
      if (text != null) {
        put(result, key, typed(key, text, type));
      }
    });
    return result;
  }

  private static Object typed(String key, String text, Type type) {
    String trimmed = text.trim();
    switch (type) {
      case INTEGER:
        try {
          return Long.parseLong(trimmed);
        } catch (NumberFormatException e) {
          throw wrong(key, "an integer", text);
        }
      case BOOLEAN:
        if (!trimmed.equalsIgnoreCase("true") && !trimmed.equalsIgnoreCase("false")) {
          throw wrong(key, "true or false", text);
        }
        return Boolean.parseBoolean(trimmed);
      case LIST:
        JsonArray list = new JsonArray();
        for (String item : text.split(",")) {
          if (!item.isBlank()) {
            list.add(item.trim());
          }
        }
        return list;
      case OBJECT:
        try {
          return new JsonObject(trimmed);
        } catch (DecodeException | ClassCastException e) {
          throw wrong(key, "a JSON object", text);
        }
      default:
        return text;
    }
  }

  private static ConfigException wrong(String key, String rule, String text) {
    return new ConfigException(key + " must be " + rule + " (got \"" + text + "\" from " + envName(key)
      + " or -D" + propertyName(key) + ")");
  }

  private static void put(JsonObject root, String key, Object value) {
    String[] parts = key.split("\\.");
    JsonObject node = root;
    for (int i = 0; i < parts.length - 1; i++) {
      Object child = node.getValue(parts[i]);
      if (child == null) {
        child = new JsonObject();
        node.put(parts[i], child);
      } else if (!(child instanceof JsonObject)) {
        throw new ConfigException(parts[i] + " must be an object (got " + child + ")");
      }
      node = (JsonObject) child;
    }
    node.put(parts[parts.length - 1], value);
  }
}
