package io.p2pchat.common;

import io.vertx.config.ConfigRetriever;
import io.vertx.config.ConfigRetrieverOptions;
import io.vertx.config.ConfigStoreOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.Map;

/**
 * Loads a verticle's configuration through Vert.x Config, in rising priority:
 * <ol>
 *   <li>the deployment config (the {@code -conf} JSON file of {@code vertx run});</li>
 *   <li>environment variables: {@code P2PCHAT_} + the dotted key in upper snake case
 *       ({@code rendezvous.port} → {@code P2PCHAT_RENDEZVOUS_PORT},
 *       {@code keepAliveSeconds} → {@code P2PCHAT_KEEP_ALIVE_SECONDS});</li>
 *   <li>system properties: {@code -Dp2pchat.} + the dotted key ({@code -Dp2pchat.rendezvous.port=7001}).</li>
 * </ol>
 * Environment and system property values are text; they are read as the key's type (a list is
 * comma-separated), so a wrong one fails with the same one-line error as a wrong file value.
 */
public final class ConfigLoader {

  /** The type of a config key, to read environment and system property text as. */
  public enum Type { STRING, INTEGER, BOOLEAN, LIST }

  private static final String ENV_PREFIX = "P2PCHAT_";
  private static final String SYS_PREFIX = "p2pchat.";

  private ConfigLoader() {
  }

  public static String envName(String key) {
    return ENV_PREFIX + key.replaceAll("([a-z0-9])([A-Z])", "$1_$2").replace('.', '_').toUpperCase();
  }

  /** The merged config; {@code keys} lists every key with its type. Fails with a {@link ConfigException}. */
  public static Future<JsonObject> load(Vertx vertx, JsonObject deploymentConfig, Map<String, Type> keys) {
    ConfigRetriever retriever = ConfigRetriever.create(vertx, new ConfigRetrieverOptions()
      .setScanPeriod(0)
      .addStore(new ConfigStoreOptions().setType("json").setConfig(deploymentConfig.copy()))
      .addStore(new ConfigStoreOptions().setType("env").setConfig(new JsonObject()
        .put("raw-data", true)
        .put("keys", new JsonArray(keys.keySet().stream().map(ConfigLoader::envName).toList()))))
      .addStore(new ConfigStoreOptions().setType("sys").setConfig(new JsonObject()
        .put("raw-data", true).put("hierarchical", false).put("cache", false))));
    return retriever.getConfig()
      .map(merged -> overlay(merged, keys))
      .eventually(() -> {
        retriever.close();
        return Future.succeededFuture();
      });
  }

  /** Moves each {@code P2PCHAT_*} and {@code p2pchat.*} value to its nested key, typed. */
  public static JsonObject overlay(JsonObject merged, Map<String, Type> keys) {
    JsonObject result = deploymentPart(merged);
    keys.forEach((key, type) -> {
      Object env = merged.getValue(envName(key));
      Object sys = merged.getValue(SYS_PREFIX + key);
      Object text = sys != null ? sys : env;
      if (text != null) {
        put(result, key, typed(key, String.valueOf(text), type));
      }
    });
    return result;
  }

  private static JsonObject deploymentPart(JsonObject merged) {
    JsonObject result = new JsonObject();
    merged.forEach(entry -> {
      if (!entry.getKey().startsWith(ENV_PREFIX) && !entry.getKey().contains(".")
        && Character.isLowerCase(entry.getKey().charAt(0))) {
        result.put(entry.getKey(), entry.getValue());
      }
    });
    return result;
  }

  private static Object typed(String key, String text, Type type) {
    switch (type) {
      case INTEGER:
        try {
          return Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
          throw new ConfigException(key + " must be an integer (got \"" + text + "\" from "
            + envName(key) + " or -D" + SYS_PREFIX + key + ")");
        }
      case BOOLEAN:
        if (!text.trim().equalsIgnoreCase("true") && !text.trim().equalsIgnoreCase("false")) {
          throw new ConfigException(key + " must be true or false (got \"" + text + "\" from "
            + envName(key) + " or -D" + SYS_PREFIX + key + ")");
        }
        return Boolean.parseBoolean(text.trim());
      case LIST:
        JsonArray list = new JsonArray();
        for (String item : text.split(",")) {
          if (!item.isBlank()) {
            list.add(item.trim());
          }
        }
        return list;
      default:
        return text;
    }
  }

  private static void put(JsonObject root, String key, Object value) {
    String[] parts = key.split("\\.");
    JsonObject node = root;
    for (int i = 0; i < parts.length - 1; i++) {
      Object child = node.getValue(parts[i]);
      if (!(child instanceof JsonObject)) {
        child = new JsonObject();
        node.put(parts[i], child);
      }
      node = (JsonObject) child;
    }
    node.put(parts[parts.length - 1], value);
  }
}
