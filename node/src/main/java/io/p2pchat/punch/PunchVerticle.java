package io.p2pchat.punch;

import io.p2pchat.chat.ChatAddresses;
import io.p2pchat.chat.FailureCodes;
import io.p2pchat.chat.RequestSchema;
import io.p2pchat.crypto.HandshakePayload;
import io.p2pchat.crypto.KnownPeers;
import io.p2pchat.crypto.NodeIdentity;
import io.p2pchat.crypto.RoomId;
import io.p2pchat.crypto.SecureChannel;
import io.p2pchat.delivery.DeliveryOptions;
import io.p2pchat.common.NodeLog;
import io.p2pchat.node.NodeOptions;
import io.p2pchat.common.UdpSockets;
import io.p2pchat.wire.Control;
import io.p2pchat.wire.ControlCodec;
import io.p2pchat.wire.ControlType;
import io.p2pchat.wire.DatagramKind;
import io.p2pchat.wire.DropCounters;
import io.p2pchat.wire.DropReason;
import io.p2pchat.wire.Endpoint;
import io.p2pchat.wire.HandshakeCodec;
import io.p2pchat.wire.PacketCodec;
import io.p2pchat.wire.PacketHeader;
import io.p2pchat.wire.PacketType;
import io.p2pchat.wire.PlainCommand;
import io.p2pchat.wire.Probe;
import io.p2pchat.wire.ProbeCodec;
import io.p2pchat.wire.RelayCodec;
import io.p2pchat.wire.StunCodec;
import io.p2pchat.wire.WireException;
import io.p2pchat.wire.frame.FrameException;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.datagram.DatagramPacket;
import io.vertx.core.datagram.DatagramSocket;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.net.InetAddress;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Owns the client's one UDP socket and every per-peer session: registration with the rendezvous
 * and its keep-alives, punching, the chosen path of each peer and its keep-alives, and the
 * reliable stream of each peer. Everything here runs on this verticle's event loop; chat
 * messages come and go over the event bus ({@link OutboundChat}, {@link InboundChat}).
 */
public class PunchVerticle extends VerticleBase implements PeerSession.Host, RendezvousLink.Actions, PeerTrust.Host {

  /**
   * Longest wait in {@link #stop} for the goodbyes to leave the socket: they are written within
   * microseconds on a working host; this only bounds a stop on a broken one.
   */
  private static final long BYE_FLUSH_MS = 1_000;
  /** How long a netcheck waits for STUN answers: a few RTTs to any server worth asking. */
  private static final long NETCHECK_WAIT_MS = 1500;
  /** The bodies of {@code peers}, {@code node}, {@code netcheck} and {@code punch.stats}: {@code {}} or nothing. */
  private static final RequestSchema NO_FIELDS = RequestSchema.empty();
  /** The body of {@code peer.accept}: {@code {"nick"}}. */
  private static final RequestSchema ACCEPT = RequestSchema.required("nick", RequestSchema.Kind.NICK);
  /** Address put in a punched answered through the relay, where the real one is the server's business. */
  private static final Endpoint UNSPECIFIED = new Endpoint("0.0.0.0", 0);

  private final NodeOptions options;
  private final SecureRandom random = new SecureRandom();
  private final String instance = Long.toHexString(new SecureRandom().nextLong());
  private final DropCounters drops = new DropCounters();
  private final PeerTable peers = new PeerTable();
  private SessionTimers timers;
  private final Set<Endpoint> ownAddresses = new HashSet<>();
  private RoomId roomId;
  private Impairment impairment;
  private final NetCheck netCheck = new NetCheck();
  private final List<Endpoint> stunSources = new ArrayList<>();
  private NetCheck.Mapping knownMapping = NetCheck.Mapping.UNKNOWN;

  private NodeIdentity identity;
  private PeerTrust trust;
  private PeerEvents peerEvents;
  private NodeLog log;
  private ChatAddresses addresses;
  private DeliveryOptions deliveryOptions;
  private DatagramSocket socket;
  /** The current rendezvous: one of {@link #servers}, the next when it stops answering. */
  private Endpoint server;
  private final List<Endpoint> servers = new ArrayList<>();
  private RendezvousLink link;
  /**
   * The rendezvous stopped answering, or never answered our first registrations: true from then
   * until it registers us again. Before that a node is only "registering" (its first answer is
   * on the way), which is not worth an alarm.
   */
  private boolean rendezvousDown;
  private long linkTimer = -1;
  private boolean relayAvailable;
  private long controlCounter;
  private long probeCounter;
  private long nextHandle;
  /** Datagrams received and sent since start (all kinds): how well messages share packets. */
  private long datagramsIn;
  private long datagramsOut;
  /** Outcomes and received messages for ChatVerticle, one hand-off per event-loop turn. */
  private TurnBatch<PunchEvent> events;

  public PunchVerticle(NodeOptions options) {
    this.options = options;
  }

  @Override
  public Future<?> start() {
    log = NodeLog.of(PunchVerticle.class, options.nick(), options.logDir());
    addresses = new ChatAddresses(options.eventBusPrefix());
    roomId = RoomId.of(options.room(), options.roomSecret());
    int[] impair = options.impairment();
    impairment = new Impairment(impair[0], impair[1], impair[2], impair[3]);
    deliveryOptions = new DeliveryOptions()
      .setPacketFrameBudget(PeerSession.FRAME_BUDGET)
      .setDeliveryDeadlineNanos(TimeUnit.SECONDS.toNanos(options.deliveryDeadlineSeconds()));
    LocalCodec.register(vertx, OutboundBatch.class);
    LocalCodec.register(vertx, PunchEventBatch.class);
    events = new TurnBatch<>(context, vertx.eventBus(), addresses.punchEvents(), PunchEventBatch::new);
    timers = new SessionTimers(vertx, context, peers);
    peerEvents = new PeerEvents(vertx.eventBus(), addresses, () -> server);
    socket = UdpSockets.create(vertx, log);
    socket.handler(this::onDatagram);
    return vertx.executeBlocking(() -> {
        for (String address : options.rendezvousServers()) {
          int colon = address.lastIndexOf(':');
          servers.add(new Endpoint(InetAddress.getByName(address.substring(0, colon).replaceAll("[\\[\\]]", ""))
            .getHostAddress(), Integer.parseInt(address.substring(colon + 1))));
        }
        server = servers.get(0);
        stunSources.add(server);
        for (String stun : options.stunServers()) {
          int colon = stun.lastIndexOf(':');
          stunSources.add(new Endpoint(InetAddress.getByName(stun.substring(0, colon).replaceAll("[\\[\\]]", ""))
            .getHostAddress(), Integer.parseInt(stun.substring(colon + 1))));
        }
        identity = NodeIdentity.loadOrCreate(options.keyFile());
        trust = new PeerTrust(vertx, log, KnownPeers.load(options.dataDir().resolve(PeerTrust.KNOWN_PEERS_FILE)), this);
        return null;
      })
      .compose(v -> socket.listen(options.bindPort(), options.bindHost())
        .compose(s -> vertx.executeBlocking(() -> LocalAddresses.of(options.bindHost(), s.localAddress().port())))
        .map(locals -> {
          startLink(locals);
          return null;
        }))
      // Started once every address is registered (on a clustered event bus: known cluster-wide).
      .compose(v -> Future.all(List.of(
        // Internal: ChatVerticle of this node only, never across a clustered event bus.
        vertx.eventBus().<OutboundBatch>localConsumer(addresses.punchSend(), msg -> msg.body().messages().forEach(this::onSend))
          .completion(),
        // The public request addresses: each body checked by its schema first, the same way as ChatVerticle's.
        serve(addresses.peers(), NO_FIELDS, msg -> msg.reply(peerEvents.peers(peers.sortedByNick()))),
        serve(addresses.stats(), NO_FIELDS, msg -> msg.reply(stats())),
        serve(addresses.node(), NO_FIELDS, msg -> msg.reply(nodeInfo())),
        serve(addresses.peerAccept(), ACCEPT, msg -> trust.onAccept(msg)),
        serve(addresses.netcheck(), NO_FIELDS, msg -> runNetCheck().onSuccess(msg::reply)))))
      .onSuccess(v -> {
        if (impairment.active()) {
          log.warn("test impairment on: {}% loss, {}% duplication, {}% reordering of packets to peers",
            impair[0], impair[1], impair[2]);
        }
        log.info("{} listening on UDP {} (room {}{}, rendezvous {}, key {})", options.nick(), socket.localAddress(),
          options.room(), roomId.isSecret() ? ", private" : "", server, identity.fingerprint());
      });
  }

  /**
   * Says goodbye to every peer with a secured path (their consoles print {@code * NICK left} at
   * once) and to the rendezvous, then closes the socket once those datagrams have left it, or
   * after {@link #BYE_FLUSH_MS} at the latest: a send resolves its address before it writes, so
   * closing at once could drop the goodbyes.
   */
  @Override
  public Future<?> stop() {
    List<Future<Void>> byes = new ArrayList<>();
    for (PeerSession session : peers.sessions()) {
      timers.cancel(session);
      Buffer bye = session.byePacket();
      if (bye != null) {
        byes.add(transmit(session, session.path.address(), bye));
      }
    }
    vertx.cancelTimer(linkTimer);
    if (link != null) {
      byes.add(control(link.bye()));
    }
    if (log != null) {
      log.info("{} leaving: said goodbye to {} peers", options.nick(), byes.size() - (link != null ? 1 : 0));
    }
    if (socket == null) {
      return Future.succeededFuture();
    }
    return Future.join(byes).timeout(BYE_FLUSH_MS, TimeUnit.MILLISECONDS)
      .transform(sent -> socket.close());
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
      .put("rendezvous", new JsonObject().put("address", server.toString())
        .put("state", link.state() == RendezvousLink.State.REGISTERED ? "up" : rendezvousDown ? "down" : "registering"));
  }

  /** The UDP port this node listens on. */
  public int port() {
    return socket.localAddress().port();
  }

  private void startLink(List<Endpoint> locals) {
    ownAddresses.addAll(locals);
    ownAddresses.add(new Endpoint("127.0.0.1", port()));
    JsonObject registration = Control.of(ControlType.REGISTER)
      .put(Control.VERSION, Control.PROTOCOL_VERSION)
      .put(Control.NICK, options.nick())
      .put(Control.ROOM, roomId.wireId())
      .put(Control.INSTANCE, instance)
      .put(Control.LOCAL, Control.toJson(locals));
    link = new RendezvousLink(this, registration, TimeUnit.SECONDS.toNanos(options.keepAliveSeconds()),
      TimeUnit.SECONDS.toNanos(options.rendezvousDownAfterSeconds()), identity);
    link.start(System.nanoTime());
    rescheduleLink();
  }

  // ---------------------------------------------------------------- inbound datagrams

  private void onDatagram(DatagramPacket packet) {
    datagramsIn++;
    Endpoint from = Endpoint.of(packet.sender());
    Buffer data = packet.data();
    try {
      switch (DatagramKind.of(data)) {
        case PACKET:
          onPacket(from, data, false);
          break;
        case STUN:
          onStun(from, data);
          break;
        case PLAIN:
          if (PlainCommand.parse(data).verb() != PlainCommand.Verb.PUNCH) {
            throw new WireException(DropReason.UNKNOWN_TYPE, "a client answers only punch");
          }
          // A liveness reply only: it never creates or moves a path.
          sendDatagram(Buffer.buffer("punched"), from.port(), from.host());
          break;
        default:
          throw new WireException(DropReason.UNKNOWN_KIND, "not a p2pchat packet");
      }
    } catch (WireException e) {
      drop(from, e.reason(), e.getMessage(), data.length());
    } catch (FrameException e) {
      drop(from, DropReason.MALFORMED, e.getMessage(), data.length());
    } catch (RuntimeException e) {
      drop(from, DropReason.MALFORMED, e.toString(), data.length());
      if (!(e instanceof io.p2pchat.delivery.DeliveryProtocolException)) {
        log.error("BUG handling a datagram from {}", from, e);
      }
    } catch (Exception e) {
      drop(from, DropReason.MALFORMED, e.toString(), data.length());
    }
  }

  private void onPacket(Endpoint from, Buffer data, boolean relayed) throws Exception {
    PacketHeader header = PacketCodec.decodeHeader(data);
    long now = System.nanoTime();
    switch (header.type()) {
      case CONTROL:
        if (relayed || !from.equals(server)) {
          throw new WireException(DropReason.UNAUTHENTICATED, "control packet not from the rendezvous");
        }
        onControl(ControlCodec.decode(data), now);
        break;
      case PROBE:
        onProbe(from, data, now);
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
      case RELAY:
        if (relayed || !from.equals(server)) {
          throw new WireException(DropReason.UNAUTHENTICATED, "relay frame not from the rendezvous");
        }
        PeerSession session = peers.byRelayId(RelayCodec.relayId(data));
        if (session == null) {
          throw new WireException(DropReason.UNKNOWN_SESSION, "relay frame from an unknown peer");
        }
        onPacket(Candidate.VIA_RELAY, RelayCodec.inner(data), true);
        break;
      default:
        throw new WireException(DropReason.UNKNOWN_TYPE, "packet type " + header.type());
    }
  }

  private void onControl(JsonObject msg, long now) throws WireException {
    ControlType type = Control.type(msg);
    if (log.isDebugEnabled()) {
      log.debug("in  {} {}", server, msg.getString(Control.TYPE));
    }
    link.onAnswer(now);
    switch (type) {
      case REGISTERED:
        Endpoint reflexive = Control.endpoint(msg, Control.PUBLIC);
        ownAddresses.add(reflexive);
        relayAvailable = msg.getBoolean("relay", true);
        link.onRegistered(msg, now);
        break;
      case CHALLENGE:
        link.onChallenge(msg, now);
        break;
      case KEEPALIVE_ACK:
        break;
      case INTRODUCE:
        onIntroduce(msg, now);
        break;
      case GONE:
        PeerSession gone = peers.byNick(Control.matching(msg, Control.NICK, Control.NICK_PATTERN));
        if (gone != null) {
          gone.close("left the rendezvous");
        }
        break;
      case ERROR:
        onError(msg, now);
        break;
      default:
        throw new WireException(DropReason.UNKNOWN_TYPE, "control " + type.wireName() + " at a client");
    }
    rescheduleLink();
  }

  private void onError(JsonObject msg, long now) {
    String code = msg.getString(Control.CODE, "");
    String message = msg.getString(Control.MESSAGE, "");
    if (code.equals("not-registered")) {
      link.onNotRegistered(now);
    } else if (code.equals("unknown-nick")) {
      log.info("rendezvous: {}", message);
    } else {
      log.error("rendezvous refused us: {} ({})", message, code);
      vertx.eventBus().publish(addresses.rendezvousState(), new JsonObject()
        .put("state", "down").put("address", server.toString()).put("error", message));
    }
  }

  private void onIntroduce(JsonObject msg, long now) throws WireException {
    long introId = parseIntroId(Control.string(msg, Control.INTRO_ID));
    byte[] secret = decodeSecret(Control.string(msg, Control.SECRET));
    JsonObject peer = Control.object(msg, Control.PEER);
    String nick = Control.matching(peer, Control.NICK, Control.NICK_PATTERN);
    String peerInstance = Control.string(peer, "instance");
    long relayId = Control.number(peer, Control.RELAY_ID);
    List<Candidate> candidates = new ArrayList<>();
    for (Endpoint lan : Control.endpoints(peer, Control.LOCAL)) {
      candidates.add(new Candidate(lan, Candidate.Kind.LAN));
    }
    candidates.add(new Candidate(Control.endpoint(peer, Control.PUBLIC), Candidate.Kind.PUBLIC));
    if (nick.equals(options.nick())) {
      throw new WireException(DropReason.MALFORMED, "introduced to ourselves");
    }
    PeerSession session = peers.byNick(nick);
    if (session == null) {
      session = peers.add(nick, this::newSession);
      peerEvents.state(session, PathState.CONNECTING, null);
    }
    peers.introduced(session, introId, relayId);
    session.introducedKey = peer.getValue(Control.KEY) instanceof String
      ? Control.bytes(peer, Control.KEY, 32) : null;
    log.info("introduced to {} ({} candidates), punching", nick, candidates.size());
    session.introduce(introId, secret, peerInstance, relayId, candidates, relayAvailable,
      knownMapping == NetCheck.Mapping.PER_DESTINATION, now);
    timers.reschedule(session);
  }

  private PeerSession newSession(String nick, int localIndex) {
    return new PeerSession(nick, localIndex, this, deliveryOptions,
      () -> new SecureChannel(identity, options.nick(), nick, roomId.prologue(), options.cipher(),
        options.nick().compareTo(nick) < 0, trust::trust),
      TimeUnit.SECONDS.toNanos(options.punchTimeoutSeconds()),
      TimeUnit.SECONDS.toNanos(options.keepAliveSeconds()), ownAddresses);
  }

  private void onProbe(Endpoint from, Buffer data, long now) throws WireException {
    long introId = ProbeCodec.introId(data);
    PeerSession session = peers.byIntro(introId);
    byte[] secret = session == null ? null : session.secretFor(introId);
    if (secret == null) {
      throw new WireException(DropReason.UNKNOWN_SESSION, "probe of an unknown introduction");
    }
    Probe probe = ProbeCodec.decode(data, secret);
    if (probe.senderIndex() != 0) {
      session.remoteIndex = probe.senderIndex();
    }
    if (log.isDebugEnabled()) {
      log.debug("in  {} {} from {} tx {}", from, probe.kind(), session.nick, probe.txId());
    }
    if (probe.kind() == Probe.Kind.PUNCH) {
      // Answers go where the packets come from: that is what makes a peer-reflexive address work.
      Endpoint observed = from.equals(Candidate.VIA_RELAY) ? UNSPECIFIED : from;
      sendPacket(session, from, ProbeCodec.encode(
        new Probe(Probe.Kind.PUNCHED, session.introId, probe.txId(), session.localIndex, observed),
        ++probeCounter, session.secret));
      session.path.onPunch(from, now);
    } else {
      session.path.onPunched(probe.txId(), from, now);
      peerEvents.stateIfRttMoved(session);
    }
    timers.touched(session);
  }

  private void onDataPacket(Endpoint from, PacketHeader header, Buffer data, long now) throws Exception {
    PeerSession session = peers.byIndex(header.sessionId());
    if (session == null) {
      throw new WireException(DropReason.UNKNOWN_SESSION, "data for session " + header.sessionId());
    }
    session.onData(header.counter(), data, from, now);
    timers.touched(session);
  }

  // ---------------------------------------------------------------- chat messages from ChatVerticle

  private void onSend(OutboundChat chat) {
    long now = System.nanoTime();
    List<PeerSession> targets;
    if (chat.to() != null) {
      PeerSession target = peers.byNick(chat.to());
      if (target == null) {
        events.add(new PunchEvent.Rejected(chat, FailureCodes.NOT_FOUND, "unknown nick: " + chat.to()));
        return;
      }
      targets = List.of(target);
    } else {
      targets = new ArrayList<>(peers.sessions());
      if (targets.isEmpty()) {
        events.add(new PunchEvent.Accepted(chat, 0));
        return;
      }
    }
    SendVerdict verdict = new SendVerdict(chat, targets.size());
    for (PeerSession session : targets) {
      session.submit(++nextHandle, chat, verdict, now);
      timers.scheduleFlush(session);
    }
  }

  /** Tells ChatVerticle once every target took the message, or as soon as one could not. */
  private final class SendVerdict implements PeerSession.Verdict {
    private final OutboundChat chat;
    private final int peers;
    private int waiting;

    SendVerdict(OutboundChat chat, int peers) {
      this.chat = chat;
      this.peers = peers;
      this.waiting = peers;
    }

    @Override
    public void accepted() {
      if (waiting > 0 && --waiting == 0) {
        events.add(new PunchEvent.Accepted(chat, peers));
      }
    }

    @Override
    public void refused(String reason) {
      if (waiting > 0) {
        waiting = 0;
        events.add(new PunchEvent.Rejected(chat, FailureCodes.UNAVAILABLE, reason));
      }
    }
  }

  // ---------------------------------------------------------------- PeerSession.Host

  @Override
  public void sendPacket(PeerSession session, Endpoint to, Buffer packet) {
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
      return sendDatagram(RelayCodec.encode(session.relayId, packet), server.port(), server.host());
    }
    return sendDatagram(packet, to.port(), to.host());
  }

  @Override
  public void sendPunch(PeerSession session, Endpoint to, long txId) {
    if (log.isDebugEnabled()) {
      log.debug("out {} PUNCH to {} tx {}", to, session.nick, txId);
    }
    sendPacket(session, to, ProbeCodec.encode(
      new Probe(Probe.Kind.PUNCH, session.introId, txId, session.localIndex, null), ++probeCounter, session.secret));
  }

  @Override
  public void pathChanged(PeerSession session, PathState state, Endpoint address, String why) {
    String where = address == null ? "-" : address.equals(Candidate.VIA_RELAY) ? "via " + server : address.toString();
    if (state == PathState.CONNECTING) {
      log.warn("path to {} lost ({}): looking again; {} messages held until a path is back (deadline {} s)",
        session.nick, why, session.heldMessages(), options.deliveryDeadlineSeconds());
    } else {
      log.info("path to {}: {} {} ({}{})", session.nick, state.label(), where, why,
        session.rttNanos() >= 0 ? ", rtt " + session.rttNanos() / 1000 + " us" : "");
    }
    peerEvents.state(session, state, address);
    if (state == PathState.GONE) {
      timers.cancel(session);
      peers.remove(session);
    } else {
      timers.scheduleFlush(session);
    }
  }

  @Override
  public void punchFailed(PeerSession session, int candidates, boolean relay) {
    log.info("punch to {} failed: no direct path answered within {} s on {} candidates; {}", session.nick,
      options.punchTimeoutSeconds(), candidates, relay ? "using the relay, retrying direct every 15 s"
        : "the relay is off, retrying in 15 s");
  }

  @Override
  public void pathLost(PeerSession session) {
    // Fresh candidates: the peer's NAT may have given it a new public port.
    reintroduce(session.nick);
  }

  @Override
  public void received(PeerSession session, byte[] message) {
    events.add(new PunchEvent.Received(session.nick, message));
  }

  @Override
  public void delivered(PeerSession session, OutboundChat chat) {
    events.add(new PunchEvent.Delivered(chat, session.nick));
  }

  @Override
  public void failed(PeerSession session, OutboundChat chat, String reason) {
    events.add(new PunchEvent.Failed(chat, session.nick, reason));
  }

  @Override
  public void secured(PeerSession session) {
    log.info("session with {} secured: key {} ({})", session.nick, session.fingerprint(), options.cipher());
    peerEvents.current(session);
    timers.scheduleFlush(session);
  }

  @Override
  public void handshakeFailed(PeerSession session, String why) {
    log.warnRateLimited("handshake", "handshake with {} failed: {}", session.nick, why);
  }

  // ---------------------------------------------------------------- PeerTrust.Host

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
    sendControl(Control.of(ControlType.CONNECT).put(Control.NICK, nick));
  }

  // ---------------------------------------------------------------- RendezvousLink.Actions

  @Override
  public void sendControl(JsonObject message) {
    control(message);
  }

  /** Sends a control message to the current rendezvous; the future completes once it left the socket. */
  private Future<Void> control(JsonObject message) {
    if (log.isDebugEnabled()) {
      log.debug("out {} {}", server, message.getString(Control.TYPE));
    }
    return sendDatagram(ControlCodec.encode(message, ++controlCounter), server.port(), server.host());
  }

  /**
   * STUN Binding requests to every source, answers collected for {@link #NETCHECK_WAIT_MS}:
   * how our NAT maps, published in the log and returned.
   */
  private Future<JsonObject> runNetCheck() {
    netCheck.reset();
    for (Endpoint source : stunSources) {
      byte[] transactionId = new byte[StunCodec.TRANSACTION_ID_SIZE];
      random.nextBytes(transactionId);
      netCheck.sent(HexFormat.of().formatHex(transactionId), source);
      sendDatagram(StunCodec.bindingRequest(transactionId), source.port(), source.host());
    }
    Promise<JsonObject> result = Promise.promise();
    vertx.setTimer(NETCHECK_WAIT_MS, t -> {
      NetCheck.Mapping mapping = netCheck.mapping();
      if (mapping != NetCheck.Mapping.UNKNOWN && mapping != knownMapping) {
        log.info("netcheck: our NAT maps {} (mapped {}){}", mapping == NetCheck.Mapping.PER_DESTINATION
            ? "per destination" : "per endpoint", netCheck.mappedAddresses(),
          mapping == NetCheck.Mapping.PER_DESTINATION ? ": peers will use the relay at once" : "");
        knownMapping = mapping;
      }
      result.complete(netCheck.toJson().put("sourcesAsked", stunSources.size()));
    });
    return result.future();
  }

  private void onStun(Endpoint from, Buffer data) throws WireException {
    if (!stunSources.contains(from)) {
      throw new WireException(DropReason.UNKNOWN_KIND, "STUN from a source we did not ask");
    }
    Endpoint mapped = Endpoint.of(io.vertx.core.net.SocketAddress.inetSocketAddress(
      StunCodec.parseBindingResponse(data)));
    if (!netCheck.answered(HexFormat.of().formatHex(StunCodec.transactionId(data)), from, mapped)) {
      throw new WireException(DropReason.UNKNOWN_SESSION, "STUN answer to no request of ours");
    }
  }

  @Override
  public void up(JsonObject registered) {
    if (knownMapping == NetCheck.Mapping.UNKNOWN && stunSources.size() > 1) {
      runNetCheck();
    }
    log.info("registered with rendezvous {} as {} in room {} (seen as {})", server, options.nick(),
      options.room(), registered.getString(Control.PUBLIC));
    rendezvousDown = false;
    vertx.eventBus().publish(addresses.rendezvousState(),
      new JsonObject().put("state", "up").put("address", server.toString()));
  }

  /**
   * Registrations went unanswered: says so once per outage (also when the rendezvous never
   * answered since start) and fails over to the next rendezvous of the list (a cluster shares
   * registrations, so any will do).
   */
  @Override
  public void unreachable() {
    Endpoint unanswered = server;
    if (servers.size() > 1) {
      server = servers.get((servers.indexOf(server) + 1) % servers.size());
      log.warn("rendezvous {} unreachable: trying {}", unanswered, server);
    } else if (!rendezvousDown) {
      log.warn("rendezvous {} unreachable: registering again", unanswered);
    }
    publishDown(unanswered);
  }

  @Override
  public void down(String why) {
    log.warn("rendezvous {} down: {}; registering again", server, why);
    publishDown(server);
  }

  private void publishDown(Endpoint unanswered) {
    if (!rendezvousDown) {
      rendezvousDown = true;
      vertx.eventBus().publish(addresses.rendezvousState(),
        new JsonObject().put("state", "down").put("address", unanswered.toString()));
    }
  }

  // ---------------------------------------------------------------- timers and helpers

  private void rescheduleLink() {
    vertx.cancelTimer(linkTimer);
    linkTimer = vertx.setTimer(Timing.timerDelayMs(link.nextDeadline(), System.nanoTime()), id -> {
      link.onTimer(System.nanoTime());
      rescheduleLink();
    });
  }

  /** Every datagram this node sends goes through here, to be counted. */
  private Future<Void> sendDatagram(Buffer datagram, int port, String host) {
    datagramsOut++;
    return socket.send(datagram, port, host);
  }

  private JsonObject stats() {
    return new JsonObject()
      .put("datagramsIn", datagramsIn)
      .put("datagramsOut", datagramsOut)
      .put("drops", drops.toJson())
      .put("peers", peers.size())
      .put("rendezvous", link == null ? "starting" : link.state().name().toLowerCase());
  }

  private void drop(Endpoint from, DropReason reason, String detail, int length) {
    drops.count(reason);
    log.warnRateLimited(reason.label(), "dropped {} bytes from {}: {} ({})", length, from, reason.label(), detail);
  }

  private static long parseIntroId(String hex) throws WireException {
    try {
      return Long.parseUnsignedLong(hex, 16);
    } catch (NumberFormatException e) {
      throw new WireException(DropReason.MALFORMED, "introId is not hex");
    }
  }

  private static byte[] decodeSecret(String base64) throws WireException {
    try {
      byte[] secret = Base64.getDecoder().decode(base64);
      if (secret.length < 16) {
        throw new WireException(DropReason.MALFORMED, "introduction secret too short");
      }
      return secret;
    } catch (IllegalArgumentException e) {
      throw new WireException(DropReason.MALFORMED, "introduction secret is not base64");
    }
  }
}
