package io.p2pchat.punch;

import io.p2pchat.common.NodeLog;
import io.p2pchat.common.Plural;
import io.p2pchat.node.NodeOptions;
import io.p2pchat.wire.ChatPayload;
import io.p2pchat.wire.Endpoint;
import io.vertx.core.buffer.Buffer;

/**
 * The life of the peer sessions: made or re-keyed on an introduction, closed on a departure, and
 * everything a session reports ({@link PeerSession.Host}): path changes (logged, published, a
 * gone session removed), the outcomes and messages for ChatVerticle, the handshake's result.
 * Packets leave through {@link PeerTransport}, punches through {@link Probes}. Lives on
 * PunchVerticle's event loop only.
 */
final class SessionHost implements PeerSession.Host {

  /** Microseconds in a nanosecond count, for the round trip in a path line. */
  private static final long NANOS_PER_MICRO = 1_000;

  private final NodeLog log;
  private final NodeOptions options;
  private final PeerTable peers;
  private final PeerTable.Factory factory;
  private final SessionTimers timers;
  private final PeerEvents peerEvents;
  private final TurnBatch<PunchEvent> events;
  private final PeerTransport transport;
  private final Probes probes;
  private final RendezvousClient rendezvous;
  private final NetChecker netChecker;
  /** The offline mailbox: learns each secured peer's keys, takes over what a session could not deliver. */
  private MailboxCourier mailbox;
  private NodeCounts counts = new NodeCounts();
  /** The node's meters, or null when it has none. */
  private NodeMetrics metrics;

  /**
   * @param factory makes the session of a newly introduced peer (with this host as its host)
   */
  SessionHost(NodeLog log, NodeOptions options, PeerTable peers, PeerTable.Factory factory, SessionTimers timers,
              PeerEvents peerEvents, TurnBatch<PunchEvent> events, PeerTransport transport, Probes probes,
              RendezvousClient rendezvous, NetChecker netChecker) {
    this.log = log;
    this.options = options;
    this.peers = peers;
    this.factory = factory;
    this.timers = timers;
    this.peerEvents = peerEvents;
    this.events = events;
    this.transport = transport;
    this.probes = probes;
    this.rendezvous = rendezvous;
    this.netChecker = netChecker;
  }

  /** The courier, made after this host (it needs the rendezvous client this host is given). */
  void mailbox(MailboxCourier courier) {
    this.mailbox = courier;
  }

  /** Where what the sessions do is counted, and the meters (null when off) that time paths. */
  void metrics(NodeCounts counts, NodeMetrics metrics) {
    this.counts = counts;
    this.metrics = metrics;
  }

  /** An introduction (first or again): the session is made if new, filed under its new ids, and punches. */
  void introduced(RendezvousClient.Introduction intro, long now) {
    PeerSession session = peers.byNick(intro.nick());
    if (session == null) {
      session = peers.add(intro.nick(), factory);
      peerEvents.state(session, PathState.CONNECTING, null);
    }
    peers.introduced(session, intro.introId(), intro.relayId());
    if (!session.path.state().isDirect()) {
      session.introducedAtNanos = now;
    }
    session.introducedKey = intro.key();
    log.info("introduced to {} ({}), punching", intro.nick(), Plural.of(intro.candidates().size(), "candidate"));
    session.introduce(intro.introId(), intro.secret(), intro.instance(), intro.relayId(), intro.candidates(),
      rendezvous.relayAvailable(), netChecker.perDestination() || intro.relayFirst(), now);
    timers.reschedule(session);
  }

  /**
   * A peer found on the LAN (mDNS and a LAN hello), introduced as the rendezvous would: the same table
   * by nick, so a peer the rendezvous introduces too gets one session, never two. Its relay id and the
   * key the rendezvous introduced it with stay; a session already direct, or already punching this
   * same LAN introduction, is left alone (a second hello must not restart its handshake).
   */
  void lanIntroduced(String nick, String instance, long introId, byte[] secret, Endpoint at, long now) {
    PeerSession session = peers.byNick(nick);
    if (session == null) {
      session = peers.add(nick, factory);
      peerEvents.state(session, PathState.CONNECTING, null);
    } else if (session.introId == introId || session.path.state() == PathState.DIRECT_LAN
      || session.path.state() == PathState.DIRECT) {
      log.debug("{} found on the LAN again: its session is {} already", nick, session.path.state().label());
      return;
    }
    peers.introduced(session, introId, session.relayId);
    // Not direct (checked above): the path's time runs from this introduction, as from the rendezvous's.
    session.introducedAtNanos = now;
    log.info("found {} on the LAN at {}, punching", nick, at);
    boolean relay = session.relayId != 0 && rendezvous.relayAvailable();
    session.introduce(introId, secret, instance, session.relayId, java.util.List.of(Candidate.host(at)), relay, false,
      now);
    timers.reschedule(session);
  }

  /**
   * Registered with the rendezvous (again, perhaps with another instance after a failover): if it relays,
   * every session still without a path probes the relay through it now, rather than at its next introduction.
   */
  void registered(long now) {
    if (!rendezvous.relayAvailable()) {
      return;
    }
    for (PeerSession session : peers.sessions()) {
      session.relayOffered(now);
      timers.reschedule(session);
    }
  }

  /** The rendezvous says {@code nick} left: its session closes (and reports {@link PathState#GONE}). */
  void left(String nick) {
    PeerSession gone = peers.byNick(nick);
    if (gone != null) {
      gone.close("left the rendezvous");
    }
  }

  @Override
  public void sendPacket(PeerSession session, Endpoint to, Buffer packet) {
    transport.sendPacket(session, to, packet);
  }

  @Override
  public void sendPunch(PeerSession session, Endpoint to, long txId) {
    probes.sendPunch(session, to, txId);
  }

  @Override
  public void pathChanged(PeerSession session, PathState state, Endpoint address, String why) {
    String where = address == null ? "-"
      : address.equals(Candidate.VIA_RELAY) ? "via " + rendezvous.server() : address.toString();
    if (state == PathState.CONNECTING) {
      log.warn("path to {} lost ({}): looking again; {} held until a path is back (deadline {} s)",
        session.nick, why, Plural.of(session.heldMessages(), "message"), options.deliveryDeadlineSeconds());
    } else {
      log.info("path to {}: {} {} ({}{})", session.nick, state.label(), where, why,
        session.rttNanos() >= 0 ? ", rtt " + session.rttNanos() / NANOS_PER_MICRO + " us" : "");
    }
    if (state.isDirect() && session.introducedAtNanos >= 0) {
      counts.count(NodeCounts.Count.PUNCH_DIRECT);
      counts.rtt().record(state, session.rttNanos());
      if (metrics != null) {
        metrics.direct(state, System.nanoTime() - session.introducedAtNanos);
      }
      session.introducedAtNanos = -1;
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
    counts.count(NodeCounts.Count.PUNCH_FAILED);
    log.info("punch to {} failed: no direct path answered within {} s on {}; {}", session.nick,
      options.punchTimeoutSeconds(), Plural.of(candidates, "candidate"), relay ? "using the relay, retrying direct every 15 s"
        : "the relay is off, asking for a new introduction in 15 s");
  }

  @Override
  public void pathLost(PeerSession session) {
    // Fresh candidates: the peer's NAT may have given it a new public port.
    rendezvous.connect(session.nick);
  }

  @Override
  public void received(PeerSession session, byte[] message) {
    counts.count(NodeCounts.Count.RECEIVED);
    if (ChatPayload.isRoom(message)) { // we talk with this peer in the room
      mailbox.talked(session.nick);
    }
    // Shown after what a pick-up under way brings of this peer (older), when registered said mail waits.
    mailbox.live(session.nick, message, System.nanoTime());
  }

  @Override
  public void delivered(PeerSession session, OutboundChat chat) {
    counts.count(NodeCounts.Count.DELIVERED);
    if (chat.to() == null) {
      mailbox.talked(session.nick);
    }
    events.add(new PunchEvent.Delivered(chat, session.nick));
  }

  @Override
  public void failed(PeerSession session, OutboundChat chat, String reason) {
    if (mailbox.takeOver(chat, session.nick, System.nanoTime())) {
      log.info("{} for {}: queued at the rendezvous instead", reason, session.nick);
      return;
    }
    counts.count(NodeCounts.Count.FAILED);
    events.add(new PunchEvent.Failed(chat, session.nick, reason));
  }

  @Override
  public void retransmitted(PeerSession session) {
    counts.count(NodeCounts.Count.RETRANSMISSION);
  }

  @Override
  public void rttSampled(PeerSession session, long sampleNanos) {
    counts.rtt().record(session.path.state(), sampleNanos);
  }

  @Override
  public void secured(PeerSession session) {
    counts.count(NodeCounts.Count.HANDSHAKE_SECURED);
    log.info("session with {} secured: key {} ({})", session.nick, session.fingerprint(), options.cipher());
    mailbox.learned(session.nick, session.peerKey(), session.peerStaticKey(), session.peerBinding());
    peerEvents.current(session);
    timers.scheduleFlush(session);
  }

  @Override
  public void handshakeFailed(PeerSession session, String why) {
    counts.count(NodeCounts.Count.HANDSHAKE_FAILED);
    log.warnRateLimited("handshake", "handshake with {} failed: {}", session.nick, why);
  }
}
