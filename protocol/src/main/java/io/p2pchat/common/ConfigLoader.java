package io.p2pchat.common;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns the config object a verticle was deployed with into the one form its readers see, and
 * refuses a key the verticle does not know.
 * <p>
 * Two forms are accepted, also mixed: nested, as {@code conf/*.json} writes groups
 * ({@code "rendezvous": {"port": 7001}}), and flat dotted ({@code "rendezvous.port": 7001}).
 * {@link #normalize} moves every flat key to its nested place once, so every reader
 * ({@link ConfigReader}, the UI, extensions) sees one nested object. The same key given both ways
 * with different values is an error naming it.
 * <p>
 * The known keys come from one list per verticle ({@code NodeOptions.KEYS},
 * {@code RendezvousOptions.KEYS}): a dotted key makes its first part a group
 * ({@code rendezvous}, {@code bind}, {@code http}); a key of type {@link Type#OBJECT} is a
 * free-form object whose inside is never checked (a place for settings of the verticle's
 * extensions). Anything else stops start-up with one line naming the key and the closest known one:
 * {@code unknown key 'rendezvus' (did you mean 'rendezvous'?)}.
 * <p>
 * Environment variables and system properties are not read here: a config object passed in code
 * means what it says. The launcher applies them through {@link ConfigOverrides}.
 */
public final class ConfigLoader {

  /** The type of a config key, to read environment and system property text as. */
  public enum Type {
    /** Text. */
    STRING,
    /** A whole number. */
    INTEGER,
    /** {@code true} or {@code false}. */
    BOOLEAN,
    /** A list of strings (comma-separated in an override). */
    LIST,
    /** A free-form JSON object, passed through unchecked (JSON text in an override). */
    OBJECT
  }

  private static final String SEPARATOR = ".";
  private static final String SEPARATOR_PATTERN = "\\.";

  private ConfigLoader() {
  }

  /**
   * {@link #normalize} as a Future, for a verticle's {@code start()}: a {@link ConfigException}
   * fails the Future instead of being thrown.
   */
  public static Future<JsonObject> load(JsonObject config, Map<String, Type> keys) {
    return Future.succeededFuture(config).map(c -> normalize(c, keys));
  }

  /**
   * The nested form of {@code config} (a new object), checked against {@code keys}.
   *
   * @throws ConfigException for an unknown key, or a key given twice with different values
   */
  public static JsonObject normalize(JsonObject config, Map<String, Type> keys) {
    JsonObject nested = expand(config, keys);
    Map<String, Object> tree = tree(keys);
    String unknown = firstUnknown(nested, tree, "");
    if (unknown != null) {
      throw new ConfigException("unknown key '" + unknown + "' (did you mean '" + closest(unknown, keys) + "'?)");
    }
    return nested;
  }

  /**
   * The nested form of {@code config} (a new object) without the unknown-key check: every dotted
   * key moved to its group, merged with what the group already holds. Only groups of {@code keys}
   * are entered, so a free-form object keeps its own dotted keys as they are.
   *
   * @throws ConfigException for a key given twice with different values, or a group that is not an object
   */
  public static JsonObject expand(JsonObject config, Map<String, Type> keys) {
    JsonObject result = new JsonObject();
    merge(result, config.copy(), tree(keys), "");
    return result;
  }

  /**
   * The dotted keys as a tree: a group maps to its children (a {@code Map}), a key to its
   * {@link Type}.
   */
  private static Map<String, Object> tree(Map<String, Type> keys) {
    Map<String, Object> root = new LinkedHashMap<>();
    keys.forEach((key, type) -> {
      String[] parts = key.split(SEPARATOR_PATTERN);
      Map<String, Object> node = root;
      for (int i = 0; i < parts.length - 1; i++) {
        node = group(node.computeIfAbsent(parts[i], p -> new LinkedHashMap<String, Object>()), key);
      }
      node.put(parts[parts.length - 1], type);
    });
    return root;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> group(Object node, String key) {
    if (!(node instanceof Map)) {
      throw new IllegalStateException("BUG: key list has " + key + " inside a plain key");
    }
    return (Map<String, Object>) node;
  }

  /** Puts every entry of {@code source} into {@code target}, splitting dotted keys. */
  private static void merge(JsonObject target, JsonObject source, Map<String, Object> tree, String prefix) {
    source.forEach(entry -> {
      String[] parts = entry.getKey().split(SEPARATOR_PATTERN, -1);
      JsonObject node = target;
      Map<String, Object> known = tree;
      String path = prefix;
      for (int i = 0; i < parts.length - 1; i++) {
        path += parts[i];
        Object child = node.getValue(parts[i]);
        if (child == null) {
          child = new JsonObject();
          node.put(parts[i], child);
        } else if (!(child instanceof JsonObject)) {
          throw new ConfigException(path + " must be an object (got " + child + ")");
        }
        node = (JsonObject) child;
        known = known != null && known.get(parts[i]) instanceof Map ? group(known.get(parts[i]), path) : null;
        path += SEPARATOR;
      }
      String last = parts[parts.length - 1];
      put(node, last, entry.getValue(), known, path + last);
    });
  }

  private static void put(JsonObject node, String key, Object value, Map<String, Object> known, String path) {
    Object groupTree = known == null ? null : known.get(key);
    Object existing = node.getValue(key);
    if (groupTree instanceof Map && value instanceof JsonObject inner) {
      if (existing != null && !(existing instanceof JsonObject)) {
        throw new ConfigException(path + " must be an object (got " + existing + ")");
      }
      JsonObject target = existing == null ? new JsonObject() : (JsonObject) existing;
      node.put(key, target);
      merge(target, inner, group(groupTree, path), path + SEPARATOR);
      return;
    }
    if (groupTree instanceof Map && existing instanceof JsonObject) {
      throw new ConfigException(path + " must be an object (got " + value + ")");
    }
    if (existing != null && !same(existing, value)) {
      throw new ConfigException(path + " is given twice with different values (" + existing + " and " + value + ")");
    }
    node.put(key, value);
  }

  /** Equal values, numbers by value: a file's 7000 is an Integer, an override's a Long. */
  private static boolean same(Object a, Object b) {
    if (a instanceof Number x && b instanceof Number y) {
      return x.doubleValue() == y.doubleValue();
    }
    return a.equals(b);
  }

  /** The dotted path of the first key (depth first, in document order) that is not known, or null. */
  private static String firstUnknown(JsonObject node, Map<String, Object> tree, String prefix) {
    for (Map.Entry<String, Object> entry : node) {
      Object known = tree.get(entry.getKey());
      String path = prefix + entry.getKey();
      if (known == null) {
        return path;
      }
      if (known instanceof Map && entry.getValue() instanceof JsonObject inner) {
        String unknown = firstUnknown(inner, group(known, path), path + SEPARATOR);
        if (unknown != null) {
          return unknown;
        }
      }
    }
    return null;
  }

  /** The known key or group nearest to {@code unknown} in edit distance; the earlier listed on a tie. */
  static String closest(String unknown, Map<String, Type> keys) {
    List<String> candidates = new ArrayList<>();
    for (String key : keys.keySet()) {
      int dot = key.indexOf(SEPARATOR);
      while (dot > 0) {
        String group = key.substring(0, dot);
        if (!candidates.contains(group)) {
          candidates.add(group);
        }
        dot = key.indexOf(SEPARATOR, dot + 1);
      }
      candidates.add(key);
    }
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String candidate : candidates) {
      int distance = distance(unknown.toLowerCase(), candidate.toLowerCase());
      if (distance < bestDistance) {
        best = candidate;
        bestDistance = distance;
      }
    }
    return best;
  }

  /**
   * Edit distance counting a swap of two neighbours as one edit (optimal string alignment): the
   * typos of config keys are dropped, doubled, wrong and swapped letters ({@code prot}).
   */
  static int distance(String a, String b) {
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int i = 0; i <= a.length(); i++) {
      d[i][0] = i;
    }
    for (int j = 0; j <= b.length(); j++) {
      d[0][j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
        if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
          d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
      }
    }
    return d[a.length()][b.length()];
  }
}
