package io.p2pchat.node;

import io.p2pchat.common.ConfigException;
import io.p2pchat.common.ConfigLoader;
import io.p2pchat.common.ConfigLoader.Type;
import io.p2pchat.common.ConfigReader;
import io.p2pchat.common.LanRanges;
import io.p2pchat.control.ServerKey;
import io.p2pchat.crypto.CipherSuite;
import io.p2pchat.portmap.PortMapperOptions;
import io.p2pchat.wire.Control;
import io.vertx.core.json.JsonObject;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Configuration of one client node ({@link ChatNodeVerticle} and the verticles it deploys),
 * validated once at start-up: a bad value throws {@link ConfigException} with one clear line.
 * It reads the nested form ({@code "rendezvous": {"port": 7001}}); {@link ConfigLoader#normalize}
 * with {@link #KEYS} turns a flat dotted config into it and refuses unknown keys.
 */
public final class NodeOptions {

  /** The room everyone lands in unless they say otherwise. */
  public static final String DEFAULT_ROOM = "lobby";
  public static final String DEFAULT_RENDEZVOUS_HOST = "127.0.0.1";
  public static final int DEFAULT_RENDEZVOUS_PORT = 7000;
  /** Separates a {@code rendezvous.servers} entry's address from its key: never in a host, a port or a key. */
  public static final char SERVER_KEY_SEPARATOR = '#';
  /**
   * A rendezvous that has not answered for this long is given up for the next of
   * {@code rendezvous.servers}: under 10 s, so a failover is over before users wonder. The price is
   * a keep-alive to the rendezvous every half of it (4.5 s) instead of every 10 s.
   */
  public static final int DEFAULT_RENDEZVOUS_DOWN_AFTER_SECONDS = 9;
  /** The rendezvous's own default HTTPS port ({@code tls.port}); a deployment sets 443 on both sides. */
  public static final int DEFAULT_RENDEZVOUS_TLS_PORT = 7443;
  /** {@code rendezvous.tls.port} meaning "never fall back to TLS". */
  public static final int NO_TLS_FALLBACK = -1;
  /**
   * UDP registrations unanswered this long (while the TLS port answers) mean UDP is blocked: 5 s is five
   * registers lost in a row (sent at 0, 0.25, 0.75, 1.75 and 3.75 s, the retry doubling from 250 ms), which
   * 20% loss does with odds of 1 in 3125, and still short of the 9 s after which the rendezvous is reported down.
   */
  public static final int DEFAULT_TLS_FALLBACK_SECONDS = 5;
  /** Hex digits of a pinned certificate fingerprint: SHA-256. */
  private static final int TLS_FINGERPRINT_HEX_DIGITS = 64;
  /** All interfaces, so peers on the LAN and beyond the NAT can reach the socket. */
  public static final String DEFAULT_BIND_HOST = "0.0.0.0";
  /** Any free port: two nodes on one machine never collide. */
  public static final int DEFAULT_BIND_PORT = 0;
  /**
   * The IPv6 socket's address: every interface, on the IPv4 socket's port where free, when
   * {@code bind.host} is {@code 0.0.0.0}; unset beside a specific {@code bind.host} it is off
   * ({@link io.p2pchat.common.DualStackSocket#defaultHost6}). {@code "none"} or {@code ""} turns IPv6
   * off; a machine without IPv6 runs on IPv4 with one WARN line.
   */
  public static final String DEFAULT_BIND_HOST6 = io.p2pchat.common.DualStackSocket.IPV6_WILDCARD;
  /**
   * Keep-alives on every path, both sides: Linux conntrack forgets an unanswered UDP flow after
   * 30 s and an answered one after 120 s, and many home routers are shorter still; 15 s keeps a
   * mapping alive even if one keep-alive in a row is lost.
   */
  public static final int DEFAULT_KEEP_ALIVE_SECONDS = 15;
  /** How long both sides punch before falling back to the relay: ~5 s covers lossy, slow links. */
  public static final int DEFAULT_PUNCH_TIMEOUT_SECONDS = 5;
  /** A message not acknowledged by a peer within this time is reported failed. */
  public static final int DEFAULT_DELIVERY_DEADLINE_SECONDS = 30;
  public static final String DEFAULT_EVENT_BUS_PREFIX = "p2pchat";
  public static final String DEFAULT_LOG_DIR = "logs";

  /** The node's key file inside dataDir unless {@code keyFile} says otherwise. */
  public static final String DEFAULT_KEY_FILE_NAME = "identity.key";
  /**
   * AES-GCM: Java 17 has AES-NI intrinsics for it and none for ChaCha20-Poly1305, and the JMH
   * bench measured it about 5 times faster here (docs/SECURITY.md). Every node of a room must use
   * the same suite: it is part of the Noise protocol name.
   */
  public static final CipherSuite DEFAULT_CIPHER = CipherSuite.AES_GCM;
  /** A room secret shorter than this is guessable offline by anyone who handshakes with a member. */
  public static final int MIN_ROOM_SECRET = 16;

  /*
   * The rules of the keys below, shared with io.p2pchat.client.ChatNodeOptions so that a typed setter
   * and a config file are held to the same ones (and the same words in the error).
   */
  /** What {@link Control#NICK_PATTERN} allows, as an error message says it. */
  public static final String NICK_RULE = "1 to 32 letters, digits, '_', '.' or '-'";
  /** What {@link Control#ROOM_PATTERN} allows, as an error message says it. */
  public static final String ROOM_RULE = "1 to 64 letters, digits, '_', '.' or '-'";
  /** Event-bus prefixes: ASCII only, so every address is a plain string any bridge can spell. */
  public static final Pattern PREFIX_PATTERN = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
  /** What {@link #PREFIX_PATTERN} allows, as an error message says it. */
  public static final String PREFIX_RULE = "1 to 64 letters, digits, '_', '.' or '-'";
  /** Shortest {@code rendezvous.downAfterSeconds}: keep-alives every 1.5 s, six in the 1.5 s after one goes unanswered; less would give up on one late answer. */
  public static final int MIN_RENDEZVOUS_DOWN_AFTER_SECONDS = 3;
  /** Longest timing a key takes in seconds (an hour): beyond it a node would look dead to everyone. */
  public static final int MAX_TIMING_SECONDS = 3600;
  /** Longest {@code punchTimeoutSeconds}: ten minutes of punching is already far past any NAT's patience. */
  public static final int MAX_PUNCH_TIMEOUT_SECONDS = 600;
  /** Longest {@code deliveryDeadlineSeconds}: a day, for peers that come and go. */
  public static final int MAX_DELIVERY_DEADLINE_SECONDS = 86_400;
  /**
   * Default {@code mailbox.roomWindowDays}: a room message is queued for a member who is away when we talked
   * with it in that room within the last 30 days; older acquaintances are not room members any more.
   */
  public static final int DEFAULT_MAILBOX_ROOM_WINDOW_DAYS = 30;
  /**
   * {@code lan.discovery}: on, so that two nodes on one LAN chat with no rendezvous at all (issue 19);
   * {@code false} announces nothing on the LAN (see docs/SECURITY.md for what an announcement shows).
   */
  public static final boolean DEFAULT_LAN_DISCOVERY = true;
  /**
   * {@code events.perMessage}: on, so that an application subscribed to {@code chat.sent}, {@code chat.delivered}
   * or {@code chat.received} itself gets every event: Vert.x cannot tell the node whether anyone consumes an
   * address, so only whoever configures the node can say that nobody does ({@code false}).
   */
  public static final boolean DEFAULT_EVENTS_PER_MESSAGE = true;
  /** Longest {@code mailbox.roomWindowDays}: a year. */
  public static final int MAX_MAILBOX_ROOM_WINDOW_DAYS = 365;

  /** Loopback only: the web UI drives the node, so by default only this machine may reach it. */
  public static final String DEFAULT_HTTP_HOST = "127.0.0.1";
  /**
   * The one free-form key: an object for the settings of the verticles named in {@code extensions},
   * by convention one member per extension ({@code "extensionConfig": {"echo": {...}}}). The node
   * never looks inside, so an extension's own keys do not trip the unknown-key check.
   */
  public static final String EXTENSION_CONFIG = "extensionConfig";

  /**
   * Every key a node knows, with its type: the unknown-key check ({@link ConfigLoader#normalize})
   * and the environment and system property overrides ({@link io.p2pchat.common.ConfigOverrides})
   * read this list. A dotted key's first part is a group ({@code rendezvous}, {@code bind},
   * {@code http}, {@code impair}). The README's table lists the same keys but {@code impair.*} (tests only).
   */
  public static final Map<String, Type> KEYS = new LinkedHashMap<>();

  static {
    KEYS.put("nick", Type.STRING);
    KEYS.put("room", Type.STRING);
    KEYS.put("rendezvous.host", Type.STRING);
    KEYS.put("rendezvous.port", Type.INTEGER);
    KEYS.put("rendezvous.host6", Type.STRING);
    KEYS.put("rendezvous.port6", Type.INTEGER);
    KEYS.put("rendezvous.servers", Type.LIST);
    KEYS.put("rendezvous.key", Type.STRING);
    KEYS.put("rendezvous.downAfterSeconds", Type.INTEGER);
    KEYS.put("rendezvous.tls.port", Type.INTEGER);
    KEYS.put("rendezvous.tls.fingerprint", Type.STRING);
    KEYS.put("rendezvous.tls.verify", Type.BOOLEAN);
    KEYS.put("rendezvous.tls.fallbackSeconds", Type.INTEGER);
    KEYS.put("rendezvous.tls.proxy", Type.STRING);
    KEYS.put("bind.host", Type.STRING);
    KEYS.put("bind.host6", Type.STRING);
    KEYS.put("bind.port", Type.INTEGER);
    KEYS.put("keepAliveSeconds", Type.INTEGER);
    KEYS.put("punchTimeoutSeconds", Type.INTEGER);
    KEYS.put("deliveryDeadlineSeconds", Type.INTEGER);
    KEYS.put("mailbox.enabled", Type.BOOLEAN);
    KEYS.put("lan.discovery", Type.BOOLEAN);
    KEYS.put("mailbox.roomWindowDays", Type.INTEGER);
    KEYS.put("portMapping.protocols", Type.LIST);
    KEYS.put("events.perMessage", Type.BOOLEAN);
    KEYS.put("console", Type.BOOLEAN);
    KEYS.put("extensions", Type.LIST);
    KEYS.put("eventBusPrefix", Type.STRING);
    KEYS.put("logDir", Type.STRING);
    KEYS.put("dataDir", Type.STRING);
    KEYS.put("stunServers", Type.LIST);
    KEYS.put("lanRanges", Type.LIST);
    KEYS.put("impair.lossPercent", Type.INTEGER);
    KEYS.put("impair.duplicatePercent", Type.INTEGER);
    KEYS.put("impair.reorderPercent", Type.INTEGER);
    KEYS.put("impair.seed", Type.INTEGER);
    KEYS.put("impair.dropIpv4", Type.BOOLEAN);
    KEYS.put("roomSecret", Type.STRING);
    KEYS.put("keyFile", Type.STRING);
    KEYS.put("cipher", Type.STRING);
    KEYS.put("http.host", Type.STRING);
    KEYS.put("http.port", Type.INTEGER);
    // /metrics, /health and /ready (issue 18): off unless metrics.port is set.
    KEYS.putAll(new java.util.TreeMap<>(io.p2pchat.metrics.MetricsOptions.KEYS));
    KEYS.put(EXTENSION_CONFIG, Type.OBJECT);
  }

  private final JsonObject json;
  private final String nick;
  private final String room;
  private final String rendezvousHost;
  private final int rendezvousPort;
  /** {@code rendezvous.host6}: the rendezvous's IPv6 address, registered with over IPv6 too; null when not set. */
  private final String rendezvousHost6;
  private final int rendezvousPort6;
  private final List<String> rendezvousServers;
  /** The configured key of each server ({@code host:port} as in {@link #rendezvousServers}) that has one. */
  private final Map<String, ServerKey> rendezvousKeys;
  private final int rendezvousDownAfterSeconds;
  private final int rendezvousTlsPort;
  /** The pinned certificate fingerprint, 64 lower-case hex digits, or null. */
  private final String rendezvousTlsFingerprint;
  private final boolean rendezvousTlsVerify;
  private final int rendezvousTlsFallbackSeconds;
  /** The HTTP proxy of the TLS fallback, or null: straight to the rendezvous. */
  private final HttpProxy rendezvousTlsProxy;
  private final String bindHost;
  private final String bindHost6;
  private final int bindPort;
  private final int keepAliveSeconds;
  private final int punchTimeoutSeconds;
  private final int deliveryDeadlineSeconds;
  /** {@code mailbox.enabled}: messages for a peer who is offline are deposited at the rendezvous. */
  private final boolean mailbox;
  /** {@code lan.discovery}: announce this node and find others of its room on the LAN by mDNS. */
  private final boolean lanDiscovery;
  private final int mailboxRoomWindowDays;
  /** {@code portMapping}: ask the gateway to forward a public port to our socket (NAT-PMP, PCP, UPnP-IGD). */
  private final PortMapperOptions portMapping;
  private final boolean console;
  /** {@code events.perMessage}: publish the per-message events on their own addresses, not only batched. */
  private final boolean eventsPerMessage;
  private final List<String> extensions;
  private final String eventBusPrefix;
  private final String logDir;
  private final Path dataDir;
  private final String roomSecret;
  private final List<String> stunServers;
  private final LanRanges lanRanges;
  private final int[] impairment;
  private final boolean impairDropIpv4;
  private final Path keyFile;
  private final CipherSuite cipher;
  private final String httpHost;
  private final Integer httpPort;
  private final io.p2pchat.metrics.MetricsOptions metrics;
  private final JsonObject extensionConfig;

  /**
   * Reads and validates a nested config (see {@link ConfigLoader#normalize}).
   *
   * @throws ConfigException naming the first bad key
   */
  public NodeOptions(JsonObject config) {
    ConfigReader r = new ConfigReader(config);
    json = config.copy();
    nick = r.requiredString("nick", Control.NICK_PATTERN, NICK_RULE);
    room = r.requiredStringOr("room", DEFAULT_ROOM, Control.ROOM_PATTERN, ROOM_RULE);
    rendezvousHost = nonBlank(r, "rendezvous.host", DEFAULT_RENDEZVOUS_HOST);
    rendezvousPort = r.port("rendezvous.port", DEFAULT_RENDEZVOUS_PORT, false);
    rendezvousHost6 = r.string("rendezvous.host6", null);
    rendezvousPort6 = r.port("rendezvous.port6", rendezvousPort, false);
    if (rendezvousHost6 != null && (!rendezvousHost6.contains(":")
      || !isHostPort("[" + rendezvousHost6 + "]:" + rendezvousPort6) || rendezvousHost.contains(":"))) {
      throw new ConfigException("rendezvous.host6 must be an IPv6 literal such as 2001:db8::7, beside an IPv4 or named"
        + " rendezvous.host (got \"" + rendezvousHost6 + "\" with rendezvous.host \"" + rendezvousHost + "\")");
    }
    List<String> servers = new ArrayList<>();
    Map<String, ServerKey> keys = new LinkedHashMap<>();
    for (String entry : r.strings("rendezvous.servers")) {
      // "host:port" or "host:port#KEY": a list of strings still, so an environment override can set it.
      int hash = entry.indexOf(SERVER_KEY_SEPARATOR);
      String server = hash < 0 ? entry : entry.substring(0, hash);
      if (!isHostPort(server)) {
        throw new ConfigException("rendezvous.servers entries must be host:port or host:port#KEY (got \"" + entry + "\")");
      }
      if (hash >= 0) {
        keys.put(server, serverKey("rendezvous.servers", entry.substring(hash + 1)));
      }
      servers.add(server);
    }
    // rendezvous.key pins rendezvous.host:rendezvous.port (in a list too, unless its entry has a #KEY).
    String single = (rendezvousHost.contains(":") ? "[" + rendezvousHost + "]" : rendezvousHost) + ":" + rendezvousPort;
    String pinned = r.string("rendezvous.key", null);
    if (pinned != null) {
      keys.putIfAbsent(single, serverKey("rendezvous.key", pinned));
    }
    if (servers.isEmpty()) {
      servers.add(single);
    }
    rendezvousServers = List.copyOf(servers);
    rendezvousKeys = Collections.unmodifiableMap(keys);
    rendezvousDownAfterSeconds = r.integer("rendezvous.downAfterSeconds", DEFAULT_RENDEZVOUS_DOWN_AFTER_SECONDS,
      MIN_RENDEZVOUS_DOWN_AFTER_SECONDS, MAX_TIMING_SECONDS);
    rendezvousTlsPort = r.integer("rendezvous.tls.port", DEFAULT_RENDEZVOUS_TLS_PORT, NO_TLS_FALLBACK, 65535);
    if (rendezvousTlsPort == 0) {
      throw new ConfigException("rendezvous.tls.port must be a port from 1 to 65535, or -1 for no TLS fallback (got 0)");
    }
    String pin = r.string("rendezvous.tls.fingerprint", null);
    rendezvousTlsFingerprint = pin == null ? null : pin.replaceAll("\\s", "").toLowerCase(java.util.Locale.ROOT);
    if (rendezvousTlsFingerprint != null && !rendezvousTlsFingerprint.matches("[0-9a-f]{" + TLS_FINGERPRINT_HEX_DIGITS + "}")) {
      throw new ConfigException("rendezvous.tls.fingerprint must be the SHA-256 of the certificate, " + TLS_FINGERPRINT_HEX_DIGITS
        + " hex digits as the rendezvous prints them (got \"" + pin + "\")");
    }
    rendezvousTlsVerify = r.bool("rendezvous.tls.verify", false);
    rendezvousTlsFallbackSeconds = r.integer("rendezvous.tls.fallbackSeconds", DEFAULT_TLS_FALLBACK_SECONDS, 1,
      MAX_TIMING_SECONDS);
    String proxy = r.string("rendezvous.tls.proxy", null);
    rendezvousTlsProxy = proxy == null || proxy.isBlank() || proxy.trim().equalsIgnoreCase(HttpProxy.NONE) ? null
      : HttpProxy.parse("rendezvous.tls.proxy", proxy);
    bindHost = nonBlank(r, "bind.host", DEFAULT_BIND_HOST);
    bindHost6 = r.string("bind.host6", io.p2pchat.common.DualStackSocket.defaultHost6(bindHost));
    bindPort = r.port("bind.port", DEFAULT_BIND_PORT, true);
    keepAliveSeconds = r.integer("keepAliveSeconds", DEFAULT_KEEP_ALIVE_SECONDS, 1, MAX_TIMING_SECONDS);
    punchTimeoutSeconds = r.integer("punchTimeoutSeconds", DEFAULT_PUNCH_TIMEOUT_SECONDS, 1, MAX_PUNCH_TIMEOUT_SECONDS);
    deliveryDeadlineSeconds = r.integer("deliveryDeadlineSeconds", DEFAULT_DELIVERY_DEADLINE_SECONDS, 1, MAX_DELIVERY_DEADLINE_SECONDS);
    // "mailbox": false (as on the rendezvous) or an object of enabled and roomWindowDays.
    Object mailboxValue = r.raw("mailbox");
    boolean mailboxObject = !(mailboxValue instanceof Boolean);
    mailbox = mailboxObject ? r.bool("mailbox.enabled", true) : (Boolean) mailboxValue;
    mailboxRoomWindowDays = mailboxObject ? r.integer("mailbox.roomWindowDays", DEFAULT_MAILBOX_ROOM_WINDOW_DAYS, 1,
      MAX_MAILBOX_ROOM_WINDOW_DAYS) : DEFAULT_MAILBOX_ROOM_WINDOW_DAYS;
    lanDiscovery = r.bool("lan.discovery", DEFAULT_LAN_DISCOVERY);
    // "portMapping": true (the default), false, or {"protocols": [...]}: PortMapperOptions checks the value.
    try {
      portMapping = PortMapperOptions.fromConfig(r.raw("portMapping"));
    } catch (IllegalArgumentException e) {
      throw new ConfigException(e.getMessage());
    }
    console = r.bool("console", false);
    eventsPerMessage = r.bool("events.perMessage", DEFAULT_EVENTS_PER_MESSAGE);
    extensions = r.strings("extensions");
    eventBusPrefix = r.requiredStringOr("eventBusPrefix", DEFAULT_EVENT_BUS_PREFIX, PREFIX_PATTERN, PREFIX_RULE);
    logDir = nonBlank(r, "logDir", DEFAULT_LOG_DIR);
    String data = r.string("dataDir", null);
    if (data != null && data.isBlank()) {
      throw new ConfigException("dataDir must not be empty");
    }
    dataDir = data != null ? Path.of(data).toAbsolutePath()
      : Path.of(System.getProperty("user.home"), ".p2pchat", nick);
    httpHost = nonBlank(r, "http.host", DEFAULT_HTTP_HOST);
    httpPort = r.raw("http.port") == null ? null : r.port("http.port", 0, true);
    metrics = new io.p2pchat.metrics.MetricsOptions(r);
    Object extra = r.raw(EXTENSION_CONFIG);
    if (extra != null && !(extra instanceof JsonObject)) {
      throw new ConfigException(EXTENSION_CONFIG + " must be an object (got " + extra + ")");
    }
    extensionConfig = extra == null ? new JsonObject() : ((JsonObject) extra).copy();
    impairment = new int[] {r.integer("impair.lossPercent", 0, 0, 100), r.integer("impair.duplicatePercent", 0, 0, 100),
      r.integer("impair.reorderPercent", 0, 0, 100), r.integer("impair.seed", 1, Integer.MIN_VALUE, Integer.MAX_VALUE)};
    if (impairment[0] + impairment[1] + impairment[2] > 100) {
      throw new ConfigException("impair.lossPercent + duplicatePercent + reorderPercent must not exceed 100");
    }
    impairDropIpv4 = r.bool("impair.dropIpv4", false);
    stunServers = r.strings("stunServers");
    lanRanges = new LanRanges(r.strings("lanRanges"));
    for (String server : stunServers) {
      if (!isHostPort(server)) {
        throw new ConfigException("stunServers entries must be host:port (got \"" + server + "\")");
      }
    }
    roomSecret = r.string("roomSecret", null);
    if (roomSecret != null && roomSecret.length() < MIN_ROOM_SECRET) {
      throw new ConfigException("roomSecret must be at least " + MIN_ROOM_SECRET
        + " characters: anyone who can start a handshake may test guesses of it offline");
    }
    String key = r.string("keyFile", null);
    keyFile = key != null ? Path.of(key).toAbsolutePath() : dataDir.resolve(DEFAULT_KEY_FILE_NAME);
    String suite = r.string("cipher", DEFAULT_CIPHER.name());
    try {
      cipher = CipherSuite.valueOf(suite);
    } catch (IllegalArgumentException e) {
      throw new ConfigException("cipher must be AES_GCM or CHACHA20_POLY1305 (got \"" + suite + "\")");
    }
  }

  private static ServerKey serverKey(String key, String text) {
    try {
      return ServerKey.parse(text);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(key + ": " + e.getMessage());
    }
  }

  /** True for {@code host:port} and {@code [ipv6]:port}, the form of {@code rendezvous.servers} and {@code stunServers}. */
  public static boolean isHostPort(String text) {
    return text.matches("[^\\s:]+:\\d{1,5}") || text.matches("\\[[0-9a-fA-F:]+\\]:\\d{1,5}");
  }

  private static String nonBlank(ConfigReader r, String key, String defaultValue) {
    String value = r.string(key, defaultValue);
    if (value.isBlank()) {
      throw new ConfigException(key + " must not be empty");
    }
    return value;
  }

  /** The whole validated config, for verticles deployed with it (UI, extensions). */
  public JsonObject json() {
    return json.copy();
  }

  public String nick() {
    return nick;
  }

  public String room() {
    return room;
  }

  public String rendezvousHost() {
    return rendezvousHost;
  }

  public int rendezvousPort() {
    return rendezvousPort;
  }

  /**
   * {@code [rendezvous.host6]:rendezvous.port6}: the rendezvous {@code rendezvous.host} names, at its IPv6
   * address, where the node registers its IPv6 address too; null when {@code rendezvous.host6} is not set.
   */
  public String rendezvousAlt() {
    return rendezvousHost6 == null ? null : "[" + rendezvousHost6 + "]:" + rendezvousPort6;
  }

  /** {@code rendezvous.host6}: the rendezvous's IPv6 literal, or null. */
  public String rendezvousHost6() {
    return rendezvousHost6;
  }

  /** {@code rendezvous.port6}: the rendezvous's UDP port at {@code rendezvous.host6}; {@code rendezvous.port} unless set. */
  public int rendezvousPort6() {
    return rendezvousPort6;
  }

  /**
   * The rendezvous instances to register with, in order ({@code host:port}): {@code rendezvous.servers},
   * or the single {@code rendezvous.host}:{@code rendezvous.port}.
   */
  public List<String> rendezvousServers() {
    return rendezvousServers;
  }

  /**
   * The configured keys of the rendezvous servers, by {@code host:port} as in {@link #rendezvousServers()}:
   * {@code rendezvous.key} for {@code rendezvous.host}, or the {@code #KEY} of a {@code rendezvous.servers}
   * entry. A server without one is trusted on first use and remembered in {@code known_servers}.
   */
  public Map<String, ServerKey> rendezvousKeys() {
    return rendezvousKeys;
  }

  /** {@code rendezvous.tls.port}: the rendezvous's HTTPS port for the fallback, or {@link #NO_TLS_FALLBACK}. */
  public int rendezvousTlsPort() {
    return rendezvousTlsPort;
  }

  /** {@code rendezvous.tls.fingerprint}: the pinned certificate's SHA-256, 64 lower-case hex digits, or null. */
  public String rendezvousTlsFingerprint() {
    return rendezvousTlsFingerprint;
  }

  /** {@code rendezvous.tls.verify}: check the certificate with the platform's trust store and the host name. */
  public boolean rendezvousTlsVerify() {
    return rendezvousTlsVerify;
  }

  /** {@code rendezvous.tls.fallbackSeconds}: UDP registrations unanswered this long start the TLS fallback. */
  public int rendezvousTlsFallbackSeconds() {
    return rendezvousTlsFallbackSeconds;
  }

  /**
   * {@code rendezvous.tls.proxy}: the HTTP proxy the TLS fallback asks for a CONNECT tunnel to the
   * rendezvous, or null (unset, {@code ""} or {@code "none"}): connect directly.
   */
  public HttpProxy rendezvousTlsProxy() {
    return rendezvousTlsProxy;
  }

  /** Seconds without an answer after which the rendezvous is given up for the next one. */
  public int rendezvousDownAfterSeconds() {
    return rendezvousDownAfterSeconds;
  }

  public String bindHost() {
    return bindHost;
  }

  /** The IPv6 socket's address; {@code "none"} or {@code ""}: IPv4 only. */
  public String bindHost6() {
    return bindHost6;
  }

  public int bindPort() {
    return bindPort;
  }

  public int keepAliveSeconds() {
    return keepAliveSeconds;
  }

  public int punchTimeoutSeconds() {
    return punchTimeoutSeconds;
  }

  public int deliveryDeadlineSeconds() {
    return deliveryDeadlineSeconds;
  }

  /** {@code lan.discovery}: announce and browse {@code _p2pchat._udp.local} by mDNS ({@link #DEFAULT_LAN_DISCOVERY}). */
  public boolean lanDiscovery() {
    return lanDiscovery;
  }

  /** {@code mailbox.enabled}: false gives the behaviour before issue 17 (a message to a peer who is away fails). */
  public boolean mailbox() {
    return mailbox;
  }

  /** {@code mailbox.roomWindowDays}: room messages are queued for members we talked with there within this many days. */
  public int mailboxRoomWindowDays() {
    return mailboxRoomWindowDays;
  }

  public boolean console() {
    return console;
  }

  /** {@code events.perMessage} ({@link #DEFAULT_EVENTS_PER_MESSAGE}). */
  public boolean eventsPerMessage() {
    return eventsPerMessage;
  }

  public List<String> extensions() {
    return extensions;
  }

  public String eventBusPrefix() {
    return eventBusPrefix;
  }

  public String logDir() {
    return logDir;
  }

  /** The node's own state (identity key, known peers, history); never the working directory. */
  public Path dataDir() {
    return dataDir;
  }

  /**
   * Test only: {@code {lossPercent, duplicatePercent, reorderPercent, seed}} applied to what the node
   * sends to peers; all zero in any real deployment.
   */
  public int[] impairment() {
    return impairment.clone();
  }

  /**
   * Test only ({@code impair.dropIpv4}): every packet to a peer's IPv4 address is dropped as it leaves (the
   * relay is not touched), as a NAT that forces the relay on IPv4 would; false in any real deployment.
   */
  /** {@code portMapping}: whether and by which protocols the gateway is asked for a port mapping. */
  public PortMapperOptions portMapping() {
    return portMapping;
  }

  public boolean impairDropIpv4() {
    return impairDropIpv4;
  }

  /** STUN servers ({@code host:port}) asked besides the rendezvous, to learn how our NAT maps. */
  public List<String> stunServers() {
    return stunServers;
  }

  /**
   * Where a peer's host candidates may lie to be probed: {@link LanRanges#DEFAULT_RANGES} and the
   * configured {@code lanRanges} (CIDR blocks, none by default), as the rendezvous checks them too.
   */
  public LanRanges lanRanges() {
    return lanRanges;
  }

  /** The secret of a private room, or null for a public one. */
  public String roomSecret() {
    return roomSecret;
  }

  /** The node's long-term identity (Ed25519 + X25519), owner-only. */
  public Path keyFile() {
    return keyFile;
  }

  public CipherSuite cipher() {
    return cipher;
  }

  /** True when the web UI is to be served ({@code http.port} is set). */
  public boolean httpEnabled() {
    return httpPort != null;
  }

  /** The address the web UI listens on. */
  public String httpHost() {
    return httpHost;
  }

  /** The web UI's port (0 = any free port), or -1 when {@code http.port} is unset (no UI). */
  /** Where {@code /metrics}, {@code /health} and {@code /ready} are served (a copy); off unless {@code metrics.port} is set. */
  public io.p2pchat.metrics.MetricsOptions metrics() {
    return new io.p2pchat.metrics.MetricsOptions(metrics);
  }

  public int httpPort() {
    return httpPort == null ? -1 : httpPort;
  }

  /** The free-form {@code extensionConfig} object (empty when unset): settings of the extensions. */
  public JsonObject extensionConfig() {
    return extensionConfig.copy();
  }
}
