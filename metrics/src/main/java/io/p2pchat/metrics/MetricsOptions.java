package io.p2pchat.metrics;

import io.p2pchat.common.ConfigLoader.Type;
import io.p2pchat.common.ConfigReader;
import io.vertx.core.json.JsonObject;

import java.util.Map;

/**
 * Where a process serves {@code /metrics}, {@code /health} and {@code /ready}: the {@code metrics.*}
 * keys of a rendezvous's or a node's config. Off unless {@code metrics.port} is set.
 */
public final class MetricsOptions {

  /**
   * Loopback only: the exposition tells the size of the server and its traffic, which is an
   * operator's to see. A Prometheus on another machine (or a load balancer's probe) needs
   * {@code metrics.host} set to an address it reaches (docs/SECURITY.md).
   */
  public static final String DEFAULT_HOST = "127.0.0.1";
  /** {@code metrics.port} unset: no HTTP listener, no meters of ours. 0 takes any free port (tests). */
  public static final Integer DEFAULT_PORT = null;
  /** The group of keys in a config file. */
  public static final String GROUP = "metrics";
  /** The keys this class reads, with their types, for the owners' unknown-key check. */
  public static final Map<String, Type> KEYS = Map.of(GROUP + ".host", Type.STRING, GROUP + ".port", Type.INTEGER);

  private String host = DEFAULT_HOST;
  private Integer port = DEFAULT_PORT;

  public MetricsOptions() {
  }

  public MetricsOptions(MetricsOptions other) {
    host = other.host;
    port = other.port;
  }

  /** {@code {"host": …, "port": …}}, both optional; a wrong type or range throws a ConfigException naming {@code metrics.KEY}. */
  public MetricsOptions(JsonObject json) {
    this(new ConfigReader(new JsonObject().put(GROUP, json == null ? new JsonObject() : json)));
  }

  /** Reads {@code metrics.host} and {@code metrics.port} from a whole (nested) config. */
  public MetricsOptions(ConfigReader config) {
    String h = config.string(GROUP + ".host", DEFAULT_HOST);
    if (h.isBlank()) {
      throw new io.p2pchat.common.ConfigException(GROUP + ".host must not be empty");
    }
    host = h;
    port = config.raw(GROUP + ".port") == null ? DEFAULT_PORT : Integer.valueOf(config.port(GROUP + ".port", 0, true));
  }

  /** True when {@code config} (nested) sets {@code metrics.port}: the launcher turns Vert.x's own meters on for it. */
  public static boolean configured(JsonObject config) {
    return config != null && config.getValue(GROUP) instanceof JsonObject group && group.getValue("port") != null;
  }

  public String getHost() {
    return host;
  }

  /** The address to listen on; an empty one is refused at once. */
  public MetricsOptions setHost(String host) {
    if (host == null || host.isBlank()) {
      throw new IllegalArgumentException("metrics host must not be empty");
    }
    this.host = host;
    return this;
  }

  /** The port, or null when off. */
  public Integer getPort() {
    return port;
  }

  /** 0 to 65535 (0: any free port), or null for off. */
  public MetricsOptions setPort(Integer port) {
    if (port != null && (port < 0 || port > 65_535)) {
      throw new IllegalArgumentException("metrics port must be from 0 to 65535 (got " + port + ")");
    }
    this.port = port;
    return this;
  }

  public boolean enabled() {
    return port != null;
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("host", host);
    if (port != null) {
      json.put("port", port);
    }
    return json;
  }
}
