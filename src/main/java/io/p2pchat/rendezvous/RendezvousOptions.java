package io.p2pchat.rendezvous;

import io.p2pchat.node.ConfigLoader.Type;
import io.p2pchat.node.ConfigReader;
import io.vertx.core.json.JsonObject;

import java.util.LinkedHashMap;
import java.util.Map;

/** Configuration of a {@link RendezvousVerticle}; every key with its default and why. */
public final class RendezvousOptions {

  /** All interfaces: a rendezvous serves clients on other machines. */
  public static final String DEFAULT_HOST = "0.0.0.0";
  /** The original design's port. */
  public static final int DEFAULT_PORT = 7000;
  /**
   * A registration lives this long without a keep-alive: two missed 15 s client keep-alives,
   * so one lost datagram never expires a live client.
   */
  public static final int DEFAULT_TTL_SECONDS = 30;
  public static final String DEFAULT_LOG_DIR = "logs";
  /** Relaying on: without it, peers behind NATs that map per destination cannot talk at all. */
  public static final boolean DEFAULT_RELAY = true;
  /** Per-client relay budget: ample for chat (a 64 KiB message per second, 4 times over). */
  public static final int DEFAULT_RELAY_BYTES_PER_SECOND = 256 * 1024;
  /** Bounds the server's memory whatever a flood of registrations does (~1 KiB each). */
  public static final int DEFAULT_MAX_CLIENTS = 100_000;
  /** The original design's {@code punch}/{@code list}/{@code peer N} commands answer. */
  public static final boolean DEFAULT_PLAIN_COMMANDS = true;
  /** The room the plain-text {@code list} and {@code peer N} commands show. */
  public static final String DEFAULT_ROOM = "lobby";

  /** Every key with its type, for environment and system property overrides. */
  public static final Map<String, Type> KEYS = new LinkedHashMap<>();

  static {
    KEYS.put("host", Type.STRING);
    KEYS.put("port", Type.INTEGER);
    KEYS.put("ttlSeconds", Type.INTEGER);
    KEYS.put("logDir", Type.STRING);
    KEYS.put("relay", Type.BOOLEAN);
    KEYS.put("relayBytesPerSecond", Type.INTEGER);
    KEYS.put("maxClients", Type.INTEGER);
    KEYS.put("plainCommands", Type.BOOLEAN);
  }

  private final String host;
  private final int port;
  private final int ttlSeconds;
  private final String logDir;
  private final boolean relay;
  private final int relayBytesPerSecond;
  private final int maxClients;
  private final boolean plainCommands;

  /** Reads and validates; a bad value throws {@link io.p2pchat.node.ConfigException}. */
  public RendezvousOptions(JsonObject config) {
    ConfigReader r = new ConfigReader(config);
    host = r.string("host", DEFAULT_HOST);
    port = r.port("port", DEFAULT_PORT, true);
    ttlSeconds = r.integer("ttlSeconds", DEFAULT_TTL_SECONDS, 1, 86_400);
    logDir = r.string("logDir", DEFAULT_LOG_DIR);
    relay = r.bool("relay", DEFAULT_RELAY);
    relayBytesPerSecond = r.integer("relayBytesPerSecond", DEFAULT_RELAY_BYTES_PER_SECOND, 1200, Integer.MAX_VALUE);
    maxClients = r.integer("maxClients", DEFAULT_MAX_CLIENTS, 1, 10_000_000);
    plainCommands = r.bool("plainCommands", DEFAULT_PLAIN_COMMANDS);
  }

  public String host() {
    return host;
  }

  public int port() {
    return port;
  }

  public int ttlSeconds() {
    return ttlSeconds;
  }

  public String logDir() {
    return logDir;
  }

  public boolean relay() {
    return relay;
  }

  public int relayBytesPerSecond() {
    return relayBytesPerSecond;
  }

  public int maxClients() {
    return maxClients;
  }

  public boolean plainCommands() {
    return plainCommands;
  }
}
