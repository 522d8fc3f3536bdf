package io.p2pchat.lan;

import io.p2pchat.common.NodeLog;
import io.p2pchat.common.RateLimiter;
import io.p2pchat.wire.DropCounters;
import io.p2pchat.wire.DropReason;
import io.p2pchat.wire.Endpoint;
import io.p2pchat.wire.WireException;
import io.p2pchat.wire.dns.DnsCodec;
import io.p2pchat.wire.dns.DnsMessage;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.datagram.DatagramPacket;
import io.vertx.core.datagram.DatagramSocket;
import io.vertx.core.datagram.DatagramSocketOptions;
import io.vertx.core.json.JsonObject;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * mDNS/DNS-SD on the LAN (RFC 6762, RFC 6763) over Vert.x's own multicast datagram socket: announces
 * this node as a {@code _p2pchat._udp.local} service ({@link DnsSd}), browses for the others, answers
 * queries, and tells its {@link Listener} of every node of our room it finds. Non-blocking, on the
 * caller's event loop (a verticle's context), with every rate and table bounded:
 * <pre>
 *   OFF ──start: bound 5353, joined 224.0.0.251──▶ RUNNING ──stop: goodbye (TTL 0) sent──▶ OFF
 *    └─bind/join failed (another stack holds 5353 without SO_REUSEADDR, no multicast route)──▶ OFF, logged once
 * </pre>
 * Why our own and not JmDNS: JmDNS runs its own threads and caches with no bound we could set, and its
 * parser is not one we can test with hostile input; this class is a few hundred lines on the event loop
 * with every number below, and {@code DnsCodec} is fuzzed.
 */
public final class LanDiscovery {

  /** What discovery reports. */
  public interface Listener {
    /** A node of our room was found, or its address changed (not for every repeat of its announcement). */
    void found(LanPeer peer);

    /** {@link #NO_PEER_REPORT_MS} passed without any p2pchat node found (of any room). */
    void noneFound(long afterMs);
  }

  /** The mDNS group and port (RFC 6762 section 3). */
  public static final String GROUP = "224.0.0.251";
  public static final int PORT = 5353;
  /** IP TTL of every mDNS packet (RFC 6762 section 11: receivers may check it is 255). */
  static final int MULTICAST_TTL = 255;
  /** Announcements at start: RFC 6762 section 8.3 asks for at least two, one second apart; a third covers one loss. */
  static final int START_ANNOUNCEMENTS = 3;
  static final long ANNOUNCE_INTERVAL_MS = 1_000;
  /** The first query waits 20-120 ms (RFC 6762 section 5.2) so nodes started together do not collide. */
  static final long QUERY_FIRST_MIN_MS = 20;
  static final long QUERY_FIRST_JITTER_MS = 100;
  /** Query intervals double from 1 s (RFC 6762 section 5.2: at least 1 s, then at least doubling)… */
  static final long QUERY_FIRST_INTERVAL_MS = 1_000;
  /**
   * …up to one a minute: RFC 6762 allows a 60-minute cap; a node that starts later announces itself
   * anyway, so the queries only cover a lost announcement, and a minute bounds how long that lasts.
   */
  static final long QUERY_MAX_INTERVAL_MS = 60_000;
  /** A record is multicast at most once a second (RFC 6762 section 6): our answers to queries share this bound. */
  static final long MIN_ANSWER_INTERVAL_MS = 1_000;
  /**
   * When to say that no node was found: the three announcements and the queries at about 0.1, 1.1, 3.1
   * and 7.1 s have all gone out by then, and a node that is there answers each within 120 ms.
   */
  public static final long NO_PEER_REPORT_MS = 10_000;
  /** mDNS messages parsed per second from one source address, with a burst for a start-up's answers. */
  static final int MESSAGES_PER_SOURCE_PER_SECOND = 20;
  static final int MESSAGES_BURST = 40;
  /** Source addresses tracked by that limiter: past this the least recent is forgotten (memory stays bounded). */
  static final int MAX_SOURCES = 256;
  /** Nodes remembered at once (of our room): past this the oldest is forgotten (found again at its next announcement). */
  static final int MAX_PEERS = 64;
  /** How long a found node counts as present without being heard again: the SRV's TTL. */
  static final long PEER_TTL_MS = DnsSd.HOST_TTL_SECONDS * 1_000;
  /** Our answers to a legacy unicast query (source port not 5353) may be at most this times its size (no amplification). */
  static final int UNICAST_AMPLIFICATION = 3;

  private enum Status { OFF, STARTING, RUNNING }

  private record Known(LanPeer peer, long seenAtMs) {
  }

  private final Vertx vertx;
  private final NodeLog log;
  private final LanPeer self;
  private final Listener listener;
  private final DropCounters drops = new DropCounters();
  private final RateLimiter perSource = new RateLimiter(MESSAGES_PER_SOURCE_PER_SECOND, MESSAGES_BURST, MAX_SOURCES);
  private final Map<String, Known> peers = new LinkedHashMap<>();
  private Status status = Status.OFF;
  private DatagramSocket socket;
  /** Timer: the next of the start-up announcements (-1: none). */
  private long announceTimer = -1;
  /** Timer: the next browse query, at a doubling interval (-1: none). */
  private long queryTimer = -1;
  private long queryIntervalMs = QUERY_FIRST_INTERVAL_MS;
  /** Timer: the one-time "no LAN peer found" check. */
  private long noPeerTimer = -1;
  private long lastMulticastAnswerMs = Long.MIN_VALUE / 2;
  private int announcementsSent;
  private boolean anyNodeSeen;
  private long messagesIn;
  private long queriesOut;
  private long answersOut;
  private long answersSuppressed;

  /** The interface mDNS runs on: the one holding our announced address. */
  private final String interfaceName;

  /**
   * @param self          how we announce ourselves; its endpoint's host is our LAN IPv4 address
   * @param interfaceName the network interface that address is on: where the group is joined and sent to
   */
  public LanDiscovery(Vertx vertx, NodeLog log, LanPeer self, String interfaceName, Listener listener) {
    this.vertx = vertx;
    this.log = log;
    this.self = self;
    this.interfaceName = interfaceName;
    this.listener = listener;
  }

  /**
   * Discovery announcing {@code self} at our first LAN IPv4 address among {@code locals}, on the interface
   * holding it (looked up on a worker: a blocking call); a succeeded null when there is nothing to announce
   * (bound to loopback only, or a room id longer than a TXT string), saying why in the log.
   *
   * @param self our announcement without its address (null endpoint): the LAN address is chosen here
   */
  public static Future<LanDiscovery> forLocalAddresses(Vertx vertx, NodeLog log, LanPeer self, List<Endpoint> locals,
                                                       Listener listener) {
    Endpoint lanAddress = locals.stream().filter(e -> !e.isIpv6() && !e.host().startsWith("127.")).findFirst()
      .orElse(null);
    if (lanAddress == null || self.room().getBytes(StandardCharsets.UTF_8).length > LanPeer.MAX_ROOM_BYTES) {
      log.info("LAN discovery off: {}", lanAddress == null ? "no LAN IPv4 address"
        : "the room id is longer than a TXT string can carry");
      return Future.succeededFuture();
    }
    LanPeer announced = self.at(lanAddress);
    return vertx.executeBlocking(() -> NetworkInterface.getByInetAddress(InetAddress.getByName(lanAddress.host())))
      .map(nif -> new LanDiscovery(vertx, log, announced, nif.getName(), listener));
  }

  /** Binds 5353 and joins the group; a failure is logged and leaves discovery off (the future still succeeds). */
  public Future<Void> start() {
    if (status != Status.OFF) {
      return Future.failedFuture("already started");
    }
    status = Status.STARTING;
    socket = vertx.createDatagramSocket(new DatagramSocketOptions().setIpV6(false).setReuseAddress(true)
      .setReusePort(true).setMulticastTimeToLive(MULTICAST_TTL).setMulticastNetworkInterface(interfaceName));
    socket.handler(this::onPacket);
    return socket.listen(PORT, "0.0.0.0")
      .compose(s -> s.listenMulticastGroup(GROUP, interfaceName, null))
      .map(s -> {
        status = Status.RUNNING;
        announce();
        queryTimer = vertx.setTimer(QUERY_FIRST_MIN_MS + ThreadLocalRandom.current().nextLong(QUERY_FIRST_JITTER_MS),
          t -> query());
        armNoPeerReport();
        log.info("LAN discovery: announcing {} at {} on mDNS {}:{} ({})", DnsSd.serviceName(self.instance()),
          self.endpoint(), GROUP, PORT, interfaceName);
        return (Void) null;
      })
      .recover(e -> {
        log.warn("LAN discovery off: mDNS {}:{} not usable here ({}); the node works as without it", GROUP, PORT,
          e.getMessage());
        status = Status.OFF;
        if (socket != null) {
          socket.close();
        }
        armNoPeerReport(); // the console says no peer was found, as on a network that drops multicast
        return Future.succeededFuture();
      });
  }

  /** Timer: after {@link #NO_PEER_REPORT_MS}, tells the listener when no node was heard (once). */
  private void armNoPeerReport() {
    noPeerTimer = vertx.setTimer(NO_PEER_REPORT_MS, t -> {
      noPeerTimer = -1;
      if (!anyNodeSeen) {
        listener.noneFound(NO_PEER_REPORT_MS);
      }
    });
  }

  /** Says goodbye (our records with TTL 0, RFC 6762 section 10.1) and closes the socket. */
  public Future<Void> stop() {
    vertx.cancelTimer(announceTimer);
    vertx.cancelTimer(queryTimer);
    vertx.cancelTimer(noPeerTimer);
    if (status != Status.RUNNING) {
      return Future.succeededFuture();
    }
    status = Status.OFF;
    Future<Void> bye = socket.send(Buffer.buffer(DnsCodec.encode(DnsSd.announcement(self, 0, 0))), PORT, GROUP);
    return bye.otherwiseEmpty().compose(v -> socket.close());
  }

  /** Counters for {@code punch.stats}. */
  public JsonObject stats() {
    return new JsonObject().put("state", status.name().toLowerCase()).put("peers", peers.size())
      .put("messagesIn", messagesIn).put("queriesOut", queriesOut).put("answersOut", answersOut)
      .put("answersSuppressed", answersSuppressed).put("drops", drops.toJson());
  }

  private void announce() {
    announceTimer = -1;
    if (status != Status.RUNNING) {
      return;
    }
    multicast(DnsSd.announcement(self, 0, 1));
    lastMulticastAnswerMs = nowMs();
    if (++announcementsSent < START_ANNOUNCEMENTS) {
      announceTimer = vertx.setTimer(ANNOUNCE_INTERVAL_MS, t -> announce());
    }
  }

  private void query() {
    queryTimer = -1;
    if (status != Status.RUNNING) {
      return;
    }
    queriesOut++;
    multicast(DnsSd.query());
    queryTimer = vertx.setTimer(queryIntervalMs, t -> query());
    queryIntervalMs = Math.min(queryIntervalMs * 2, QUERY_MAX_INTERVAL_MS);
  }

  private void multicast(DnsMessage message) {
    socket.send(Buffer.buffer(DnsCodec.encode(message)), PORT, GROUP)
      .onFailure(e -> log.warnRateLimited("mdns-send", "mDNS send failed: {}", e.getMessage()));
  }

  private void onPacket(DatagramPacket packet) {
    Endpoint from = Endpoint.of(packet.sender());
    long now = nowMs();
    try {
      if (!perSource.tryAcquire(from.host(), System.nanoTime())) {
        throw new WireException(DropReason.RATE_LIMITED, "over " + MESSAGES_PER_SOURCE_PER_SECOND + " mDNS messages/s");
      }
      messagesIn++;
      byte[] bytes = packet.data().getBytes();
      DnsMessage message = DnsCodec.decode(bytes);
      if (message.response()) {
        onResponse(message, now);
      } else {
        onQuery(message, from, bytes.length, now);
      }
    } catch (WireException e) {
      drops.count(e.reason());
      if (log.isDebugEnabled()) {
        log.debug("mDNS message from {} dropped: {} ({})", from, e.reason().label(), e.getMessage());
      }
    }
  }

  private void onQuery(DnsMessage query, Endpoint from, int size, long now) {
    DnsSd.Asked asked = DnsSd.asked(query, self.instance());
    if (asked == DnsSd.Asked.NOTHING) {
      return;
    }
    boolean legacy = from.port() != PORT; // RFC 6762 section 6.7: a one-shot resolver wants a unicast reply
    DnsMessage answer = asked == DnsSd.Asked.INSTANCE ? DnsSd.announcement(self, legacy ? query.id() : 0, 1)
      : DnsSd.serviceType(legacy ? query.id() : 0);
    if (legacy) {
      byte[] bytes = DnsCodec.encode(answer);
      if (bytes.length > UNICAST_AMPLIFICATION * size) {
        answersSuppressed++; // a spoofed source would get more than it sent: it may ask on 5353 instead
        return;
      }
      answersOut++;
      socket.send(Buffer.buffer(bytes), from.port(), from.host());
      return;
    }
    if (now - lastMulticastAnswerMs < MIN_ANSWER_INTERVAL_MS) {
      answersSuppressed++;
      return;
    }
    lastMulticastAnswerMs = now;
    answersOut++;
    multicast(answer);
  }

  private void onResponse(DnsMessage response, long now) {
    expire(now);
    for (LanPeer peer : DnsSd.peers(response)) {
      if (peer.instance().equalsIgnoreCase(self.instance())) {
        continue; // our own announcement, looped back
      }
      anyNodeSeen = true;
      if (!peer.room().equals(self.room()) || peer.version() != self.version()) {
        continue;
      }
      Known before = peers.remove(peer.instance());
      peers.put(peer.instance(), new Known(peer, now));
      if (peers.size() > MAX_PEERS) {
        Iterator<String> oldest = peers.keySet().iterator();
        oldest.next();
        oldest.remove();
      }
      if (before == null || !before.peer().endpoint().equals(peer.endpoint())) {
        log.info("LAN discovery: found a node of our room at {} (key {})", peer.endpoint(), peer.fingerprint());
        listener.found(peer);
      }
    }
  }

  private void expire(long now) {
    peers.values().removeIf(k -> now - k.seenAtMs() > PEER_TTL_MS);
  }

  private static long nowMs() {
    return System.nanoTime() / 1_000_000;
  }
}
