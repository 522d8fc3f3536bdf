package io.p2pchat.client;

import io.p2pchat.client.impl.Checks;
import io.p2pchat.common.ConfigException;
import io.p2pchat.crypto.CipherSuite;
import io.p2pchat.node.HttpProxy;
import io.p2pchat.node.NodeOptions;
import io.p2pchat.wire.Control;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Objects;

/**
 * The configuration of one client node, typed: every property is one key of the node's JSON config
 * (README, "Configuration", client node table), and {@link #toJson()} is the nested form
 * {@code conf/chat.json} uses ({@code {"nick": …, "rendezvous": {"host": …, "port": …}, "bind": {…},
 * "http": {…}, …}}).
 * <p>
 * A property never set keeps its default (the {@code DEFAULT_*} constants, those of
 * {@link NodeOptions}) and is left out of {@link #toJson()}, so {@code new ChatNodeOptions(json).toJson()}
 * equals {@code json}. Setters check their value at once and throw {@link IllegalArgumentException}
 * naming the key and the rule, the same rules the node applies when it starts; a {@code null}
 * argument unsets the key. The node still checks the whole config when it is deployed.
 */
public class ChatNodeOptions {

  /** The room everyone lands in unless they say otherwise. */
  public static final String DEFAULT_ROOM = NodeOptions.DEFAULT_ROOM;
  /** The rendezvous on this machine: the demo's. */
  public static final String DEFAULT_RENDEZVOUS_HOST = NodeOptions.DEFAULT_RENDEZVOUS_HOST;
  /** The port {@code conf/rendezvous.json} listens on. */
  public static final int DEFAULT_RENDEZVOUS_PORT = NodeOptions.DEFAULT_RENDEZVOUS_PORT;
  /** See {@link NodeOptions#DEFAULT_RENDEZVOUS_DOWN_AFTER_SECONDS}: a failover over before users wonder. */
  public static final int DEFAULT_RENDEZVOUS_DOWN_AFTER_SECONDS = NodeOptions.DEFAULT_RENDEZVOUS_DOWN_AFTER_SECONDS;
  /** The rendezvous's default HTTPS port for the TLS fallback (its {@code tls.port}). */
  public static final int DEFAULT_RENDEZVOUS_TLS_PORT = NodeOptions.DEFAULT_RENDEZVOUS_TLS_PORT;
  /** See {@link NodeOptions#DEFAULT_TLS_FALLBACK_SECONDS}: UDP unanswered this long means it is blocked. */
  public static final int DEFAULT_TLS_FALLBACK_SECONDS = NodeOptions.DEFAULT_TLS_FALLBACK_SECONDS;
  /** All interfaces, so peers on the LAN and beyond the NAT can reach the socket. */
  public static final String DEFAULT_BIND_HOST = NodeOptions.DEFAULT_BIND_HOST;
  /** Every IPv6 interface besides an IPv4 socket on every interface (else off); {@code "none"} turns IPv6 off. */
  public static final String DEFAULT_BIND_HOST6 = NodeOptions.DEFAULT_BIND_HOST6;
  /** Any free port: two nodes on one machine never collide. */
  public static final int DEFAULT_BIND_PORT = NodeOptions.DEFAULT_BIND_PORT;
  /** See {@link NodeOptions#DEFAULT_KEEP_ALIVE_SECONDS}: under the NAT mappings' 30 s. */
  public static final int DEFAULT_KEEP_ALIVE_SECONDS = NodeOptions.DEFAULT_KEEP_ALIVE_SECONDS;
  /** See {@link NodeOptions#DEFAULT_PUNCH_TIMEOUT_SECONDS}: covers lossy, slow links. */
  public static final int DEFAULT_PUNCH_TIMEOUT_SECONDS = NodeOptions.DEFAULT_PUNCH_TIMEOUT_SECONDS;
  /** A message not acknowledged by a peer within this time is reported failed. */
  public static final int DEFAULT_DELIVERY_DEADLINE_SECONDS = NodeOptions.DEFAULT_DELIVERY_DEADLINE_SECONDS;
  /** No console: an embedded node's stdin and stdout belong to the application. */
  public static final boolean DEFAULT_CONSOLE = false;
  /** Loopback only: the web UI drives the node, so by default only this machine may reach it. */
  public static final String DEFAULT_HTTP_HOST = "127.0.0.1";
  /** The prefix of every event-bus address of the node ({@code p2pchat.chat.send} …). */
  public static final String DEFAULT_EVENT_BUS_PREFIX = NodeOptions.DEFAULT_EVENT_BUS_PREFIX;
  /** See {@link NodeOptions#DEFAULT_CIPHER}: AES-GCM has AES-NI intrinsics on Java 17. */
  public static final CipherSuite DEFAULT_CIPHER = NodeOptions.DEFAULT_CIPHER;
  /** Where {@code <nick>.log} goes when the application's logging configuration uses it. */
  public static final String DEFAULT_LOG_DIR = NodeOptions.DEFAULT_LOG_DIR;

  /** Shortest and longest port numbers; 0 (any free port) only where a key allows it. */
  private static final int ANY_PORT = 0;
  private static final int MIN_PORT = 1;
  private static final int MAX_PORT = 65535;
  /** Smallest value of a positive count of seconds. */
  private static final int MIN_SECONDS = 1;

  private static final List<String> TOP_KEYS = List.of("nick", "room", "roomSecret", "rendezvous", "bind",
    "keepAliveSeconds", "punchTimeoutSeconds", "stunServers", "deliveryDeadlineSeconds", "mailbox", "events", "console", "http",
    "extensions", NodeOptions.EXTENSION_CONFIG, "eventBusPrefix", "dataDir", "keyFile", "cipher", "logDir");
  private static final List<String> RENDEZVOUS_KEYS = List.of("host", "port", "host6", "port6", "key", "servers",
    "downAfterSeconds", "tls");
  private static final List<String> TLS_KEYS = List.of("port", "fingerprint", "verify", "fallbackSeconds", "proxy");
  private static final List<String> ADDRESS_KEYS = List.of("host", "port");
  /** The keys of {@code bind}: the IPv4 address and port, and the IPv6 address. */
  private static final List<String> BIND_KEYS = List.of("host", "host6", "port");
  /** The keys of {@code mailbox} as an object (it may also be just {@code false}). */
  private static final List<String> MAILBOX_KEYS = List.of("enabled", "roomWindowDays");
  /** The keys of {@code events}. */
  private static final List<String> EVENTS_KEYS = List.of("perMessage");

  private String nick;
  private String room;
  private String roomSecret;
  private String rendezvousHost;
  private Integer rendezvousPort;
  private String rendezvousHost6;
  private Integer rendezvousPort6;
  private String rendezvousKey;
  private List<String> rendezvousServers;
  private Integer rendezvousDownAfterSeconds;
  private Integer rendezvousTlsPort;
  private String rendezvousTlsFingerprint;
  private Boolean rendezvousTlsVerify;
  private Integer rendezvousTlsFallbackSeconds;
  private String rendezvousTlsProxy;
  private String bindHost;
  private String bindHost6;
  private Integer bindPort;
  private Integer keepAliveSeconds;
  private Integer punchTimeoutSeconds;
  private List<String> stunServers;
  private Integer deliveryDeadlineSeconds;
  private Boolean mailbox;
  private Integer mailboxRoomWindowDays;
  private Boolean console;
  private Boolean eventsPerMessage;
  private String httpHost;
  private Integer httpPort;
  /** {@code metrics.*}: null when not set (off). */
  private io.p2pchat.metrics.MetricsOptions metrics;
  private List<String> extensions;
  private JsonObject extensionConfig;
  private String eventBusPrefix;
  private String dataDir;
  private String keyFile;
  private CipherSuite cipher;
  private String logDir;

  /** Options with every key unset: its default. A node needs at least {@link #setNick(String)}. */
  public ChatNodeOptions() {
  }

  /** A copy of {@code other}. */
  public ChatNodeOptions(ChatNodeOptions other) {
    this(other.toJson());
  }

  /**
   * Options from a node config in the nested form of {@code conf/chat.json}.
   *
   * @throws IllegalArgumentException on an unknown key, a value of the wrong type or one a setter refuses
   */
  public ChatNodeOptions(JsonObject json) {
    Checks.onlyKnown(json, "", TOP_KEYS);
    setNick(Checks.string(json, "nick", "nick"));
    setRoom(Checks.string(json, "room", "room"));
    setRoomSecret(Checks.string(json, "roomSecret", "roomSecret"));
    JsonObject rendezvous = Checks.group(json, "rendezvous");
    Checks.onlyKnown(rendezvous, "rendezvous.", RENDEZVOUS_KEYS);
    setRendezvousHost(Checks.string(rendezvous, "host", "rendezvous.host"));
    rendezvousPort = port("rendezvous.port", Checks.integer(rendezvous, "port", "rendezvous.port"), MIN_PORT);
    setRendezvousHost6(Checks.string(rendezvous, "host6", "rendezvous.host6"));
    rendezvousPort6 = port("rendezvous.port6", Checks.integer(rendezvous, "port6", "rendezvous.port6"), MIN_PORT);
    setRendezvousKey(Checks.string(rendezvous, "key", "rendezvous.key"));
    setRendezvousServers(Checks.stringList(rendezvous, "servers", "rendezvous.servers"));
    rendezvousDownAfterSeconds = seconds("rendezvous.downAfterSeconds",
      Checks.integer(rendezvous, "downAfterSeconds", "rendezvous.downAfterSeconds"),
      NodeOptions.MIN_RENDEZVOUS_DOWN_AFTER_SECONDS, NodeOptions.MAX_TIMING_SECONDS);
    JsonObject tls = Checks.group(rendezvous, "tls");
    Checks.onlyKnown(tls, "rendezvous.tls.", TLS_KEYS);
    Long tlsPort = Checks.integer(tls, "port", "rendezvous.tls.port");
    if (tlsPort != null) {
      setRendezvousTlsPort(Checks.range("rendezvous.tls.port", tlsPort, NodeOptions.NO_TLS_FALLBACK, MAX_PORT));
    }
    setRendezvousTlsFingerprint(Checks.string(tls, "fingerprint", "rendezvous.tls.fingerprint"));
    rendezvousTlsVerify = Checks.bool(tls, "verify", "rendezvous.tls.verify");
    rendezvousTlsFallbackSeconds = seconds("rendezvous.tls.fallbackSeconds",
      Checks.integer(tls, "fallbackSeconds", "rendezvous.tls.fallbackSeconds"), MIN_SECONDS, NodeOptions.MAX_TIMING_SECONDS);
    setRendezvousTlsProxy(Checks.string(tls, "proxy", "rendezvous.tls.proxy"));
    JsonObject bind = Checks.group(json, "bind");
    Checks.onlyKnown(bind, "bind.", BIND_KEYS);
    setBindHost(Checks.string(bind, "host", "bind.host"));
    setBindHost6(Checks.string(bind, "host6", "bind.host6"));
    bindPort = port("bind.port", Checks.integer(bind, "port", "bind.port"), ANY_PORT);
    keepAliveSeconds = seconds("keepAliveSeconds", Checks.integer(json, "keepAliveSeconds", "keepAliveSeconds"),
      MIN_SECONDS, NodeOptions.MAX_TIMING_SECONDS);
    punchTimeoutSeconds = seconds("punchTimeoutSeconds",
      Checks.integer(json, "punchTimeoutSeconds", "punchTimeoutSeconds"), MIN_SECONDS, NodeOptions.MAX_PUNCH_TIMEOUT_SECONDS);
    setStunServers(Checks.stringList(json, "stunServers", "stunServers"));
    deliveryDeadlineSeconds = seconds("deliveryDeadlineSeconds",
      Checks.integer(json, "deliveryDeadlineSeconds", "deliveryDeadlineSeconds"),
      MIN_SECONDS, NodeOptions.MAX_DELIVERY_DEADLINE_SECONDS);
    Object box = json.getValue("mailbox");
    if (box instanceof Boolean enabled) {
      mailbox = enabled;
    } else {
      JsonObject group = Checks.group(json, "mailbox");
      Checks.onlyKnown(group, "mailbox.", MAILBOX_KEYS);
      mailbox = Checks.bool(group, "enabled", "mailbox.enabled");
      Long days = Checks.integer(group, "roomWindowDays", "mailbox.roomWindowDays");
      if (days != null) {
        setMailboxRoomWindowDays(Checks.range("mailbox.roomWindowDays", days, 1, NodeOptions.MAX_MAILBOX_ROOM_WINDOW_DAYS));
      }
    }
    JsonObject eventsGroup = Checks.group(json, "events");
    Checks.onlyKnown(eventsGroup, "events.", EVENTS_KEYS);
    eventsPerMessage = Checks.bool(eventsGroup, "perMessage", "events.perMessage");
    console = Checks.bool(json, "console", "console");
    JsonObject http = Checks.group(json, "http");
    Checks.onlyKnown(http, "http.", ADDRESS_KEYS);
    setHttpHost(Checks.string(http, "host", "http.host"));
    httpPort = port("http.port", Checks.integer(http, "port", "http.port"), ANY_PORT);
    JsonObject metricsGroup = Checks.group(json, io.p2pchat.metrics.MetricsOptions.GROUP);
    Checks.onlyKnown(metricsGroup, "metrics.", ADDRESS_KEYS);
    metrics = metricsGroup == null || metricsGroup.isEmpty() ? null : new io.p2pchat.metrics.MetricsOptions(metricsGroup);
    setExtensions(Checks.stringList(json, "extensions", "extensions"));
    Object extra = json.getValue(NodeOptions.EXTENSION_CONFIG);
    if (extra != null && !(extra instanceof JsonObject)) {
      throw new IllegalArgumentException(NodeOptions.EXTENSION_CONFIG + " must be an object (got " + extra + ")");
    }
    setExtensionConfig((JsonObject) extra);
    setEventBusPrefix(Checks.string(json, "eventBusPrefix", "eventBusPrefix"));
    setDataDir(Checks.string(json, "dataDir", "dataDir"));
    setKeyFile(Checks.string(json, "keyFile", "keyFile"));
    String suite = Checks.string(json, "cipher", "cipher");
    if (suite != null) {
      try {
        cipher = CipherSuite.valueOf(suite);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("cipher must be AES_GCM or CHACHA20_POLY1305 (got \"" + suite + "\")");
      }
    }
    setLogDir(Checks.string(json, "logDir", "logDir"));
  }

  private static Integer port(String key, Long value, int min) {
    return value == null ? null : Checks.range(key, value, min, MAX_PORT);
  }

  private static Integer seconds(String key, Long value, int min, int max) {
    return value == null ? null : Checks.range(key, value, min, max);
  }

  /**
   * The node config in the nested form of {@code conf/chat.json}, with only the keys that were set:
   * what {@link ChatNode#deploy} gives {@code io.p2pchat.node.ChatNodeVerticle}.
   */
  public JsonObject toJson() {
    JsonObject json = new JsonObject();
    Checks.putIfSet(json, "nick", nick);
    Checks.putIfSet(json, "room", room);
    Checks.putIfSet(json, "roomSecret", roomSecret);
    JsonObject rendezvous = new JsonObject();
    Checks.putIfSet(rendezvous, "host", rendezvousHost);
    Checks.putIfSet(rendezvous, "port", rendezvousPort);
    Checks.putIfSet(rendezvous, "host6", rendezvousHost6);
    Checks.putIfSet(rendezvous, "port6", rendezvousPort6);
    Checks.putIfSet(rendezvous, "key", rendezvousKey);
    Checks.putIfSet(rendezvous, "servers", rendezvousServers);
    Checks.putIfSet(rendezvous, "downAfterSeconds", rendezvousDownAfterSeconds);
    JsonObject tls = new JsonObject();
    Checks.putIfSet(tls, "port", rendezvousTlsPort);
    Checks.putIfSet(tls, "fingerprint", rendezvousTlsFingerprint);
    Checks.putIfSet(tls, "verify", rendezvousTlsVerify);
    Checks.putIfSet(tls, "fallbackSeconds", rendezvousTlsFallbackSeconds);
    Checks.putIfSet(tls, "proxy", rendezvousTlsProxy);
    Checks.putIfSet(rendezvous, "tls", tls.isEmpty() ? null : tls);
    Checks.putIfSet(json, "rendezvous", rendezvous.isEmpty() ? null : rendezvous);
    JsonObject bind = new JsonObject();
    Checks.putIfSet(bind, "host", bindHost);
    Checks.putIfSet(bind, "host6", bindHost6);
    Checks.putIfSet(bind, "port", bindPort);
    Checks.putIfSet(json, "bind", bind.isEmpty() ? null : bind);
    Checks.putIfSet(json, "keepAliveSeconds", keepAliveSeconds);
    Checks.putIfSet(json, "punchTimeoutSeconds", punchTimeoutSeconds);
    Checks.putIfSet(json, "stunServers", stunServers);
    Checks.putIfSet(json, "deliveryDeadlineSeconds", deliveryDeadlineSeconds);
    if (mailboxRoomWindowDays != null) {
      JsonObject box = new JsonObject();
      Checks.putIfSet(box, "enabled", mailbox);
      box.put("roomWindowDays", mailboxRoomWindowDays);
      json.put("mailbox", box);
    } else {
      Checks.putIfSet(json, "mailbox", mailbox);
    }
    Checks.putIfSet(json, "events", eventsPerMessage == null ? null : new JsonObject().put("perMessage", eventsPerMessage));
    Checks.putIfSet(json, "console", console);
    JsonObject http = new JsonObject();
    Checks.putIfSet(http, "host", httpHost);
    Checks.putIfSet(http, "port", httpPort);
    Checks.putIfSet(json, "http", http.isEmpty() ? null : http);
    Checks.putIfSet(json, io.p2pchat.metrics.MetricsOptions.GROUP, metrics == null ? null : metrics.toJson());
    Checks.putIfSet(json, "extensions", extensions);
    Checks.putIfSet(json, NodeOptions.EXTENSION_CONFIG, extensionConfig == null ? null : extensionConfig.copy());
    Checks.putIfSet(json, "eventBusPrefix", eventBusPrefix);
    Checks.putIfSet(json, "dataDir", dataDir);
    Checks.putIfSet(json, "keyFile", keyFile);
    Checks.putIfSet(json, "cipher", cipher == null ? null : cipher.name());
    Checks.putIfSet(json, "logDir", logDir);
    return json;
  }

  /** {@code nick}, required: 1 to 32 letters, digits, {@code _ . -}; or null if not set yet. */
  public String getNick() {
    return nick;
  }

  /** Sets {@code nick}, the name peers know this node by (1 to 32 letters, digits, {@code _ . -}). */
  public ChatNodeOptions setNick(String nick) {
    this.nick = Checks.matching("nick", nick, Control.NICK_PATTERN, NodeOptions.NICK_RULE);
    return this;
  }

  /** {@code room}: peers are introduced, listed and broadcast to only within their room. */
  public String getRoom() {
    return room != null ? room : DEFAULT_ROOM;
  }

  /** Sets {@code room} (1 to 64 letters, digits, {@code _ . -}). */
  public ChatNodeOptions setRoom(String room) {
    this.room = Checks.matching("room", room, Control.ROOM_PATTERN, NodeOptions.ROOM_RULE);
    return this;
  }

  /** {@code roomSecret}: the secret of a private room, or null for a public one. */
  public String getRoomSecret() {
    return roomSecret;
  }

  /** Sets {@code roomSecret}: at least {@link NodeOptions#MIN_ROOM_SECRET} characters, or null. */
  public ChatNodeOptions setRoomSecret(String roomSecret) {
    if (roomSecret != null && roomSecret.length() < NodeOptions.MIN_ROOM_SECRET) {
      throw new IllegalArgumentException("roomSecret must be at least " + NodeOptions.MIN_ROOM_SECRET
        + " characters: anyone who can start a handshake may test guesses of it offline");
    }
    this.roomSecret = roomSecret;
    return this;
  }

  /** {@code rendezvous.host}. */
  public String getRendezvousHost() {
    return rendezvousHost != null ? rendezvousHost : DEFAULT_RENDEZVOUS_HOST;
  }

  /** Sets {@code rendezvous.host} (not empty). */
  public ChatNodeOptions setRendezvousHost(String host) {
    this.rendezvousHost = Checks.nonBlank("rendezvous.host", host);
    return this;
  }

  /** {@code rendezvous.port}. */
  public int getRendezvousPort() {
    return rendezvousPort != null ? rendezvousPort : DEFAULT_RENDEZVOUS_PORT;
  }

  /** Sets {@code rendezvous.port} (1 to 65535). */
  public ChatNodeOptions setRendezvousPort(int port) {
    this.rendezvousPort = Checks.range("rendezvous.port", port, MIN_PORT, MAX_PORT);
    return this;
  }

  /**
   * {@code rendezvous.host6}: the same rendezvous's IPv6 address, where a dual-stack node registers its IPv6
   * address too; null if not set (the node registers over {@code rendezvous.host}'s family only).
   */
  public String getRendezvousHost6() {
    return rendezvousHost6;
  }

  /** Sets {@code rendezvous.host6} (an IPv6 literal such as {@code 2001:db8::7}; checked when the node starts). */
  public ChatNodeOptions setRendezvousHost6(String host6) {
    this.rendezvousHost6 = Checks.nonBlank("rendezvous.host6", host6);
    return this;
  }

  /** {@code rendezvous.port6}: the rendezvous's UDP port at {@code rendezvous.host6}, {@code rendezvous.port} unless set. */
  public int getRendezvousPort6() {
    return rendezvousPort6 != null ? rendezvousPort6 : getRendezvousPort();
  }

  /** Sets {@code rendezvous.port6} (1 to 65535). */
  public ChatNodeOptions setRendezvousPort6(int port) {
    this.rendezvousPort6 = Checks.range("rendezvous.port6", port, MIN_PORT, MAX_PORT);
    return this;
  }

  /**
   * {@code rendezvous.key}: the key of {@code rendezvous.host} as its rendezvous prints it (public key or
   * fingerprint); null if not set (the key is trusted on first use and remembered in {@code known_servers}).
   */
  public String getRendezvousKey() {
    return rendezvousKey;
  }

  /** Sets {@code rendezvous.key} (44 base64 characters or a 40-hex-digit fingerprint; null unsets it). */
  public ChatNodeOptions setRendezvousKey(String key) {
    if (key != null) {
      parseKey("rendezvous.key", key);
    }
    this.rendezvousKey = key;
    return this;
  }

  /** {@code rendezvous.servers}: several instances ({@code host:port} or {@code host:port#KEY}) tried in order; empty if not set. */
  public List<String> getRendezvousServers() {
    return rendezvousServers != null ? rendezvousServers : List.of();
  }

  /** Sets {@code rendezvous.servers} (each {@code host:port} or {@code [ipv6]:port}, optionally {@code #KEY}). */
  public ChatNodeOptions setRendezvousServers(List<String> servers) {
    List<String> checked = Checks.strings("rendezvous.servers", servers);
    if (checked != null) {
      List<String> addresses = new java.util.ArrayList<>();
      for (String entry : checked) {
        int hash = entry.indexOf(NodeOptions.SERVER_KEY_SEPARATOR);
        if (hash >= 0) {
          parseKey("rendezvous.servers", entry.substring(hash + 1));
        }
        addresses.add(hash < 0 ? entry : entry.substring(0, hash));
      }
      Checks.hostPorts("rendezvous.servers", addresses);
    }
    this.rendezvousServers = checked;
    return this;
  }

  private static void parseKey(String key, String text) {
    try {
      io.p2pchat.control.ServerKey.parse(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(key + ": " + e.getMessage(), e);
    }
  }

  /** {@code rendezvous.downAfterSeconds}. */
  public int getRendezvousDownAfterSeconds() {
    return rendezvousDownAfterSeconds != null ? rendezvousDownAfterSeconds : DEFAULT_RENDEZVOUS_DOWN_AFTER_SECONDS;
  }

  /** Sets {@code rendezvous.downAfterSeconds} (3 to 3600). */
  public ChatNodeOptions setRendezvousDownAfterSeconds(int seconds) {
    this.rendezvousDownAfterSeconds = Checks.range("rendezvous.downAfterSeconds", seconds,
      NodeOptions.MIN_RENDEZVOUS_DOWN_AFTER_SECONDS, NodeOptions.MAX_TIMING_SECONDS);
    return this;
  }

  /** {@code rendezvous.tls.port}: the rendezvous's HTTPS port for the TLS fallback, -1 for none. */
  public int getRendezvousTlsPort() {
    return rendezvousTlsPort != null ? rendezvousTlsPort : DEFAULT_RENDEZVOUS_TLS_PORT;
  }

  /** Sets {@code rendezvous.tls.port} (1 to 65535, or -1: never fall back to TLS). */
  public ChatNodeOptions setRendezvousTlsPort(Integer port) {
    if (port != null && (port == 0 || port < NodeOptions.NO_TLS_FALLBACK || port > MAX_PORT)) {
      throw new IllegalArgumentException("rendezvous.tls.port must be a port from 1 to 65535, or -1 for no TLS fallback (got "
        + port + ")");
    }
    this.rendezvousTlsPort = port;
    return this;
  }

  /** {@code rendezvous.tls.fingerprint}: the pinned certificate fingerprint as given, or null. */
  public String getRendezvousTlsFingerprint() {
    return rendezvousTlsFingerprint;
  }

  /** Sets {@code rendezvous.tls.fingerprint}: the certificate's SHA-256 as the rendezvous prints it (64 hex digits, spaces allowed). */
  public ChatNodeOptions setRendezvousTlsFingerprint(String fingerprint) {
    if (fingerprint != null && !fingerprint.replaceAll("\\s", "").matches("[0-9a-fA-F]{64}")) {
      throw new IllegalArgumentException("rendezvous.tls.fingerprint must be the SHA-256 of the certificate, 64 hex digits"
        + " as the rendezvous prints them (got \"" + fingerprint + "\")");
    }
    this.rendezvousTlsFingerprint = fingerprint;
    return this;
  }

  /** {@code rendezvous.tls.verify}: the platform's trust store and host name check the certificate. */
  public boolean isRendezvousTlsVerify() {
    return rendezvousTlsVerify != null && rendezvousTlsVerify;
  }

  /** Sets {@code rendezvous.tls.verify}. */
  public ChatNodeOptions setRendezvousTlsVerify(Boolean verify) {
    this.rendezvousTlsVerify = verify;
    return this;
  }

  /** {@code rendezvous.tls.fallbackSeconds}: UDP registrations unanswered this long start the TLS fallback. */
  public int getRendezvousTlsFallbackSeconds() {
    return rendezvousTlsFallbackSeconds != null ? rendezvousTlsFallbackSeconds : DEFAULT_TLS_FALLBACK_SECONDS;
  }

  /** Sets {@code rendezvous.tls.fallbackSeconds} (1 to 3600). */
  public ChatNodeOptions setRendezvousTlsFallbackSeconds(int seconds) {
    this.rendezvousTlsFallbackSeconds = Checks.range("rendezvous.tls.fallbackSeconds", seconds, MIN_SECONDS,
      NodeOptions.MAX_TIMING_SECONDS);
    return this;
  }

  /** {@code rendezvous.tls.proxy}: the HTTP proxy of the TLS fallback as given (credentials included), or null. */
  public String getRendezvousTlsProxy() {
    return rendezvousTlsProxy;
  }

  /**
   * Sets {@code rendezvous.tls.proxy}: {@code http://host:port} or {@code http://user:password@host:port},
   * the HTTP proxy the TLS fallback asks for a CONNECT tunnel; {@code "none"} or null: none.
   */
  public ChatNodeOptions setRendezvousTlsProxy(String proxy) {
    if (proxy != null && !proxy.isBlank() && !proxy.trim().equalsIgnoreCase(HttpProxy.NONE)) {
      try {
        HttpProxy.parse("rendezvous.tls.proxy", proxy);
      } catch (ConfigException e) {
        throw new IllegalArgumentException(e.getMessage());
      }
    }
    this.rendezvousTlsProxy = proxy;
    return this;
  }

  /** {@code bind.host}: the address of the node's UDP socket. */
  public String getBindHost() {
    return bindHost != null ? bindHost : DEFAULT_BIND_HOST;
  }

  /** Sets {@code bind.host} (not empty). */
  public ChatNodeOptions setBindHost(String host) {
    this.bindHost = Checks.nonBlank("bind.host", host);
    return this;
  }

  /**
   * {@code bind.host6}: the address of the node's IPv6 socket ({@code "none"} or {@code ""}: IPv4 only);
   * unset, {@code ::} when {@code bind.host} is {@code 0.0.0.0}, else none.
   */
  public String getBindHost6() {
    return bindHost6 != null ? bindHost6 : io.p2pchat.common.DualStackSocket.defaultHost6(getBindHost());
  }

  /** Sets {@code bind.host6}: an IPv6 address, {@code "::"} for every interface, {@code "none"} or {@code ""} for none. */
  public ChatNodeOptions setBindHost6(String host6) {
    this.bindHost6 = host6;
    return this;
  }

  /** {@code bind.port}: 0 is any free port. */
  public int getBindPort() {
    return bindPort != null ? bindPort : DEFAULT_BIND_PORT;
  }

  /** Sets {@code bind.port} (0 to 65535). */
  public ChatNodeOptions setBindPort(int port) {
    this.bindPort = Checks.range("bind.port", port, ANY_PORT, MAX_PORT);
    return this;
  }

  /** {@code keepAliveSeconds}. */
  public int getKeepAliveSeconds() {
    return keepAliveSeconds != null ? keepAliveSeconds : DEFAULT_KEEP_ALIVE_SECONDS;
  }

  /** Sets {@code keepAliveSeconds} (1 to 3600). */
  public ChatNodeOptions setKeepAliveSeconds(int seconds) {
    this.keepAliveSeconds = Checks.range("keepAliveSeconds", seconds, MIN_SECONDS, NodeOptions.MAX_TIMING_SECONDS);
    return this;
  }

  /** {@code punchTimeoutSeconds}. */
  public int getPunchTimeoutSeconds() {
    return punchTimeoutSeconds != null ? punchTimeoutSeconds : DEFAULT_PUNCH_TIMEOUT_SECONDS;
  }

  /** Sets {@code punchTimeoutSeconds} (1 to 600). */
  public ChatNodeOptions setPunchTimeoutSeconds(int seconds) {
    this.punchTimeoutSeconds = Checks.range("punchTimeoutSeconds", seconds, MIN_SECONDS,
      NodeOptions.MAX_PUNCH_TIMEOUT_SECONDS);
    return this;
  }

  /** {@code stunServers}: STUN servers asked besides the rendezvous; empty if not set. */
  public List<String> getStunServers() {
    return stunServers != null ? stunServers : List.of();
  }

  /** Sets {@code stunServers} (each {@code host:port}). */
  public ChatNodeOptions setStunServers(List<String> servers) {
    this.stunServers = Checks.hostPorts("stunServers", servers);
    return this;
  }

  /** {@code deliveryDeadlineSeconds}. */
  public int getDeliveryDeadlineSeconds() {
    return deliveryDeadlineSeconds != null ? deliveryDeadlineSeconds : DEFAULT_DELIVERY_DEADLINE_SECONDS;
  }

  /** Sets {@code deliveryDeadlineSeconds} (1 to 86400). */
  public ChatNodeOptions setDeliveryDeadlineSeconds(int seconds) {
    this.deliveryDeadlineSeconds = Checks.range("deliveryDeadlineSeconds", seconds, MIN_SECONDS,
      NodeOptions.MAX_DELIVERY_DEADLINE_SECONDS);
    return this;
  }

  /** {@code mailbox}: messages for a known peer who is offline wait in its mailbox at the rendezvous. */
  public boolean isMailbox() {
    return mailbox != null ? mailbox : true;
  }

  /** Sets {@code mailbox} ({@code false}: a message to a peer who is away fails, as before issue 17). */
  public ChatNodeOptions setMailbox(boolean mailbox) {
    this.mailbox = mailbox;
    return this;
  }

  /** {@code mailbox.roomWindowDays}: room messages are queued for members talked with there within this many days. */
  public int getMailboxRoomWindowDays() {
    return mailboxRoomWindowDays != null ? mailboxRoomWindowDays : NodeOptions.DEFAULT_MAILBOX_ROOM_WINDOW_DAYS;
  }

  /** Sets {@code mailbox.roomWindowDays} (1 to 365). */
  public ChatNodeOptions setMailboxRoomWindowDays(int days) {
    this.mailboxRoomWindowDays = Checks.range("mailbox.roomWindowDays", days, 1,
      NodeOptions.MAX_MAILBOX_ROOM_WINDOW_DAYS);
    return this;
  }

  /**
   * {@code events.perMessage}: publish {@code chat.sent}, {@code chat.delivered} and {@code chat.received} on
   * their per-message addresses too (default {@value NodeOptions#DEFAULT_EVENTS_PER_MESSAGE}); their batched
   * forms, which {@link ChatClient} consumes, are always published.
   */
  public boolean isEventsPerMessage() {
    return eventsPerMessage != null ? eventsPerMessage : NodeOptions.DEFAULT_EVENTS_PER_MESSAGE;
  }

  /**
   * Sets {@code events.perMessage}; {@code false} only when no application subscribes to the per-message
   * addresses themselves (README, "Event-bus API").
   */
  public ChatNodeOptions setEventsPerMessage(boolean perMessage) {
    this.eventsPerMessage = perMessage;
    return this;
  }

  /** {@code console}: the interactive console on stdin/stdout. */
  public boolean isConsole() {
    return console != null ? console : DEFAULT_CONSOLE;
  }

  /** Sets {@code console}. */
  public ChatNodeOptions setConsole(boolean console) {
    this.console = console;
    return this;
  }

  /** {@code http.host}: the web UI's address. */
  public String getHttpHost() {
    return httpHost != null ? httpHost : DEFAULT_HTTP_HOST;
  }

  /** Sets {@code http.host} (not empty). */
  public ChatNodeOptions setHttpHost(String host) {
    this.httpHost = Checks.nonBlank("http.host", host);
    return this;
  }

  /** {@code http.port}: the web UI's port, or null when there is no web UI (the default). */
  public Integer getHttpPort() {
    return httpPort;
  }

  /** Sets {@code http.port} (0 to 65535; 0 = any free port), which turns the web UI on; null turns it off. */
  public ChatNodeOptions setHttpPort(Integer port) {
    this.httpPort = port == null ? null : Checks.range("http.port", port, ANY_PORT, MAX_PORT);
    return this;
  }

  /** {@code metrics.*}: where {@code /metrics}, {@code /health} and {@code /ready} are served (a copy), or null when off (the default). */
  public io.p2pchat.metrics.MetricsOptions getMetrics() {
    return metrics == null ? null : new io.p2pchat.metrics.MetricsOptions(metrics);
  }

  /** Sets {@code metrics.*} (a copy is kept); options with a port turn the metrics listener on, null turns it off. */
  public ChatNodeOptions setMetrics(io.p2pchat.metrics.MetricsOptions options) {
    this.metrics = options == null ? null : new io.p2pchat.metrics.MetricsOptions(options);
    return this;
  }

  /** {@code extensions}: verticles deployed inside the node, given its config; empty if not set. */
  public List<String> getExtensions() {
    return extensions != null ? extensions : List.of();
  }

  /** Sets {@code extensions} (verticle names, not empty). */
  public ChatNodeOptions setExtensions(List<String> extensions) {
    this.extensions = Checks.strings("extensions", extensions);
    return this;
  }

  /**
   * {@code extensionConfig}: free-form settings of the node's extensions, by convention one member
   * per extension; never checked by the node. Empty if not set.
   */
  public JsonObject getExtensionConfig() {
    return extensionConfig != null ? extensionConfig.copy() : new JsonObject();
  }

  /** Sets {@code extensionConfig} (copied; null unsets it). */
  public ChatNodeOptions setExtensionConfig(JsonObject extensionConfig) {
    this.extensionConfig = extensionConfig == null ? null : extensionConfig.copy();
    return this;
  }

  /** {@code eventBusPrefix}: the prefix of the node's event-bus addresses, the one {@link ChatClient} needs. */
  public String getEventBusPrefix() {
    return eventBusPrefix != null ? eventBusPrefix : DEFAULT_EVENT_BUS_PREFIX;
  }

  /** Sets {@code eventBusPrefix} (1 to 64 ASCII letters, digits, {@code _ . -}). */
  public ChatNodeOptions setEventBusPrefix(String prefix) {
    this.eventBusPrefix = Checks.matching("eventBusPrefix", prefix, NodeOptions.PREFIX_PATTERN, NodeOptions.PREFIX_RULE);
    return this;
  }

  /** {@code dataDir}: identity key, known peers, history; null means {@code ~/.p2pchat/<nick>}. */
  public String getDataDir() {
    return dataDir;
  }

  /** Sets {@code dataDir} (not empty). */
  public ChatNodeOptions setDataDir(String dataDir) {
    this.dataDir = Checks.nonBlank("dataDir", dataDir);
    return this;
  }

  /** {@code keyFile}: the node's long-term keys; null means {@code <dataDir>/identity.key}. */
  public String getKeyFile() {
    return keyFile;
  }

  /** Sets {@code keyFile} (not empty). */
  public ChatNodeOptions setKeyFile(String keyFile) {
    this.keyFile = Checks.nonBlank("keyFile", keyFile);
    return this;
  }

  /** {@code cipher}: every peer of a room must use the same. */
  public CipherSuite getCipher() {
    return cipher != null ? cipher : DEFAULT_CIPHER;
  }

  /** Sets {@code cipher}. */
  public ChatNodeOptions setCipher(CipherSuite cipher) {
    this.cipher = cipher;
    return this;
  }

  /** {@code logDir}: where the node's log file goes when the application's logging names it by the MDC. */
  public String getLogDir() {
    return logDir != null ? logDir : DEFAULT_LOG_DIR;
  }

  /** Sets {@code logDir} (not empty). */
  public ChatNodeOptions setLogDir(String logDir) {
    this.logDir = Checks.nonBlank("logDir", logDir);
    return this;
  }

  /** Equal when their {@link #toJson()} are. */
  @Override
  public boolean equals(Object o) {
    return o instanceof ChatNodeOptions other && toJson().equals(other.toJson());
  }

  @Override
  public int hashCode() {
    return Objects.hash(toJson().encode());
  }

  @Override
  public String toString() {
    JsonObject shown = toJson();
    if (shown.containsKey("roomSecret")) {
      shown.put("roomSecret", "…");
    }
    JsonObject tls = shown.getJsonObject("rendezvous", new JsonObject()).getJsonObject("tls");
    if (tls != null && tls.containsKey("proxy") && rendezvousTlsProxy.contains("@")) {
      tls.put("proxy", HttpProxy.parse("rendezvous.tls.proxy", rendezvousTlsProxy).toString()); // no credentials
    }
    return "ChatNodeOptions" + shown.encode();
  }
}
