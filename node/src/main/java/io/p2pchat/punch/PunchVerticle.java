package io.p2pchat.punch;

import io.p2pchat.chat.ChatAddresses;
import io.p2pchat.chat.FailureCodes;
import io.p2pchat.chat.RequestSchema;
import io.p2pchat.common.DualStackSocket;
import io.p2pchat.common.NodeLog;
import io.p2pchat.common.Plural;
import io.p2pchat.common.RateLimiter;
import io.p2pchat.crypto.KnownPeers;
import io.p2pchat.crypto.LanHello;
import io.p2pchat.lan.LanDiscovery;
import io.p2pchat.lan.LanPeer;
import io.p2pchat.metrics.Meters;
import io.p2pchat.crypto.NodeIdentity;
import io.p2pchat.crypto.RoomId;
import io.p2pchat.crypto.SecureChannel;
import io.p2pchat.delivery.DeliveryOptions;
import io.p2pchat.node.NodeOptions;
import io.p2pchat.node.NodeStage;
import io.p2pchat.portmap.PortMapper;
import io.p2pchat.wire.DatagramKind;
import io.p2pchat.wire.DropCounters;
import io.p2pchat.wire.DropReason;
import io.p2pchat.wire.Endpoint;
import io.p2pchat.wire.MailboxControl;
import io.p2pchat.mailbox.PeerDirectory;
import io.p2pchat.crypto.DepositIds;
import io.p2pchat.wire.HandshakeCodec;
import io.p2pchat.wire.PacketCodec;
import io.p2pchat.wire.PacketHeader;
import io.p2pchat.wire.PlainCommand;
import io.p2pchat.wire.RelayCodec;
import io.p2pchat.wire.WireException;
import io.p2pchat.wire.frame.FrameException;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.datagram.DatagramPacket;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Owns the client's one UDP socket: its lifecycle, every datagram in (demultiplexed by kind and
 * packet type to the class that handles it) and out (counted, and through the test impairment
 * for peers), and the wiring of the classes that do the rest, each with one job:
 * <ul>
 *   <li>{@link RendezvousClient}: registration, fail-over and every control message with the rendezvous;</li>
 *   <li>{@link PeerTable}: the sessions, by nick, index, introduction and relay id;</li>
 *   <li>{@link SessionHost}: sessions made on introductions, closed on departures, and what they report;</li>
 *   <li>{@link SessionTimers}: each session's timer and end-of-turn flush;</li>
 *   <li>{@link Probes}: the punch / punched exchange;</li>
 *   <li>{@link PeerTrust}: known_peers and the keys waiting for {@code /accept};</li>
 *   <li>{@link NetChecker}: STUN and the {@code netcheck} request;</li>
 *   <li>{@link SendFanOut}: chat messages to one peer or the room;</li>
 *   <li>{@link PeerEvents}: the {@code peer.state} / {@code peer.untrusted} JSON.</li>
 * </ul>
 * Everything runs on this verticle's event loop; chat messages come and go over the event bus
 * ({@link OutboundChat}, {@link InboundChat}).
 */
public class PunchVerticle extends NodeStage {

  /**
   * Longest wait in {@link #stop} for the goodbyes to leave the socket: they are written within
   * microseconds on a working host; this only bounds a stop on a broken one.
   */
  private static final long BYE_FLUSH_MS = 1_000;
  /** The bodies of {@code peers}, {@code node}, {@code netcheck} and {@code punch.stats}: {@code {}} or nothing. */
  private static final RequestSchema NO_FIELDS = RequestSchema.empty();
  /** The body of {@code peer.accept}: {@code {"nick", "fingerprint"}}. */
  private static final RequestSchema ACCEPT = RequestSchema.required("nick", RequestSchema.Kind.NICK,
    "fingerprint", RequestSchema.Kind.STRING);
  /** What a client answers a plain {@code punch} with. */
  private static final String PUNCHED = "punched";
  /**
   * Plain {@code punch} answers per second, all sources together: a liveness check by hand (nc) needs
   * one, and a flood with forged sources must not turn the node into a reflector of that rate.
   */
  public static final int PLAIN_PUNCH_ANSWERS_PER_SECOND = 10;
  /** Answers at once before the rate applies: a few checks typed in a row all get theirs. */
  public static final int PLAIN_PUNCH_ANSWER_BURST = 20;
  /** The one bucket of {@link #plainPunchAnswers}: the bound is for the node, whatever the source says. */
  private static final String ALL_SOURCES = "all";
  /** The loopback address, always one of ours: a peer on this host must not be probed at it by us. */
  private static final String LOOPBACK = "127.0.0.1";
  /** The IPv6 loopback address, ours the same way on the IPv6 socket's port. */
  private static final String LOOPBACK6 = "::1";

  /** Bounds the answers to plain {@code punch}es (one bucket for every source). */
  private final RateLimiter plainPunchAnswers =
    new RateLimiter(PLAIN_PUNCH_ANSWERS_PER_SECOND, PLAIN_PUNCH_ANSWER_BURST, 1);

  /** What start-up reads off the event loop: names resolved, key and known peers loaded. */
  private record Loaded(List<Endpoint> servers, List<Endpoint> stunServers, NodeIdentity identity,
                        KnownPeers knownPeers, PeerDirectory directory, DepositIds depositIds) {
  }

  private final NodeOptions options;
  private final String instance = Long.toHexString(new SecureRandom().nextLong());
  private final DropCounters drops = new DropCounters();
  private final PeerTable peers = new PeerTable();
  /** Our own addresses (local, loopback, and the reflexive one the rendezvous sees): never a peer's. */
  private final Set<Endpoint> ownAddresses = new HashSet<>();
  private RoomId roomId;
  private Impairment impairment;
  private NodeIdentity identity;
  private NodeLog log;
  private ChatAddresses addresses;
  private DeliveryOptions deliveryOptions;
  /** The IPv4 and the IPv6 socket, one handler for both (docs/PROTOCOL.md, "Sockets"). */
  private DualStackSocket socket;
  /** Outcomes and received messages for ChatVerticle, one hand-off per event-loop turn. */
  private TurnBatch<PunchEvent> events;
  /**
   * {@link #stop} began: what ChatVerticle hands over is refused ({@link PunchEvent.Stopping}), as long as a refusal
   * can reach it; once {@link #stop}'s last hand-over is sent ({@code handedOver}), ChatVerticle, stopping next,
   * answers what is still handed over itself (it fails every {@code chat.send} left unanswered).
   */
  private boolean stopping;
  private boolean handedOver;
  private SessionTimers timers;
  private RendezvousClient rendezvous;
  private NetChecker netChecker;
  /** Asks our gateway to forward a public port to the socket (null: {@code portMapping: false}). */
  private PortMapper portMapper;
  private PeerEvents peerEvents;
  private PeerTrust trust;
  private Probes probes;
  private SessionHost sessions;
  private SendFanOut fanOut;
  private MailboxCourier mailbox;
  /** LAN discovery (mDNS) and the introductions it leads to; null when {@code lan.discovery} is off. */
  private LanDiscovery lanDiscovery;
  private LanIntroductions lan;
  /** Timer: whether any rendezvous registered us by {@code rendezvous.downAfterSeconds}, else "LAN only" (-1: none). */
  private long lanOnlyTimer = -1;
  /** Datagrams received and sent since start (all kinds): how well messages share packets. */
  /** What the sessions did, for the meters. */
  private final NodeCounts counts = new NodeCounts();
  /** The node's meters; null unless {@code metrics.port} is set ({@link #metrics}). */
  private NodeMetrics metrics;
  /** Copies the figures the meters read every {@link NodeMetrics#REFRESH_MS}; -1 without meters. */
  private long metricsTimer = -1;
  private long datagramsIn;
  private long datagramsOut;

  public PunchVerticle(NodeOptions options) {
    this.options = options;
  }

  /** Registers this node's meters in {@code meters} when it starts (before it is deployed). */
  public PunchVerticle metrics(Meters meters) {
    this.metrics = new NodeMetrics(meters);
    return this;
  }

  @Override
  public Future<?> start() {
    log = NodeLog.of(PunchVerticle.class, options.nick(), options.logDir());
    addresses = new ChatAddresses(options.eventBusPrefix());
    roomId = RoomId.of(options.room(), options.roomSecret());
    int[] impair = options.impairment();
    impairment = new Impairment(impair[0], impair[1], impair[2], impair[3], options.impairDropIpv4());
    deliveryOptions = new DeliveryOptions()
      .setPacketFrameBudget(PeerSession.FRAME_BUDGET)
      .setDeliveryDeadlineNanos(TimeUnit.SECONDS.toNanos(options.deliveryDeadlineSeconds()));
    LocalCodec.register(vertx, OutboundBatch.class);
    LocalCodec.register(vertx, PunchEventBatch.class);
    events = new TurnBatch<>(context, vertx.eventBus(), addresses.punchEvents(), PunchEventBatch::new);
    timers = new SessionTimers(vertx, context, peers);
    socket = DualStackSocket.create(vertx, log);
    socket.handler(this::onDatagram);
    return vertx.executeBlocking(() -> new Loaded(resolve(options.rendezvousServers()),
        resolve(options.stunServers()), NodeIdentity.loadOrCreate(options.keyFile()),
        KnownPeers.load(options.dataDir().resolve(PeerTrust.KNOWN_PEERS_FILE)), PeerDirectory.load(options.dataDir()),
        DepositIds.loadOrCreate(options.dataDir())))
      .map(loaded -> {
        wire(loaded);
        return null;
      })
      .compose(v -> socket.listen(options.bindPort(), options.bindHost(), options.bindHost6())
        .compose(s -> vertx.executeBlocking(() -> LocalAddresses.of(options.bindHost(), s.localAddress().port(),
          options.bindHost6(), s.localAddress6() == null ? -1 : s.localAddress6().port())))
        .map(locals -> {
          ownAddresses.addAll(locals);
          ownAddresses.add(new Endpoint(LOOPBACK, port()));
          if (socket.localAddress6() != null) {
            ownAddresses.add(new Endpoint(LOOPBACK6, socket.localAddress6().port()));
          }
          rendezvous.start(instance, roomId, locals, altServer());
          startPortMapper(locals);
          return locals;
        })
        .compose(this::startLan))
      // Started once every address is registered (on a clustered event bus: known cluster-wide).
      .compose(v -> Future.all(List.of(
        // Internal: ChatVerticle of this node only, never across a clustered event bus.
        vertx.eventBus().<OutboundBatch>localConsumer(addresses.punchSend(),
            msg -> msg.body().messages().forEach(this::send))
          .completion(),
        // Internal: ChatVerticle says which mailbox messages its journal holds: acknowledged, receipts sent.
        vertx.eventBus().<JsonObject>localConsumer(addresses.punchMailRecorded(),
            msg -> mailbox.recorded(seqs(msg.body()), System.nanoTime()))
          .completion(),
        // The public request addresses: each body checked by its schema first, the same way as ChatVerticle's.
        serve(addresses.peers(), NO_FIELDS, msg -> msg.reply(peerEvents.peers(peers.sortedByNick()))),
        serve(addresses.stats(), NO_FIELDS, msg -> msg.reply(stats())),
        serve(addresses.node(), NO_FIELDS, msg -> msg.reply(nodeInfo())),
        serve(addresses.peerAccept(), ACCEPT, msg -> trust.onAccept(msg)),
        serve(addresses.netcheck(), NO_FIELDS, msg -> netChecker.run()
          .map(check -> check.put("udp", rendezvous.overTls() ? "blocked" : "ok").put("portMapping", portMapStatus()))
          .onSuccess(msg::reply)))))
      .onSuccess(v -> {
        if (options.impairDropIpv4()) {
          log.warn("test impairment on: every packet to a peer's IPv4 address dropped");
        }
        if (impairment.active()) {
          log.warn("test impairment on: {}% loss, {}% duplication, {}% reordering of packets to peers",
            impair[0], impair[1], impair[2]);
        }
        log.info("{} listening on UDP {} (room {}{}, rendezvous {}, key {})", options.nick(), socket.describe(),
          options.room(), roomId.isSecret() ? ", private" : "", rendezvous.server(), identity.fingerprint());
      });
  }

  /**
   * Starts the port mapper on our IPv4 socket's port (it runs beside registration: a mapping that comes
   * later is told to the rendezvous then); each new mapping goes to the rendezvous as our {@code portmap}.
   * A node bound to loopback only asks no gateway: nothing it forwarded could reach the socket.
   */
  private void startPortMapper(List<Endpoint> locals) {
    if (!options.portMapping().enabled()) {
      return;
    }
    if (LocalAddresses.lanIpv4(locals) == null) {
      log.info("port mapping off: no LAN IPv4 address (bound to {})", options.bindHost());
      return;
    }
    portMapper = PortMapper.create(vertx, options.portMapping(),
      NodeLog.of(PortMapper.class, options.nick(), options.logDir()));
    portMapper.mappingHandler(mapping -> {
      if (mapping != null) {
        log.info("port mapping: {} forwards {} to our UDP port {}", mapping.protocol().wireName(), mapping.external(),
          mapping.internalPort());
      }
      rendezvous.portMapped(mapping == null ? null : new Endpoint(mapping.externalHost(), mapping.externalPort()));
    });
    portMapper.start(port());
  }

  /** The {@code portMapping} part of a netcheck: the mapper's status, and whether the rendezvous took it. */
  private JsonObject portMapStatus() {
    if (portMapper == null) {
      return new JsonObject().put("state", "off");
    }
    return portMapper.status().put("reported", rendezvous.portmapReported());
  }

  /** Makes the collaborators, once the servers are resolved and the keys loaded. */
  private void wire(Loaded loaded) {
    identity = loaded.identity();
    List<Endpoint> stunSources = new ArrayList<>();
    // The rendezvous answers STUN too: with one more server, a netcheck can tell how the NAT maps.
    stunSources.add(loaded.servers().get(0));
    stunSources.addAll(loaded.stunServers());
    Wiring wiring = new Wiring();
    netChecker = new NetChecker(vertx, log, this::send, stunSources);
    rendezvous = new RendezvousClient(vertx, log, addresses, options, identity, loaded.servers(), ownAddresses,
      this::send, wiring);
    peerEvents = new PeerEvents(vertx.eventBus(), addresses, rendezvous::relayAddress, rendezvous::overTls);
    trust = new PeerTrust(vertx, log, loaded.knownPeers(), wiring);
    probes = new Probes(log, peers, this::sendPacket, timers, peerEvents);
    sessions = new SessionHost(log, options, peers, this::newSession, timers, peerEvents, events, this::sendPacket,
      probes, rendezvous, netChecker);
    if (loaded.directory().skipped() > 0) {
      log.warn("peer directory: skipped {} that do not check (edited, or a binding that does not vouch for"
        + " its key)", Plural.of(loaded.directory().skipped(), "line"));
    }
    mailbox = new MailboxCourier(vertx, log, options, identity, loaded.directory(), loaded.depositIds(), trust,
      peers, events,
      rendezvous::sendMailbox);
    sessions.mailbox(mailbox);
    sessions.metrics(counts, metrics);
    fanOut = new SendFanOut(peers, timers, events, mailbox);
    if (metrics != null) {
      metricsTimer = vertx.setPeriodic(NodeMetrics.REFRESH_MS,
        id -> metrics.refresh(counts, drops, peers, mailbox.queuedTotal()));
    }
    if (options.lanDiscovery()) {
      lan = new LanIntroductions(log, options.nick(), instance,
        new LanHello(identity, roomId.prologue()), sessions, new LanHost());
    }
  }

  /**
   * Starts LAN discovery (when on), announcing our first LAN IPv4 address with our port; a node bound to
   * loopback only announces nothing and only browses. Says "LAN only" once no rendezvous registered us
   * within {@code rendezvous.downAfterSeconds}.
   */
  private Future<Void> startLan(List<Endpoint> locals) {
    if (lan == null) {
      return Future.succeededFuture();
    }
    lanOnlyTimer = vertx.setTimer(TimeUnit.SECONDS.toMillis(options.rendezvousDownAfterSeconds()), t -> {
      lanOnlyTimer = -1;
      if (!"registered".equals(rendezvous.linkState())) {
        log.info("no rendezvous: LAN only (none answered in {} s; still trying {})", options.rendezvousDownAfterSeconds(),
          rendezvous.server());
        vertx.eventBus().publish(addresses.lanState(), new JsonObject().put("state", "lan-only"));
      }
    });
    LanPeer self = new LanPeer("p2pchat-" + instance, PacketCodec.VERSION, roomId.wireId(),
      identity.fingerprint().replace(" ", ""), identity.staticPublicKey(), null);
    return LanDiscovery.forLocalAddresses(vertx, log, self, locals, lan).compose(discovery -> {
      lanDiscovery = discovery;
      if (discovery == null) {
        lan = null;
        return Future.succeededFuture();
      }
      return discovery.start();
    });
  }

  /**
   * Says goodbye to every peer with a secured path (their consoles print {@code * NICK left} at
   * once) and to the rendezvous, then closes the socket once those datagrams have left it, or
   * after {@link #BYE_FLUSH_MS} at the latest: a send resolves its address before it writes, so
   * closing at once could drop the goodbyes. What the last turns produced for ChatVerticle (a session failed
   * over, a mailbox message) is handed over before the returned future completes: ChatVerticle, whose child this
   * verticle is, stops only then, and takes it first.
   */
  @Override
  public Future<?> stop() {
    stopping = true;
    if (events != null) {
      events.add(new PunchEvent.Stopping()); // ChatVerticle refuses chat.send from now
      events.sendNow();
    }
    if (metrics != null) {
      vertx.cancelTimer(metricsTimer);
      metrics.close();
    }
    List<Future<Void>> byes = new ArrayList<>();
    for (PeerSession session : peers.sessions()) {
      timers.cancel(session);
      Buffer bye = session.byePacket();
      if (bye != null) {
        byes.add(transmit(session, session.path.address(), bye));
      }
      session.destroyKeys(); // the goodbye is sealed: nothing else will be
    }
    int peerByes = byes.size();
    vertx.cancelTimer(lanOnlyTimer);
    if (lanDiscovery != null) {
      byes.add(lanDiscovery.stop());
    }
    Future<Void> rendezvousBye = rendezvous == null ? null : rendezvous.stop();
    if (rendezvousBye != null) {
      byes.add(rendezvousBye);
    }
    if (log != null) {
      log.info("{} leaving: said goodbye to {}", options.nick(), Plural.of(peerByes, "peer"));
    }
    // The mapping deleted at the gateway, beside the goodbyes (bounded by the mapper's own stop timeout).
    Future<Void> unmapped = portMapper == null ? Future.succeededFuture() : portMapper.stop();
    if (socket == null) {
      return unmapped;
    }
    return Future.join(byes).timeout(BYE_FLUSH_MS, TimeUnit.MILLISECONDS)
      .transform(sent -> {
        if (rendezvous != null) {
          rendezvous.close();
        }
        return socket.close();
      })
      // known_peers on disk before the undeploy completes: an application that stops a node and reads
      // or copies its data directory finds every key it trusted.
      .eventually(() -> trust == null ? Future.succeededFuture() : trust.saved())
      .eventually(() -> mailbox == null ? Future.succeededFuture() : mailbox.stop())
      .eventually(() -> unmapped)
      .andThen(done -> {
        events.sendNow();
        handedOver = true;
      });
  }

  /** Registers a public request address whose bodies {@code schema} checks before {@code handler} sees them. */
  private Future<Void> serve(String address, RequestSchema schema, Handler<Message<Object>> handler) {
    return vertx.eventBus().<Object>consumer(address, msg -> {
      if (schema.admit(msg)) {
        handler.handle(msg);
      }
    }).completion();
  }

  /** What {@code node} answers: who this node is and how its rendezvous link stands. */
  private JsonObject nodeInfo() {
    return new JsonObject().put("nick", options.nick())
      .put("room", options.room()).put("fingerprint", identity.fingerprint())
      .put("rendezvous", rendezvous.toJson());
  }

  private JsonObject stats() {
    return new JsonObject()
      .put("datagramsIn", datagramsIn)
      .put("datagramsOut", datagramsOut)
      .put("drops", drops.toJson())
      .put("peers", peers.size())
      .put("hostCandidatesDropped", rendezvous == null ? 0 : rendezvous.hostCandidatesDropped())
      .put("tlsWriteDrops", rendezvous == null ? 0 : rendezvous.tlsWriteDrops())
      .put("probesPaced", probes == null ? new JsonObject() : probes.pacedStats())
      .put("rendezvous", rendezvous == null ? "starting" : rendezvous.linkState())
      .put("mailbox", mailbox == null ? new JsonObject() : mailbox.stats())
      .put("lan", lanDiscovery == null ? new JsonObject().put("state", "off")
        : lanDiscovery.stats().put("hellosIn", lan.hellosIn()).put("hellosOut", lan.hellosOut()));
  }

  /** A chat message from ChatVerticle: counted, then to its peer or the room; refused once this verticle stops. */
  private void send(OutboundChat chat) {
    if (stopping) {
      if (!handedOver) {
        events.add(new PunchEvent.Rejected(chat, FailureCodes.UNAVAILABLE, PunchEvent.Stopping.REASON));
      }
      return;
    }
    counts.count(NodeCounts.Count.SENT);
    fanOut.send(chat);
  }

  /** The UDP port this node listens on. */
  public int port() {
    return socket.localAddress().port();
  }

  private PeerSession newSession(String nick, int localIndex) {
    return new PeerSession(nick, localIndex, sessions, deliveryOptions,
      () -> new SecureChannel(identity, options.nick(), nick, roomId.prologue(), options.cipher(),
        options.nick().compareTo(nick) < 0, trust::trust),
      TimeUnit.SECONDS.toNanos(options.punchTimeoutSeconds()),
      TimeUnit.SECONDS.toNanos(options.keepAliveSeconds()), ownAddresses);
  }

  /** The {@code seqs} of a {@code punch.mailRecorded} body (ChatVerticle's own, so not checked further). */
  private static List<Long> seqs(JsonObject body) {
    List<Long> seqs = new ArrayList<>();
    for (Object seq : body.getJsonArray("seqs")) {
      seqs.add(((Number) seq).longValue());
    }
    return seqs;
  }

  /** {@code host:port} names (IPv6 in brackets) to addresses. Blocking: DNS. */
  /**
   * The rendezvous's IPv6 address ({@code rendezvous.host6}) where this node registers its IPv6 address too:
   * only with an IPv6 socket, and for the one rendezvous of {@code rendezvous.host} (not a list of servers).
   */
  private Endpoint altServer() {
    String alt = options.rendezvousAlt();
    if (alt == null || socket.localAddress6() == null || options.rendezvousServers().size() != 1) {
      return null;
    }
    try {
      return Endpoint.parse(alt);
    } catch (WireException e) {
      throw new IllegalStateException("BUG: rendezvous.host6 was checked as an IPv6 literal: " + alt, e);
    }
  }

  private static List<Endpoint> resolve(List<String> hostPorts) throws UnknownHostException {
    List<Endpoint> resolved = new ArrayList<>();
    for (String hostPort : hostPorts) {
      int colon = hostPort.lastIndexOf(':');
      resolved.add(new Endpoint(InetAddress.getByName(hostPort.substring(0, colon).replaceAll("[\\[\\]]", ""))
        .getHostAddress(), Integer.parseInt(hostPort.substring(colon + 1))));
    }
    return resolved;
  }

  // ---------------------------------------------------------------- inbound datagrams: the demux

  private void onDatagram(DatagramPacket packet) {
    onDatagram(Endpoint.of(packet.sender()), packet.data(), true);
  }

  /** A datagram from our UDP socket ({@code viaUdp}), or from the rendezvous over its TLS transport. */
  private void onDatagram(Endpoint from, Buffer data, boolean viaUdp) {
    datagramsIn++;
    try {
      switch (DatagramKind.of(data)) {
        case PACKET:
          onPacket(from, data, false);
          break;
        case CONTROL:
          // The sealed control channel: only the current rendezvous speaks it to us.
          if (!rendezvous.isControlSource(from)) {
            throw new WireException(DropReason.UNAUTHENTICATED, "control datagram not from the rendezvous");
          }
          rendezvous.onControl(data, viaUdp, System.nanoTime());
          break;
        case STUN:
          netChecker.onStun(from, data);
          break;
        case PLAIN:
          if (PlainCommand.parse(data).verb() != PlainCommand.Verb.PUNCH) {
            throw new WireException(DropReason.UNKNOWN_TYPE, "a client answers only punch");
          }
          // A liveness reply only: it never creates or moves a path, and comes at a bounded rate.
          if (!plainPunchAnswers.tryAcquire(ALL_SOURCES, System.nanoTime())) {
            throw new WireException(DropReason.RATE_LIMITED, "plain punch answers over "
              + PLAIN_PUNCH_ANSWERS_PER_SECOND + " a second");
          }
          send(Buffer.buffer(PUNCHED), from);
          break;
        default:
          throw new WireException(DropReason.UNKNOWN_KIND, "not a p2pchat packet");
      }
    } catch (WireException e) {
      if (e.expected()) {
        drops.count(e.reason());
        log.debug("dropped {} bytes from {}: {} ({})", data.length(), from, e.reason().label(), e.getMessage());
      } else {
        drop(from, e.reason(), e.getMessage(), data.length());
      }
    } catch (FrameException e) {
      drop(from, DropReason.MALFORMED, e.getMessage(), data.length());
    } catch (RuntimeException e) {
      // A peer's protocol errors are WireExceptions by now (PeerSession cuts the peer off): anything
      // else here is ours.
      drop(from, DropReason.MALFORMED, e.toString(), data.length());
      log.error("BUG handling a datagram from {}", from, e);
    } catch (Exception e) {
      drop(from, DropReason.MALFORMED, e.toString(), data.length());
    }
  }

  /** A p2pchat packet, by its type: {@code relayed} when it came inside a relay frame. */
  private void onPacket(Endpoint from, Buffer data, boolean relayed) throws Exception {
    PacketHeader header = PacketCodec.decodeHeader(data);
    long now = System.nanoTime();
    switch (header.type()) {
      case CONTROL:
        // Protocol 1's cleartext control, trusted by source address alone: anyone who can spoof the
        // rendezvous's address could forge it, so it is never acted on (control is sealed now).
        throw new WireException(DropReason.UNAUTHENTICATED, "unsealed control packet");
      case PROBE:
        probes.onProbe(from, data, now);
        break;
      case HANDSHAKE:
        PeerSession shaking = peers.byIndex(header.sessionId());
        if (shaking == null) {
          throw new WireException(DropReason.UNKNOWN_SESSION, "handshake for session " + header.sessionId());
        }
        shaking.onHandshake(HandshakeCodec.decode(data), from, now);
        timers.touched(shaking);
        break;
      case DATA:
        onDataPacket(from, header, data, now);
        break;
      case LAN_HELLO:
        if (lan == null || relayed) {
          throw new WireException(DropReason.UNKNOWN_TYPE, "LAN hello while LAN discovery is off, or relayed");
        }
        lan.onHello(from, data, now);
        break;
      case RELAY:
        if (relayed || !rendezvous.isServer(from)) {
          throw new WireException(DropReason.UNAUTHENTICATED, "relay frame not from the rendezvous");
        }
        if (peers.byRelayId(RelayCodec.relayId(data)) == null) {
          throw new WireException(DropReason.UNKNOWN_SESSION, "relay frame from an unknown peer");
        }
        onPacket(Candidate.VIA_RELAY, RelayCodec.inner(data), true);
        break;
      default:
        throw new WireException(DropReason.UNKNOWN_TYPE, "packet type " + header.type());
    }
  }

  private void onDataPacket(Endpoint from, PacketHeader header, Buffer data, long now) throws Exception {
    PeerSession session = peers.byIndex(header.sessionId());
    if (session == null) {
      throw new WireException(DropReason.UNKNOWN_SESSION, "data for session " + header.sessionId());
    }
    session.onData(header.counter(), data, from, now);
    timers.touched(session);
  }

  private void drop(Endpoint from, DropReason reason, String detail, int length) {
    drops.count(reason);
    log.warnRateLimited(reason.label(), "dropped {} bytes from {}: {} ({})", length, from, reason.label(), detail);
  }

  // ---------------------------------------------------------------- outbound datagrams

  /**
   * Every datagram this node sends goes through here, to be counted ({@link DatagramSender}), and
   * leaves from the socket of its destination's family.
   */
  private Future<Void> send(Buffer datagram, Endpoint to) {
    datagramsOut++;
    return socket.send(datagram, to);
  }

  /** A packet to a peer ({@link PeerTransport}): through the test impairment, when it is on. */
  private void sendPacket(PeerSession session, Endpoint to, Buffer packet) {
    if (impairment.blocks(to)) {
      return;
    }
    if (impairment.active()) {
      switch (impairment.next()) {
        case DROP:
          return;
        case DUPLICATE:
          transmit(session, to, packet);
          break;
        case DELAY:
          vertx.setTimer(impairment.holdMs(), t -> transmit(session, to, packet));
          return;
        default:
          break;
      }
    }
    transmit(session, to, packet);
  }

  private Future<Void> transmit(PeerSession session, Endpoint to, Buffer packet) {
    if (to.equals(Candidate.VIA_RELAY)) {
      return rendezvous.relay(session.relayId, packet);
    }
    return send(packet, to);
  }

  // ---------------------------------------------------------------- wiring

  /** What LAN introductions need of this verticle: its socket, and the console's "no LAN peer found". */
  private final class LanHost implements LanIntroductions.Host {
    @Override
    public void send(Buffer datagram, Endpoint to) {
      PunchVerticle.this.send(datagram, to);
    }

    @Override
    public void noneFound(long afterMs) {
      log.info("no LAN peer found{}", afterMs > 0 ? " in " + afterMs / 1000 + " s of mDNS" : ": mDNS is not usable here");
      vertx.eventBus().publish(addresses.lanState(), new JsonObject().put("state", "none-found")
        .put("afterSeconds", afterMs / 1000));
    }
  }

  /**
   * What the rendezvous client and the trust checks report, passed to whom it concerns. An inner
   * object rather than this verticle's own methods, so none of it is callable from outside.
   */
  private final class Wiring implements RendezvousClient.Listener, PeerTrust.Host {

    @Override
    public void up(int mail) {
      netChecker.runIfUnknown();
      long now = System.nanoTime();
      sessions.registered(now);
      mailbox.up(mail, now);
    }

    @Override
    public void down() {
      mailbox.down();
    }

    @Override
    public void mailbox(MailboxControl.Type type, JsonObject message, long now) throws WireException {
      mailbox.onControl(type, message, now);
    }

    @Override
    public void introduced(RendezvousClient.Introduction introduction, long now) {
      sessions.introduced(introduction, now);
    }

    @Override
    public void left(String nick) {
      sessions.left(nick);
    }

    @Override
    public void fromRendezvous(Buffer datagram) {
      onDatagram(rendezvous.server(), datagram, false);
    }

    @Override
    public byte[] introducedKey(String nick) {
      PeerSession session = peers.byNick(nick);
      return session == null ? null : session.introducedKey;
    }

    @Override
    public void untrusted(String nick, String offered, String known) {
      peerEvents.untrusted(nick, offered, known);
    }

    @Override
    public void reintroduce(String nick) {
      rendezvous.connect(nick);
    }
  }
}
