package io.p2pchat.ui;

import io.p2pchat.common.ConfigException;
import io.p2pchat.common.ConfigLoader;
import io.p2pchat.common.ConfigLoader.Type;
import io.p2pchat.common.ConfigReader;
import io.vertx.core.json.JsonObject;

import java.util.Map;
import java.util.Objects;

/**
 * Options of the {@link UiVerticle}. Built from the node's config JSON: {@code http.host},
 * {@code http.port}, {@code eventBusPrefix}, {@code nick}, {@code logDir}; the rest are limits with
 * safe defaults, set in code.
 * Setters validate at once and throw {@link IllegalArgumentException}.
 */
public final class UiOptions {

  /** Loopback only: the page drives the node, so by default only this machine may reach it. */
  public static final String DEFAULT_HTTP_HOST = "127.0.0.1";
  /** 0 = any free port; the real port is in {@link UiVerticle#url()} and on stdout. */
  public static final int DEFAULT_HTTP_PORT = 0;
  /** Prefix of the node's event-bus API ({@code p2pchat.chat.send} ...). */
  public static final String DEFAULT_EVENT_BUS_PREFIX = "p2pchat";
  /** Shown in the page header; also names the node's log file. */
  public static final String DEFAULT_NICK = "";
  /** Same default as the node's {@code logDir}: UI lines go to {@code <logDir>/<nick>.log}. */
  public static final String DEFAULT_LOG_DIR = "logs";
  /**
   * How long a page request ({@code chat.send}, {@code peers}, {@code history}) waits for the node:
   * well above a loaded node's reply time, well below a user's patience.
   */
  public static final long DEFAULT_REQUEST_TIMEOUT_MS = 10_000;
  /**
   * Largest push-channel message from the page. A chat text is at most a few KiB (the node rejects
   * bigger ones with a clear message); 64 KiB leaves room for that rejection while bounding memory.
   */
  public static final int DEFAULT_MAX_INBOUND_MESSAGE_BYTES = 64 * 1024;
  /** Requests one page may have in flight; a page sends one at a time, 16 absorbs fast typing. */
  public static final int DEFAULT_MAX_PENDING_REQUESTS = 16;
  /** Open push channels (browser tabs); bounds memory if something opens sockets in a loop. */
  public static final int DEFAULT_MAX_SOCKETS = 16;
  /**
   * Bytes queued to one slow tab before it is disconnected (it reconnects and reloads history):
   * a stuck tab must not grow the node's heap without bound.
   */
  public static final int DEFAULT_MAX_QUEUED_BYTES_PER_SOCKET = 1024 * 1024;

  /** The node's keys the UI reads, for {@link ConfigLoader#expand} (flat dotted to nested). */
  private static final Map<String, Type> CONFIG_KEYS = Map.of("http.host", Type.STRING, "http.port", Type.INTEGER,
    "eventBusPrefix", Type.STRING, "nick", Type.STRING, "logDir", Type.STRING);

  private String httpHost = DEFAULT_HTTP_HOST;
  private int httpPort = DEFAULT_HTTP_PORT;
  private String eventBusPrefix = DEFAULT_EVENT_BUS_PREFIX;
  private String nick = DEFAULT_NICK;
  private String logDir = DEFAULT_LOG_DIR;
  private long requestTimeoutMs = DEFAULT_REQUEST_TIMEOUT_MS;
  private int maxInboundMessageBytes = DEFAULT_MAX_INBOUND_MESSAGE_BYTES;
  private int maxPendingRequests = DEFAULT_MAX_PENDING_REQUESTS;
  private int maxSockets = DEFAULT_MAX_SOCKETS;
  private int maxQueuedBytesPerSocket = DEFAULT_MAX_QUEUED_BYTES_PER_SOCKET;

  public UiOptions() {
  }

  public UiOptions(UiOptions other) {
    this.httpHost = other.httpHost;
    this.httpPort = other.httpPort;
    this.eventBusPrefix = other.eventBusPrefix;
    this.nick = other.nick;
    this.logDir = other.logDir;
    this.requestTimeoutMs = other.requestTimeoutMs;
    this.maxInboundMessageBytes = other.maxInboundMessageBytes;
    this.maxPendingRequests = other.maxPendingRequests;
    this.maxSockets = other.maxSockets;
    this.maxQueuedBytesPerSocket = other.maxQueuedBytesPerSocket;
  }

  /**
   * Reads the node's config keys ({@code http.host}, {@code http.port}, {@code eventBusPrefix},
   * {@code nick}, {@code logDir}), nested ({@code "http": {"port": 8080}}) or flat dotted
   * ({@code "http.port": 8080}); missing keys keep their defaults.
   *
   * @throws IllegalArgumentException for a value out of range or of the wrong type
   */
  public UiOptions(JsonObject config) {
    this();
    try {
      ConfigReader r = new ConfigReader(ConfigLoader.expand(config, CONFIG_KEYS));
      setHttpHost(r.string("http.host", DEFAULT_HTTP_HOST));
      setHttpPort(r.port("http.port", DEFAULT_HTTP_PORT, true));
      setEventBusPrefix(r.string("eventBusPrefix", DEFAULT_EVENT_BUS_PREFIX));
      setNick(r.string("nick", DEFAULT_NICK));
      setLogDir(r.string("logDir", DEFAULT_LOG_DIR));
    } catch (ConfigException e) {
      throw new IllegalArgumentException(e.getMessage());
    }
  }

  public String getHttpHost() {
    return httpHost;
  }

  public UiOptions setHttpHost(String httpHost) {
    Objects.requireNonNull(httpHost, "httpHost");
    if (httpHost.isBlank()) {
      throw new IllegalArgumentException("http.host must not be blank");
    }
    this.httpHost = httpHost;
    return this;
  }

  public int getHttpPort() {
    return httpPort;
  }

  public UiOptions setHttpPort(int httpPort) {
    if (httpPort < 0 || httpPort > 65535) {
      throw new IllegalArgumentException("http.port must be 0..65535, got " + httpPort);
    }
    this.httpPort = httpPort;
    return this;
  }

  public String getEventBusPrefix() {
    return eventBusPrefix;
  }

  public UiOptions setEventBusPrefix(String eventBusPrefix) {
    Objects.requireNonNull(eventBusPrefix, "eventBusPrefix");
    if (eventBusPrefix.isBlank()) {
      throw new IllegalArgumentException("eventBusPrefix must not be blank");
    }
    this.eventBusPrefix = eventBusPrefix;
    return this;
  }

  public String getNick() {
    return nick;
  }

  public UiOptions setNick(String nick) {
    this.nick = nick == null ? DEFAULT_NICK : nick;
    return this;
  }

  public String getLogDir() {
    return logDir;
  }

  public UiOptions setLogDir(String logDir) {
    Objects.requireNonNull(logDir, "logDir");
    this.logDir = logDir;
    return this;
  }

  public long getRequestTimeoutMs() {
    return requestTimeoutMs;
  }

  public UiOptions setRequestTimeoutMs(long requestTimeoutMs) {
    positive("requestTimeoutMs", requestTimeoutMs);
    this.requestTimeoutMs = requestTimeoutMs;
    return this;
  }

  public int getMaxInboundMessageBytes() {
    return maxInboundMessageBytes;
  }

  public UiOptions setMaxInboundMessageBytes(int maxInboundMessageBytes) {
    positive("maxInboundMessageBytes", maxInboundMessageBytes);
    this.maxInboundMessageBytes = maxInboundMessageBytes;
    return this;
  }

  public int getMaxPendingRequests() {
    return maxPendingRequests;
  }

  public UiOptions setMaxPendingRequests(int maxPendingRequests) {
    positive("maxPendingRequests", maxPendingRequests);
    this.maxPendingRequests = maxPendingRequests;
    return this;
  }

  public int getMaxSockets() {
    return maxSockets;
  }

  public UiOptions setMaxSockets(int maxSockets) {
    positive("maxSockets", maxSockets);
    this.maxSockets = maxSockets;
    return this;
  }

  public int getMaxQueuedBytesPerSocket() {
    return maxQueuedBytesPerSocket;
  }

  public UiOptions setMaxQueuedBytesPerSocket(int maxQueuedBytesPerSocket) {
    positive("maxQueuedBytesPerSocket", maxQueuedBytesPerSocket);
    this.maxQueuedBytesPerSocket = maxQueuedBytesPerSocket;
    return this;
  }

  private static void positive(String name, long value) {
    if (value <= 0) {
      throw new IllegalArgumentException(name + " must be > 0, got " + value);
    }
  }
}
