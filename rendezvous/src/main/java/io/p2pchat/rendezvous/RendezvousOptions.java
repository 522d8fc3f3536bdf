package io.p2pchat.rendezvous;

import io.p2pchat.common.ConfigLoader;
import io.p2pchat.common.ConfigLoader.Type;
import io.p2pchat.common.ConfigException;
import io.p2pchat.common.ConfigReader;
import io.p2pchat.common.LanRanges;
import io.p2pchat.metrics.MetricsOptions;
import io.p2pchat.rendezvous.mailbox.MailboxOptions;
import io.p2pchat.rendezvous.tls.TlsSettings;
import io.vertx.core.json.JsonObject;

import java.util.LinkedHashMap;
import java.util.Map;

/** Configuration of a {@link RendezvousVerticle}; every key with its default and why. */
public final class RendezvousOptions {

  /** All interfaces: a rendezvous serves clients on other machines. */
  public static final String DEFAULT_HOST = "0.0.0.0";
  /**
   * The IPv6 address to listen on besides {@code host}: every interface when {@code host} is
   * {@code 0.0.0.0}; unset beside a specific {@code host} it is off
   * ({@link io.p2pchat.common.DualStackSocket#defaultHost6}). {@code "none"} or {@code ""} turns IPv6
   * off; a machine without IPv6 runs on IPv4 with one WARN line.
   */
  public static final String DEFAULT_HOST6 = io.p2pchat.common.DualStackSocket.IPV6_WILDCARD;
  /** The original design's port. */
  public static final int DEFAULT_PORT = 7000;
  /**
   * A registration lives this long without a keep-alive: two missed 15 s client keep-alives,
   * so one lost datagram never expires a live client.
   */
  public static final int DEFAULT_TTL_SECONDS = 30;
  public static final String DEFAULT_LOG_DIR = "logs";
  /**
   * Where the rendezvous keeps its long-term key ({@value #KEY_FILE}): unset, the {@code logDir}, so a
   * first start (the demo, a test, the NAT lab) needs no other setting and every instance that has its
   * own log directory has its own key. A production server sets it apart from the logs: deleting the
   * key makes every client that pinned it refuse the new one.
   */
  public static final String DEFAULT_DATA_DIR = null;
  /** The key file inside {@code dataDir}: a node identity file, created on first start owner-only. */
  public static final String KEY_FILE = "rendezvous.key";
  /** Relaying on: without it, peers behind NATs that map per destination cannot talk at all. */
  public static final boolean DEFAULT_RELAY = true;
  /** Per-client relay budget: ample for chat (a 64 KiB message per second, 4 times over). */
  public static final int DEFAULT_RELAY_BYTES_PER_SECOND = 256 * 1024;
  /** Bounds the server's memory whatever a flood of registrations does (~1 KiB each). */
  public static final int DEFAULT_MAX_CLIENTS = 100_000;
  /** One host (a NAT's public address) may hold this many registrations: a big CGNAT's share, not a whole server. */
  public static final int DEFAULT_MAX_CLIENTS_PER_HOST = 256;
  /**
   * Requests per second per source {@code ip:port}. A client sends a keep-alive every 15 s and a few
   * commands when a path changes; 20/s is a hundred times that, and a single source flooding faster
   * only burns its own bucket.
   */
  public static final int DEFAULT_REQUESTS_PER_SECOND = 20;
  /** Burst per source: a client's start (register, challenge answer, list, connects) fits twice over. */
  public static final int DEFAULT_REQUEST_BURST = 40;
  /** Requests per second per source ip: ten clients' worth, for homes and NATs sharing one address. */
  public static final int DEFAULT_REQUESTS_PER_SECOND_PER_HOST = 200;
  public static final int DEFAULT_REQUEST_BURST_PER_HOST = 400;
  /**
   * Sources the rate limiters remember (each limiter; ~120 bytes an entry, so ~25 MB for both at
   * most). Beyond it the least recently seen source is forgotten, which only gives it a fresh bucket.
   */
  public static final int DEFAULT_MAX_TRACKED_SOURCES = 100_000;
  /**
   * Worker threads for the control channel's handshakes (their public-key work, off the socket's event
   * loop): one per core, so a registration burst uses every core while the event loop keeps serving.
   */
  public static final int DEFAULT_HANDSHAKE_THREADS = Runtime.getRuntime().availableProcessors();
  /**
   * Handshakes queued or running at most; one more is dropped as {@code busy}. 256 x ~0.3-0.6 ms of
   * public-key work is under 0.1 s on two threads: a queued handshake is answered well inside the client's
   * first retransmission (ControlTiming.RETRANSMIT_INITIAL_NANOS, 300 ms), so the queue never holds work
   * whose client has already sent it again.
   */
  public static final int DEFAULT_HANDSHAKE_QUEUE = 256;
  /**
   * No ranges beyond {@link io.p2pchat.common.LanRanges#DEFAULT_RANGES} (RFC 1918, RFC 6598,
   * link-local, IPv6 unique- and link-local): a host candidate elsewhere is dropped at registration.
   * A site whose LANs use other ranges (the NAT lab's 192.0.2.0/24 and 198.51.100.0/24) lists them.
   */
  public static final java.util.List<String> DEFAULT_LAN_RANGES = java.util.List.of();
  /** The original design's {@code punch}/{@code list}/{@code peer N} commands answer. */
  public static final boolean DEFAULT_PLAIN_COMMANDS = true;
  /** The room the plain-text {@code list} and {@code peer N} commands show. */
  public static final String DEFAULT_ROOM = "lobby";
  /**
   * The HTTPS port of the WebSocket fallback for clients whose network blocks UDP. Not 443 by default:
   * a port below 1024 needs privileges a first start should not ask for; a deployment sets 443, the one
   * port every firewall lets out. 0: any free port (tests); {@value #TLS_OFF}: no TLS listener.
   */
  public static final int DEFAULT_TLS_PORT = 7443;
  /** {@code tls.port} that turns the TLS listener off. */
  public static final int TLS_OFF = -1;
  /**
   * WebSocket connections held at once: each costs a TLS session and buffers (~100 KiB at most with
   * the write queue bound), so 10,000 stay around a gigabyte even when every one is busy.
   */
  public static final int DEFAULT_TLS_MAX_CONNECTIONS = 10_000;
  /**
   * The mailbox is on: a friend who is away gets what was said (issue 17). {@code "mailbox": false} (or
   * {@code mailbox.enabled} false) answers every deposit {@code refused not-enabled}, today's behaviour.
   */
  public static final boolean DEFAULT_MAILBOX = true;
  /** The configuration object of the mailbox, and its group of keys. */
  public static final String MAILBOX = "mailbox";

  /**
   * Every key a rendezvous knows, with its type: the unknown-key check ({@link ConfigLoader#normalize})
   * and the environment and system property overrides ({@link io.p2pchat.common.ConfigOverrides})
   * read this list; the README's rendezvous table lists the same keys.
   */
  public static final Map<String, Type> KEYS = new LinkedHashMap<>();

  static {
    KEYS.put("host", Type.STRING);
    KEYS.put("host6", Type.STRING);
    KEYS.put("port", Type.INTEGER);
    KEYS.put("ttlSeconds", Type.INTEGER);
    KEYS.put("logDir", Type.STRING);
    KEYS.put("dataDir", Type.STRING);
    KEYS.put("relay", Type.BOOLEAN);
    KEYS.put("relayBytesPerSecond", Type.INTEGER);
    KEYS.put("maxClients", Type.INTEGER);
    KEYS.put("plainCommands", Type.BOOLEAN);
    KEYS.put("maxClientsPerHost", Type.INTEGER);
    KEYS.put("requestsPerSecond", Type.INTEGER);
    KEYS.put("requestBurst", Type.INTEGER);
    KEYS.put("requestsPerSecondPerHost", Type.INTEGER);
    KEYS.put("requestBurstPerHost", Type.INTEGER);
    KEYS.put("maxTrackedSources", Type.INTEGER);
    KEYS.put("handshakeThreads", Type.INTEGER);
    KEYS.put("handshakeQueue", Type.INTEGER);
    KEYS.put("lanRanges", Type.LIST);
    KEYS.put("tls.port", Type.INTEGER);
    KEYS.put("tls.host", Type.STRING);
    KEYS.put("tls.cert", Type.STRING);
    KEYS.put("tls.key", Type.STRING);
    KEYS.put("tls.maxConnections", Type.INTEGER);
    // The mailbox (issue 17): "mailbox": false turns it off; an object sets its bounds (MailboxOptions).
    KEYS.put(MAILBOX + ".enabled", Type.BOOLEAN);
    for (String key : new MailboxOptions().toJson().fieldNames()) {
      KEYS.put(MAILBOX + "." + key, key.equals("file") ? Type.STRING : Type.INTEGER);
    }
    // /metrics, /health and /ready (issue 18): off unless metrics.port is set.
    KEYS.putAll(new java.util.TreeMap<>(MetricsOptions.KEYS));
    // Tests only, not in the README's table: loss of the introduce and gone messages as they leave.
    KEYS.put("impair.lossPercent", Type.INTEGER);
    KEYS.put("impair.duplicatePercent", Type.INTEGER);
    KEYS.put("impair.seed", Type.INTEGER);
    KEYS.put("impair.dropFirstMail", Type.INTEGER);
  }

  private final String host;
  private final String host6;
  private final int port;
  private final int ttlSeconds;
  private final String logDir;
  private final String dataDir;
  private final boolean relay;
  private final int relayBytesPerSecond;
  private final int maxClients;
  private final boolean plainCommands;
  private final int maxClientsPerHost;
  private final int requestsPerSecond;
  private final int requestBurst;
  private final int requestsPerSecondPerHost;
  private final int requestBurstPerHost;
  private final int maxTrackedSources;
  private final int handshakeThreads;
  private final int handshakeQueue;
  private final LanRanges lanRanges;
  private final TlsSettings tls;
  /** The mailbox's bounds and file, or null when it is off. */
  private final MailboxOptions mailbox;
  private final MetricsOptions metrics;
  private final int impairLossPercent;
  private final int impairDuplicatePercent;
  private final int impairSeed;
  private final int impairDropFirstMail;

  /** Reads and validates; a bad value throws {@link io.p2pchat.common.ConfigException}. */
  public RendezvousOptions(JsonObject config) {
    ConfigReader r = new ConfigReader(config);
    host = r.string("host", DEFAULT_HOST);
    host6 = r.string("host6", io.p2pchat.common.DualStackSocket.defaultHost6(host));
    port = r.port("port", DEFAULT_PORT, true);
    ttlSeconds = r.integer("ttlSeconds", DEFAULT_TTL_SECONDS, 1, 86_400);
    logDir = r.string("logDir", DEFAULT_LOG_DIR);
    String data = r.string("dataDir", DEFAULT_DATA_DIR);
    if (data != null && data.isBlank()) {
      throw new io.p2pchat.common.ConfigException("dataDir must not be empty");
    }
    dataDir = data != null ? data : logDir;
    relay = r.bool("relay", DEFAULT_RELAY);
    relayBytesPerSecond = r.integer("relayBytesPerSecond", DEFAULT_RELAY_BYTES_PER_SECOND, 1200, Integer.MAX_VALUE);
    maxClients = r.integer("maxClients", DEFAULT_MAX_CLIENTS, 1, 10_000_000);
    plainCommands = r.bool("plainCommands", DEFAULT_PLAIN_COMMANDS);
    maxClientsPerHost = r.integer("maxClientsPerHost", DEFAULT_MAX_CLIENTS_PER_HOST, 1, 10_000_000);
    requestsPerSecond = r.integer("requestsPerSecond", DEFAULT_REQUESTS_PER_SECOND, 1, 1_000_000_000);
    requestBurst = r.integer("requestBurst", DEFAULT_REQUEST_BURST, 1, 1_000_000_000);
    requestsPerSecondPerHost = r.integer("requestsPerSecondPerHost", DEFAULT_REQUESTS_PER_SECOND_PER_HOST, 1, 1_000_000_000);
    requestBurstPerHost = r.integer("requestBurstPerHost", DEFAULT_REQUEST_BURST_PER_HOST, 1, 1_000_000_000);
    maxTrackedSources = r.integer("maxTrackedSources", DEFAULT_MAX_TRACKED_SOURCES, 1, 10_000_000);
    handshakeThreads = r.integer("handshakeThreads", DEFAULT_HANDSHAKE_THREADS, 1, 1024);
    handshakeQueue = r.integer("handshakeQueue", DEFAULT_HANDSHAKE_QUEUE, 1, 1_000_000);
    lanRanges = new LanRanges(config.containsKey("lanRanges") ? r.strings("lanRanges") : DEFAULT_LAN_RANGES);
    // tls.cert without tls.key (or the reverse) stops start-up when the certificate is loaded (TlsCertificate).
    String cert = r.string("tls.cert", null);
    String key = r.string("tls.key", null);
    tls = new TlsSettings(r.string("tls.host", host), r.integer("tls.port", DEFAULT_TLS_PORT, TLS_OFF, 65_535),
      cert == null ? null : java.nio.file.Path.of(cert), key == null ? null : java.nio.file.Path.of(key),
      java.nio.file.Path.of(dataDir), r.integer("tls.maxConnections", DEFAULT_TLS_MAX_CONNECTIONS, 1, 10_000_000));
    mailbox = readMailbox(config.getValue(MAILBOX));
    metrics = new MetricsOptions(r);
    impairLossPercent = r.integer("impair.lossPercent", 0, 0, 100);
    impairDuplicatePercent = r.integer("impair.duplicatePercent", 0, 0, 100);
    if (impairLossPercent + impairDuplicatePercent > 100) {
      throw new io.p2pchat.common.ConfigException("impair.lossPercent + duplicatePercent must not exceed 100");
    }
    impairSeed = r.integer("impair.seed", 1, Integer.MIN_VALUE, Integer.MAX_VALUE);
    impairDropFirstMail = r.integer("impair.dropFirstMail", 0, 0, Integer.MAX_VALUE);
  }

  /** {@code mailbox}: false (off), true or absent (defaults), or an object of MailboxOptions keys and {@code enabled}. */
  private static MailboxOptions readMailbox(Object value) {
    if (value == null || Boolean.TRUE.equals(value)) {
      return DEFAULT_MAILBOX ? new MailboxOptions() : null;
    }
    if (Boolean.FALSE.equals(value)) {
      return null;
    }
    if (!(value instanceof JsonObject json)) {
      throw new ConfigException(MAILBOX + " must be false or an object of mailbox settings (got " + value + ")");
    }
    JsonObject settings = json.copy();
    Object enabled = settings.remove("enabled");
    if (enabled != null && !(enabled instanceof Boolean)) {
      throw new ConfigException(MAILBOX + ".enabled must be true or false (got " + enabled + ")");
    }
    if (Boolean.FALSE.equals(enabled)) {
      return null;
    }
    try {
      return new MailboxOptions(settings);
    } catch (ConfigException | IllegalArgumentException e) {
      // The reader names the key inside the object: say which object it is in.
      String message = e.getMessage();
      throw new ConfigException(message.startsWith(MAILBOX + ".") ? message : MAILBOX + "." + message);
    }
  }

  public String host() {
    return host;
  }

  /** The IPv6 address to listen on; {@code "none"} or {@code ""}: IPv4 only. */
  public String host6() {
    return host6;
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

  /** The directory of the rendezvous's key file: {@code dataDir}, or the {@code logDir} when unset. */
  public String dataDir() {
    return dataDir;
  }

  /** The rendezvous's key file: {@value #KEY_FILE} in {@link #dataDir()}. */
  public java.nio.file.Path keyFile() {
    return java.nio.file.Path.of(dataDir, KEY_FILE);
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

  public int maxClientsPerHost() {
    return maxClientsPerHost;
  }

  public int requestsPerSecond() {
    return requestsPerSecond;
  }

  public int requestBurst() {
    return requestBurst;
  }

  public int requestsPerSecondPerHost() {
    return requestsPerSecondPerHost;
  }

  public int requestBurstPerHost() {
    return requestBurstPerHost;
  }

  public int maxTrackedSources() {
    return maxTrackedSources;
  }

  /** Worker threads running the control channel's handshakes. */
  public int handshakeThreads() {
    return handshakeThreads;
  }

  /** Handshakes queued or running at most. */
  public int handshakeQueue() {
    return handshakeQueue;
  }

  /** Where host candidates may lie: the default LAN ranges and the configured {@code lanRanges}. */
  public LanRanges lanRanges() {
    return lanRanges;
  }

  /** The HTTPS/WebSocket listener's settings ({@code tls.*}); {@link TlsSettings#enabled()} false when {@code tls.port} is -1. */
  public TlsSettings tls() {
    return tls;
  }

  /** The mailbox's bounds and database file (a copy), or null when {@code mailbox} is false. */
  public MailboxOptions mailbox() {
    return mailbox == null ? null : new MailboxOptions(mailbox);
  }

  /** Where {@code /metrics}, {@code /health} and {@code /ready} are served (a copy); off unless {@code metrics.port} is set. */
  public MetricsOptions metrics() {
    return new MetricsOptions(metrics);
  }

  /**
   * Tests only: the percentages of {@code introduce} and {@code gone} messages (first sends and
   * retransmissions) dropped ({@code impair.lossPercent}, default 0) and sent twice
   * ({@code impair.duplicatePercent}, default 0) as they leave, and the seed of the dice
   * ({@code impair.seed}), in that order.
   */
  public int[] impairment() {
    return new int[] {impairLossPercent, impairDuplicatePercent, impairSeed};
  }

  /**
   * Tests only: how many of the first {@code mail} messages this rendezvous sends are dropped
   * ({@code impair.dropFirstMail}, default 0): a pick-up whose oldest message comes again after the later ones.
   */
  public int impairDropFirstMail() {
    return impairDropFirstMail;
  }
}
