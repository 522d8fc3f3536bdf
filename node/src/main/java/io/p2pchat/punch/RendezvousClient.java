package io.p2pchat.punch;

import io.p2pchat.chat.ChatAddresses;
import io.p2pchat.common.NodeLog;
import io.p2pchat.control.KnownServers;
import io.p2pchat.crypto.NodeIdentity;
import io.p2pchat.crypto.RoomId;
import io.p2pchat.node.NodeOptions;
import io.p2pchat.wire.Control;
import io.p2pchat.wire.ControlType;
import io.p2pchat.wire.DropReason;
import io.p2pchat.wire.Endpoint;
import io.p2pchat.wire.MailboxControl;
import io.p2pchat.wire.RelayCodec;
import io.p2pchat.wire.WireException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * This node's side of the conversation with the rendezvous: the control messages both ways (sealed
 * in the {@link RendezvousChannel}; unsealed control JSON is dropped and counted by PunchVerticle), the
 * registration link ({@link RendezvousLink}) and its timer, fail-over along the configured
 * servers, the relay frames, and the {@code rendezvous.state} events. What the rendezvous tells
 * about peers (introductions, departures) goes to a {@link Listener}. Lives on PunchVerticle's
 * event loop only; PunchVerticle hands it every control packet from the current server.
 */
final class RendezvousClient implements RendezvousLink.Actions, RendezvousChannel.Listener {

  /** The file of remembered rendezvous keys in the data directory, like {@code known_peers}. */
  static final String KNOWN_SERVERS_FILE = "known_servers";

  /** Shortest introduction secret accepted: 128 bits, so probes cannot be forged by guessing. */
  private static final int MIN_SECRET_BYTES = 16;
  /** An identity (Ed25519 signing) key's length. */
  private static final int KEY_BYTES = 32;
  /** Hex digits of an introduction id: an unsigned 64-bit number. */
  private static final int HEX_RADIX = 16;

  /** What the rendezvous tells the rest of the node. */
  interface Listener {
    /**
     * Registered (for the first time, or again after the rendezvous was down or lost us); {@code mail} entries
     * wait in our mailbox ({@code registered}'s count; -1: it did not say).
     */
    void up(int mail);

    /** The rendezvous introduced a peer: punch it. */
    void introduced(Introduction introduction, long now) throws WireException;

    /** The peer {@code nick} left the rendezvous. */
    void left(String nick);

    /** A datagram the rendezvous sent over the TLS transport: demultiplex it as if it came from {@link #server()}. */
    void fromRendezvous(Buffer datagram);

    /** Not registered any more (the rendezvous is down, unreachable, or lost our session): until {@link #up()}. */
    void down();

    /**
     * A mailbox message of the sealed control channel ({@link MailboxControl}): {@code deposited}, {@code refused},
     * {@code mail}, {@code expired}.
     *
     * @throws WireException when it is malformed or not for a client: dropped and counted
     */
    void mailbox(MailboxControl.Type type, JsonObject message, long now) throws WireException;
  }

  /**
   * An {@code introduce} message, checked.
   *
   * @param key the identity key the peer registered with (the rendezvous checked it holds it), or null
   * @param relayFirst the rendezvous says one of us reaches it only over TLS: use the relay at once
   */
  record Introduction(long introId, byte[] secret, String nick, String instance, long relayId, byte[] key,
                      List<Candidate> candidates, boolean relayFirst) {
  }

  private final Vertx vertx;
  private final NodeLog log;
  private final ChatAddresses addresses;
  private final NodeOptions options;
  private final NodeIdentity identity;
  /** Our UDP socket. */
  private final DatagramSender udp;
  /** To the rendezvous over the link's transport (UDP, or the TLS WebSocket while on the fallback); to others over UDP. */
  private final DatagramSender sender;
  private final Listener listener;
  private final Set<Endpoint> ownAddresses;
  private final List<Endpoint> servers;
  /** Each server's {@code host:port} as configured: the name its key is pinned under. */
  private final List<String> serverNames;
  /** The sealed channel; null until {@code known_servers} is loaded. */
  private RendezvousChannel channel;
  /** The current rendezvous: one of {@link #servers}, the next when it stops answering. */
  private Endpoint server;
  private RendezvousLink link;
  /**
   * The rendezvous stopped answering, or never answered our first registrations: true from then
   * until it registers us again. Before that a node is only "registering" (its first answer is
   * on the way), which is not worth an alarm.
   */
  private boolean rendezvousDown;
  private long linkTimer = -1;
  /** Host candidates of introductions not probed: outside every LAN range, or past the cap. */
  private long hostCandidatesDropped;
  private boolean relayAvailable;
  /** True while {@link #switchTransport} re-registers: the link's "down" is the switch, not an outage. */
  private boolean switching;
  /** Registered over UDP again after the TLS fallback: once up, ask for fresh introductions to punch. */
  private boolean upgradedFromTls;
  /** The TLS transport to the rendezvous ({@code rendezvous.tls.port}), or null when there is no fallback. */
  private final RendezvousWebSocket tls;
  /** True while the link runs over {@link #tls}: what goes to {@link #server} is written there. */
  private boolean overTls;
  /**
   * A control datagram came from the rendezvous over UDP at {@link #udpHeardNanos}: the fallback
   * waits for a whole {@code fallbackSeconds} without one, so a lossy network is not taken for one that blocks UDP.
   */
  private boolean udpHeard;
  private long udpHeardNanos;
  /** The TLS fallback's timer: the next attempt to connect over TLS (-1: none armed). */
  private long tlsFallbackTimer = -1;
  /** Wait before the next TLS connection attempt after a failed one: doubles to {@link Timing#TLS_RECONNECT_MAX_MS}. */
  private long tlsRetryMs;
  /** A TLS connection attempt is under way: one at a time. */
  private boolean tlsConnecting;
  /** The TLS certificate did not match the pin: never connected to again in this process. */
  private boolean tlsRefused;
  /** The last failure through the proxy that was reported (one line per new reason, not per retry), or null. */
  private String tlsProxyFailure;
  /** While over TLS: the timer of the next UDP HELLO that tests whether UDP works again. */
  private long udpRetryTimer = -1;
  /** Tests UDP to the rendezvous while on TLS: a COOKIE answering its HELLO proves UDP works. */
  private io.p2pchat.control.ControlClient udpProbe;
  /** The room as the rendezvous told us: makes re-sent introductions and departures idempotent. */
  private final RoomView view = new RoomView();
  /** {@code connect} requests waiting for their introduction. */
  private final ConnectRetries connects = new ConnectRetries();
  /**
   * The rendezvous's address of our other family ({@code rendezvous.host6}), or null: the node registers
   * its address of that family there too ({@link #alt}).
   */
  private Endpoint altServer;
  /** Our address of the other family, proven to the rendezvous: docs/PROTOCOL.md, "Registering over both families". */
  private final AltAddress alt = new AltAddress(new AltActions());
  /** Tells the rendezvous our port-mapped address, after every registration. */
  private final PortmapReport portmapReport;

  /**
   * @param servers      the rendezvous servers in the order to try them (a cluster shares registrations)
   * @param ownAddresses this node's addresses, which the reflexive one the rendezvous sees joins
   */
  RendezvousClient(Vertx vertx, NodeLog log, ChatAddresses addresses, NodeOptions options, NodeIdentity identity,
                   List<Endpoint> servers, Set<Endpoint> ownAddresses, DatagramSender sender, Listener listener) {
    this.vertx = vertx;
    this.log = log;
    this.addresses = addresses;
    this.options = options;
    this.identity = identity;
    this.servers = List.copyOf(servers);
    this.serverNames = options.rendezvousServers();
    this.server = servers.get(0);
    this.ownAddresses = ownAddresses;
    this.udp = sender;
    this.listener = listener;
    this.portmapReport = new PortmapReport(vertx, this::control);
    this.tls = options.rendezvousTlsPort() == NodeOptions.NO_TLS_FALLBACK ? null
      : new RendezvousWebSocket(vertx, log, options, hostName(serverNames.get(0)));
    this.sender = (datagram, to) -> overTls && to.equals(server) ? tls.send(datagram) : udp.send(datagram, to);
    this.tlsRetryMs = TimeUnit.SECONDS.toMillis(options.rendezvousTlsFallbackSeconds());
  }

  /**
   * The host of a {@code host:port} server name as configured, not the address it resolved to: TLS checks the
   * certificate against it ({@code rendezvous.tls.verify}: a CA issues certificates for names) and a proxy is
   * asked to CONNECT to it.
   */
  private static String hostName(String hostPort) {
    return hostPort.substring(0, hostPort.lastIndexOf(':')).replaceAll("[\\[\\]]", "");
  }

  /** The current rendezvous. */
  Endpoint server() {
    return server;
  }

  /** True when {@code from} is the current rendezvous: only it may send control and relay packets. */
  boolean isServer(Endpoint from) {
    return from.equals(server);
  }

  /**
   * True when {@code from} may send us sealed control: the current rendezvous, or its address of our other
   * family (an {@code alt-challenge} comes from there; it opens only in our session with the rendezvous).
   */
  boolean isControlSource(Endpoint from) {
    return from.equals(server) || (from.equals(altServer) && !overTls);
  }

  /** Whether the rendezvous offered to relay for us. */
  boolean relayAvailable() {
    return relayAvailable;
  }

  /**
   * Loads the pinned rendezvous keys (configured ones, and {@code known_servers} of the data directory),
   * then starts registering from our socket's {@code locals} addresses; once registered, also registers our
   * address of the other family at {@code altServer}, the rendezvous's address of that family (null: none).
   */
  void start(String instance, RoomId roomId, List<Endpoint> locals, Endpoint altServer) {
    this.altServer = altServer;
    vertx.executeBlocking(() -> KnownServers.load(options.dataDir().resolve(KNOWN_SERVERS_FILE)))
      .onSuccess(known -> {
        options.rendezvousKeys().forEach(known::configure);
        channel = new RendezvousChannel(vertx, log, identity, known, sender, this);
        channel.use(server, serverName(server));
        register(instance, roomId, locals);
      })
      .onFailure(e -> {
        log.error("cannot load the rendezvous keys: {}", e.getMessage());
        vertx.eventBus().publish(addresses.rendezvousState(), new JsonObject()
          .put("state", "down").put("address", server.toString()).put("error", e.getMessage()));
      });
  }

  /** The configured {@code host:port} of {@code endpoint}; the rendezvous's other address goes by its first one's. */
  private String serverName(Endpoint endpoint) {
    return servers.contains(endpoint) ? serverNames.get(servers.indexOf(endpoint)) : serverNames.get(0);
  }

  private void register(String instance, RoomId roomId, List<Endpoint> locals) {
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
    armTlsFallback(TimeUnit.SECONDS.toMillis(options.rendezvousTlsFallbackSeconds()));
  }

  /**
   * Stops the link's timer and says the signed {@code bye}; the future completes once it left the
   * socket, or is null when registration never started.
   */
  Future<Void> stop() {
    vertx.cancelTimer(linkTimer);
    vertx.cancelTimer(tlsFallbackTimer);
    vertx.cancelTimer(udpRetryTimer);
    if (channel != null) {
      channel.stop();
    }
    return link == null ? null : control(link.bye());
  }

  /** Asks for a (fresh) introduction to {@code nick}: new candidates, a handshake started over. */
  void connect(String nick) {
    if (connects.asked(nick, System.nanoTime())) {
      sendControl(Control.of(ControlType.CONNECT).put(Control.NICK, nick));
      rescheduleLink();
    }
  }

  /** Sends a peer packet through the rendezvous's relay, to the peer it knows as {@code relayId}. */
  Future<Void> relay(long relayId, Buffer packet) {
    return sender.send(RelayCodec.encode(relayId, packet), server);
  }

  /**
   * The relay's address as this node reaches it, what a relayed path shows: the rendezvous's TLS
   * {@code host:port} while on the TLS fallback, else its UDP address.
   */
  String relayAddress() {
    return overTls ? tls.address() : server.toString();
  }

  /** True while the link to the rendezvous runs over TLS (UDP blocked): relayed paths go through it too. */
  boolean overTls() {
    return overTls;
  }

  /** Datagrams to the rendezvous dropped because the TLS connection's write queue was full (or it had closed). */
  long tlsWriteDrops() {
    return tls == null ? 0 : tls.writeQueueDrops();
  }

  /** Closes the TLS transport and the control sessions, wiping their keys (after {@link #stop}'s goodbye left). */
  void close() {
    if (tls != null) {
      tls.close();
    }
    if (channel != null) {
      channel.close();
    }
  }

  /** Our gateway's port mapping forwards {@code address} to our socket (null: none any more): peers are told of it. */
  void portMapped(Endpoint address) {
    portmapReport.mapped(address);
  }

  /** Whether the rendezvous took our mapped address: idle, telling, told. */
  String portmapReported() {
    return portmapReport.state();
  }

  /** The {@code rendezvous} part of the {@code node} answer: address, transport and up / down / registering. */
  JsonObject toJson() {
    return new JsonObject().put("address", relayAddress())
      .put("transport", overTls ? "tls" : "udp")
      .put("state", link != null && link.state() == RendezvousLink.State.REGISTERED ? "up"
        : rendezvousDown ? "down" : "registering")
      .put("alt", alt.address() == null ? null : alt.address().toString());
  }

  /** What {@link #alt} asks: datagrams to the rendezvous, and the node's own addresses kept up to date. */
  private final class AltActions implements AltAddress.Actions {
    @Override
    public void sendAlt() {
      // Padded: the challenge answering it from an address not yet validated is never bigger than it.
      channel.sendTo(Control.of(ControlType.ALT).put(Control.PAD, "-".repeat(Control.ALT_MIN_DATAGRAM)), altServer);
    }

    @Override
    public void sendConfirm(String address, String cookie) {
      control(Control.of(ControlType.ALT_CONFIRM).put(Control.ADDRESS, address).put(Control.COOKIE, cookie));
    }

    @Override
    public void altChanged(AltAddress.State state, Endpoint address) {
      if (state == AltAddress.State.VALIDATED) {
        ownAddresses.add(address); // never probed as a peer's
        log.info("registered with rendezvous {} over {} too (seen as {}): peers punch both families", altServer,
          address.isIpv6() ? "IPv6" : "IPv4", address);
      } else if (state == AltAddress.State.GAVE_UP) {
        log.warn("rendezvous {} did not answer at {} after {} tries: registered over one address family only",
          server, altServer, AltAddress.MAX_ATTEMPTS);
      }
    }
  }

  /** The link's state as {@code punch.stats} shows it. */
  /** Host candidates of introductions this node refused to probe (outside the LAN ranges, or past the cap). */
  long hostCandidatesDropped() {
    return hostCandidatesDropped;
  }

  String linkState() {
    return link == null ? "starting" : link.state().name().toLowerCase();
  }

  // ---------------------------------------------------------------- inbound control

  /**
   * A datagram of the sealed control channel from the current rendezvous: a handshake step, or a
   * control message to act on.
   *
   * @throws WireException when it does not authenticate (forged, replayed, unknown session): dropped and counted
   */
  void onControl(Buffer datagram, boolean viaUdp, long now) throws WireException {
    if (overTls && viaUdp) {
      onUdpControl(datagram, now);
      return;
    }
    if (channel == null) {
      throw new WireException(io.p2pchat.wire.DropReason.UNKNOWN_SESSION, "control before the rendezvous keys are loaded");
    }
    if (viaUdp) {
      // Before authentication: a stale cookie or a retransmitted answer proves as well that UDP passes both ways
      // (where UDP is blocked, no datagram from the rendezvous gets in). Only a party on the path could forge one,
      // and such a party can block the client anyway; the cost of a forgery is a later fallback, nothing more.
      udpHeard = true;
      udpHeardNanos = now;
    }
    JsonObject msg = channel.onDatagram(datagram, now);
    if (msg == null || link == null) {
      return;
    }
    if (log.isDebugEnabled()) {
      log.debug("in  {} {}", server, msg.getString(Control.TYPE));
    }
    MailboxControl.Type mailboxType = MailboxControl.type(msg);
    if (mailboxType != null) {
      // Not in ControlType: the mailbox's messages have their own codec (docs/PROTOCOL.md, "Mailbox").
      link.onAnswer(now);
      listener.mailbox(mailboxType, msg, now);
      rescheduleLink();
      return;
    }
    ControlType type = Control.type(msg);
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
        onGone(msg);
        break;
      case ERROR:
        onError(msg, now);
        break;
      case ALT_CHALLENGE:
        alt.onChallenge(Control.string(msg, Control.ADDRESS), Control.string(msg, Control.COOKIE));
        break;
      case ALT_OK:
        alt.onOk(Control.endpoint(msg, Control.ADDRESS));
        break;
      case PORTMAP_OK:
        portmapReport.onOk(Control.endpoint(msg, Control.ADDRESS));
        break;
      default:
        throw new WireException(DropReason.UNKNOWN_TYPE, "control " + type.wireName() + " at a client");
    }
    rescheduleLink();
  }

  /**
   * An introduction, acked when it carries a message id; one received before (the same id, sent
   * again because our ack was lost, or by a repair) changes nothing.
   */
  private void onIntroduce(JsonObject msg, long now) throws WireException {
    Introduction intro = introduction(msg);
    ack(msg);
    connects.answered(intro.nick());
    if (view.introduced(intro.nick(), intro.instance(), intro.introId())) {
      listener.introduced(intro, now);
    } else {
      log.debug("introduction to {} received again: nothing to do", intro.nick());
    }
  }

  /** A departure, acked when it carries a message id; one for a peer already gone (or for an earlier process of it) changes nothing. */
  private void onGone(JsonObject msg) throws WireException {
    String nick = Control.matching(msg, Control.NICK, Control.NICK_PATTERN);
    String instance = msg.getValue(Control.INSTANCE) == null ? null : Control.string(msg, Control.INSTANCE);
    ack(msg);
    if (view.gone(nick, instance)) {
      listener.left(nick);
    } else {
      log.debug("departure of {} received again, or about an earlier process of it: nothing to do", nick);
    }
  }

  /** Acks a reliable message (one with a message id): the rendezvous stops sending it again. */
  private void ack(JsonObject msg) throws WireException {
    if (msg.getValue(Control.MID) != null) {
      control(Control.of(ControlType.ACK).put(Control.MID, Control.number(msg, Control.MID)));
    }
  }

  /** The digest of the room as we know it, for keep-alives: the rendezvous repairs a difference. */
  @Override
  public boolean handshakeRunning(long now) {
    return channel != null && channel.handshakeRunning(now);
  }

  @Override
  public String view() {
    return view.digest();
  }

  private void onError(JsonObject msg, long now) {
    String code = msg.getString(Control.CODE, "");
    String message = msg.getString(Control.MESSAGE, "");
    if (code.equals("not-registered")) {
      alt.onNotRegistered();
      portmapReport.onNotRegistered();
      link.onNotRegistered(now);
    } else if (code.equals("unknown-nick")) {
      if (msg.getValue(Control.NICK) instanceof String nick) {
        connects.answered(nick);
      }
      log.info("rendezvous: {}", message);
    } else {
      log.error("rendezvous refused us: {} ({})", message, code);
      link.onRefused(now);
      vertx.eventBus().publish(addresses.rendezvousState(), new JsonObject()
        .put("state", "down").put("address", server.toString()).put("error", message));
    }
  }

  private Introduction introduction(JsonObject msg) throws WireException {
    long introId = parseIntroId(Control.string(msg, Control.INTRO_ID));
    byte[] secret = decodeSecret(Control.string(msg, Control.SECRET));
    JsonObject peer = Control.object(msg, Control.PEER);
    String nick = Control.matching(peer, Control.NICK, Control.NICK_PATTERN);
    String peerInstance = Control.string(peer, "instance");
    long relayId = Control.number(peer, Control.RELAY_ID);
    List<Candidate> candidates = new ArrayList<>();
    Endpoint publicAddress = Control.endpoint(peer, Control.PUBLIC);
    for (Endpoint lan : Control.endpoints(peer, Control.LOCAL)) {
      // Defence in depth: the rendezvous dropped these already; a node never probes outside a LAN range.
      if (candidates.size() < Control.MAX_LOCAL_CANDIDATES && options.lanRanges().allowsHostCandidate(lan.host(), publicAddress.host())) {
        candidates.add(Candidate.host(lan));
      } else {
        hostCandidatesDropped++;
      }
    }
    candidates.add(new Candidate(publicAddress, Candidate.Kind.PUBLIC));
    if (peer.getValue(Control.ALT) != null) {
      // The peer's address of its other family, validated by the rendezvous: punched beside the first.
      Endpoint other = Control.endpoint(peer, Control.ALT);
      if (other.isIpv6() == publicAddress.isIpv6()) {
        throw new WireException(DropReason.MALFORMED, "alt " + other + " of the same family as public " + publicAddress);
      }
      candidates.add(new Candidate(other, Candidate.Kind.PUBLIC));
    }
    if (peer.getValue(Control.PORTMAP) != null) {
      // The peer's gateway forwards this port to it; the rendezvous took it only on the peer's public host.
      Endpoint mapped = Control.endpoint(peer, Control.PORTMAP);
      if (!mapped.host().equals(publicAddress.host())) {
        throw new WireException(DropReason.MALFORMED, "portmap " + mapped + " not on public host " + publicAddress);
      }
      if (!mapped.equals(publicAddress)) {
        candidates.add(new Candidate(mapped, Candidate.Kind.PORTMAP));
      }
    }
    if (nick.equals(options.nick())) {
      throw new WireException(DropReason.MALFORMED, "introduced to ourselves");
    }
    byte[] key = peer.getValue(Control.KEY) instanceof String ? Control.bytes(peer, Control.KEY, KEY_BYTES) : null;
    boolean relayFirst = Boolean.TRUE.equals(msg.getValue(Control.RELAY_FIRST));
    return new Introduction(introId, secret, nick, peerInstance, relayId, key, candidates, relayFirst);
  }

  // ---------------------------------------------------------------- RendezvousLink.Actions

  @Override
  public void sendControl(JsonObject message) {
    control(message);
  }

  /** A mailbox message ({@link MailboxControl}) to the current rendezvous, sealed; completes once it left the socket. */
  Future<Void> sendMailbox(JsonObject message) {
    return channel == null ? Future.failedFuture("not started") : control(message);
  }

  /** Sends a control message to the current rendezvous, sealed; the future completes once it left the socket. */
  private Future<Void> control(JsonObject message) {
    if (log.isDebugEnabled()) {
      log.debug("out {} {}", server, message.getString(Control.TYPE));
    }
    return channel.send(message);
  }

  @Override
  public void keyRefused(String name, KnownServers.Trust trust, String presentedFingerprint) {
    String why = trust == KnownServers.Trust.CHANGED
      ? "presented another key than the one remembered on first use (" + presentedFingerprint + "); if the rendezvous"
        + " was re-keyed on purpose, remove its line from known_servers"
      : "presented another key than rendezvous.key (" + presentedFingerprint + ")";
    log.error("rendezvous {} {}: refused, not registering with it", name, why);
    rendezvousDown = true;
    vertx.eventBus().publish(addresses.rendezvousState(), new JsonObject()
      .put("state", "down").put("address", server.toString())
      .put("reason", "key changed").put("error", why));
  }

  @Override
  public void sessionEstablished() {
    if (link != null) {
      link.onAnswer(System.nanoTime()); // the handshake's answer is the server's: registers queued behind it were not lost
    }
  }

  @Override
  public void sessionReset(String why) {
    log.info("rendezvous {}: {}; registering again", server, why);
    listener.down();
    alt.onNotRegistered();
    portmapReport.onNotRegistered();
    link.onNotRegistered(System.nanoTime());
  }

  @Override
  public void up(JsonObject registered) {
    Object mail = registered.getValue(Control.MAIL_WAITING);
    listener.up(mail instanceof Number n && n.longValue() >= 0 ? (int) Math.min(n.longValue(), Integer.MAX_VALUE) : -1);
    log.info("registered with rendezvous {} as {} in room {} (seen as {}{})", server, options.nick(),
      options.room(), registered.getString(Control.PUBLIC), overTls ? ", over TLS " + tls.address() : "");
    rendezvousDown = false;
    JsonObject event = new JsonObject().put("state", "up")
      .put("address", relayAddress()).put("transport", overTls ? "tls" : "udp");
    if (overTls && tls.proxy() != null) {
      event.put("proxy", tls.proxy());
    }
    vertx.eventBus().publish(addresses.rendezvousState(), event);
    portmapReport.onRegistered();
    if (altServer != null && !overTls) {
      alt.onRegistered(System.nanoTime()); // and our other family's address too; the link's timer drives it
    }
    if (overTls) {
      scheduleUdpRetry();
    } else if (upgradedFromTls) {
      upgradedFromTls = false;
      view.nicks().forEach(this::connect); // fresh introductions: candidates over UDP, punched
    }
  }

  // ---------------------------------------------------------------- the TLS fallback and the upgrade back

  /*
   * The transport of the link, one transition each way:
   *
   *   UDP ──registration unanswered for fallbackSeconds, TLS connects (pin checked)──▶ TLS
   *   TLS ──a UDP HELLO answered by a COOKIE──▶ UDP (register again, peers re-introduced and punched)
   *   TLS ──the WebSocket closed──▶ UDP (and TLS again after fallbackSeconds if UDP stays silent)
   *
   * Each switch starts a new control session (the TLS one is bound to the certificate) and registers
   * again; what was in flight to peers is sent again by their delivery windows.
   */
  private void armTlsFallback(long delayMs) {
    if (tls == null || overTls || tlsRefused || tlsConnecting || tlsFallbackTimer != -1) {
      return;
    }
    tlsFallbackTimer = vertx.setTimer(delayMs, id -> {
      tlsFallbackTimer = -1;
      if (overTls || (link != null && link.state() == RendezvousLink.State.REGISTERED)) {
        return;
      }
      long window = TimeUnit.SECONDS.toNanos(options.rendezvousTlsFallbackSeconds());
      long quiet = System.nanoTime() - udpHeardNanos;
      if (udpHeard && quiet < window) {
        // The rendezvous answers over UDP, only slowly or lossily (the registration takes several round trips):
        // UDP is not blocked. TLS only after a whole window without a single datagram from the rendezvous.
        armTlsFallback(TimeUnit.NANOSECONDS.toMillis(window - quiet) + 1);
        return;
      }
      connectTls();
    });
  }

  private void connectTls() {
    tlsConnecting = true;
    Endpoint target = server;
    // The configured name, not the resolved address: the certificate is checked for it, SNI and a proxy's CONNECT carry it.
    tls.connect(hostName(serverName(target)), listener::fromRendezvous, v -> onTlsClosed())
      .onComplete(done -> tlsConnecting = false)
      .onSuccess(binding -> {
        if (link == null || link.state() == RendezvousLink.State.REGISTERED) {
          tls.close(); // UDP answered while TLS was connecting: stay on UDP
          return;
        }
        if (!target.equals(server)) {
          tls.close(); // the link moved on to the next server meanwhile: connect to that one
          armTlsFallback(0);
          return;
        }
        log.info("rendezvous {}: UDP unanswered; connected over TLS to {}{}", server, tls.address(),
          tls.proxy() == null ? "" : " via proxy " + tls.proxy());
        tlsProxyFailure = null;
        tlsRetryMs = TimeUnit.SECONDS.toMillis(options.rendezvousTlsFallbackSeconds());
        switchTransport(true, binding);
      })
      .onFailure(e -> {
        if (e instanceof RendezvousWebSocket.CertificateRefused refused) {
          tlsRefused = true;
          log.error("rendezvous TLS {} {}: refused, not registering over TLS", tls.address(), e.getMessage());
          rendezvousDown = true;
          vertx.eventBus().publish(addresses.rendezvousState(), new JsonObject()
            .put("state", "down").put("address", tls.address()).put("transport", "tls")
            .put("reason", refused.reason()).put("error", e.getMessage()));
          return;
        }
        if (e instanceof RendezvousWebSocket.ProxyFailure && !e.getMessage().equals(tlsProxyFailure)) {
          tlsProxyFailure = e.getMessage(); // once per reason: retries of the same failure say nothing new
          log.warn("rendezvous TLS {}: {}; retrying", tls.address(), e.getMessage());
          vertx.eventBus().publish(addresses.rendezvousState(), new JsonObject()
            .put("state", "down").put("address", tls.address()).put("transport", "tls")
            .put("reason", "tls proxy").put("error", e.getMessage()));
        } else {
          log.debug("rendezvous TLS {} not reachable: {}", tls.address(), e.toString());
        }
        armTlsFallback(tlsRetryMs);
        tlsRetryMs = Math.min(tlsRetryMs * 2, Timing.TLS_RECONNECT_MAX_MS);
      });
  }

  /** The one transition of the transport: a new control session over it, and a registration at once. */
  private void switchTransport(boolean toTls, byte[] binding) {
    alt.onNotRegistered();
    portmapReport.onNotRegistered();
    if (toTls) {
      overTls = true;
      channel.rebind(binding);
    } else {
      leaveTls();
    }
    switching = true;
    try {
      link.onNotRegistered(System.nanoTime()); // registered over the old transport: not an outage, no alarm
    } finally {
      switching = false;
    }
    rescheduleLink();
  }

  /** Back on UDP with the current server: the TLS connection closed, its session (bound to it) dropped. */
  private void leaveTls() {
    overTls = false;
    vertx.cancelTimer(udpRetryTimer);
    udpRetryTimer = -1;
    udpProbe = null;
    tls.close();
    channel.rebind(null);
  }

  private void onTlsClosed() {
    if (!overTls) {
      return;
    }
    log.warn("rendezvous TLS {} closed; registering over UDP again", tls.address());
    switchTransport(false, null);
    armTlsFallback(tlsRetryMs);
  }

  /** While on TLS: a HELLO to the rendezvous's UDP port now and then; {@link #onUdpControl} hears the answer. */
  private void scheduleUdpRetry() {
    vertx.cancelTimer(udpRetryTimer);
    udpRetryTimer = vertx.setTimer(Timing.UDP_RETRY_WHILE_TLS_MS, id -> {
      udpRetryTimer = -1;
      if (!overTls) {
        return;
      }
      udpProbe = channel.newUdpClient();
      udp.send(Buffer.buffer(udpProbe.start(System.nanoTime())), server);
      scheduleUdpRetry();
    });
  }

  /**
   * A control datagram that came over UDP from the rendezvous's address while the link is on TLS: the
   * answer to our HELLO (a COOKIE, which the probe's client turns into its next step) proves UDP works again,
   * and the link moves back; anything else is dropped.
   */
  private void onUdpControl(Buffer datagram, long now) throws WireException {
    if (udpProbe == null) {
      throw new WireException(DropReason.UNKNOWN_SESSION, "UDP control while on TLS, no probe out");
    }
    io.p2pchat.control.ControlClient.Event event = udpProbe.onDatagram(datagram.getBytes(), now);
    if (!(event instanceof io.p2pchat.control.ControlClient.Event.Send)) {
      throw new WireException(DropReason.UNKNOWN_SESSION, "UDP control while on TLS is not the probe's cookie");
    }
    log.info("rendezvous {}: UDP answers again; moving the registration back from TLS", server);
    switchTransport(false, null);
    upgradedFromTls = true;
  }

  /**
   * Registrations went unanswered: says so once per outage (also when the rendezvous never
   * answered since start) and fails over to the next rendezvous of the list (a cluster shares
   * registrations, so any will do).
   */
  @Override
  public void unreachable() {
    Endpoint unanswered = server;
    listener.down();
    alt.onNotRegistered();
    portmapReport.onNotRegistered();
    boolean udpBlocked = overTls;
    if (servers.size() > 1) {
      if (udpBlocked) {
        // Over TLS, this server stopped answering: UDP is still blocked, so the next one is tried over TLS at once.
        leaveTls();
      }
      server = servers.get((servers.indexOf(server) + 1) % servers.size());
      log.warn("rendezvous {} unreachable: trying {}{}", unanswered, server, udpBlocked ? " over TLS" : "");
      channel.use(server, serverName(server)); // each instance its own key and session
    } else if (altServer != null && !udpBlocked) {
      // One rendezvous at two addresses: its other family may reach it when this one does not (same key, same name).
      server = altServer;
      altServer = unanswered;
      log.warn("rendezvous {} unreachable: trying its other address {}", unanswered, server);
      channel.use(server, serverName(server));
    } else if (!rendezvousDown) {
      log.warn("rendezvous {} unreachable: registering again", unanswered);
    }
    armTlsFallback(udpBlocked ? 0 : tlsRetryMs);
    channel.renew();
    publishDown(unanswered);
  }

  @Override
  public void down(String why) {
    if (switching) {
      return;
    }
    log.warn("rendezvous {} down: {}; registering again", server, why);
    listener.down();
    alt.onNotRegistered();
    portmapReport.onNotRegistered();
    armTlsFallback(tlsRetryMs);
    channel.renew();
    publishDown(server);
  }

  private void publishDown(Endpoint unanswered) {
    if (!rendezvousDown) {
      rendezvousDown = true;
      vertx.eventBus().publish(addresses.rendezvousState(),
        new JsonObject().put("state", "down").put("address", unanswered.toString()));
    }
  }

  private void rescheduleLink() {
    vertx.cancelTimer(linkTimer);
    if (link == null) {
      return;
    }
    long deadline = Math.min(connects.nextDeadline(link.nextDeadline()), alt.nextDeadline());
    linkTimer = vertx.setTimer(Timing.timerDelayMs(deadline, System.nanoTime()), id -> {
      long now = System.nanoTime();
      link.onTimer(now);
      alt.onTimer(now);
      for (String nick : connects.due(now)) {
        sendControl(Control.of(ControlType.CONNECT).put(Control.NICK, nick));
      }
      rescheduleLink();
    });
  }

  private static long parseIntroId(String hex) throws WireException {
    try {
      return Long.parseUnsignedLong(hex, HEX_RADIX);
    } catch (NumberFormatException e) {
      throw new WireException(DropReason.MALFORMED, "introId is not hex");
    }
  }

  private static byte[] decodeSecret(String base64) throws WireException {
    try {
      byte[] secret = Base64.getDecoder().decode(base64);
      if (secret.length < MIN_SECRET_BYTES) {
        throw new WireException(DropReason.MALFORMED, "introduction secret too short");
      }
      return secret;
    } catch (IllegalArgumentException e) {
      throw new WireException(DropReason.MALFORMED, "introduction secret is not base64");
    }
  }
}
