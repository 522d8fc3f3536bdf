package io.p2pchat.punch;

import io.p2pchat.wire.Endpoint;
import io.p2pchat.wire.StreamEndpoint;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The path state machine of one peer: which candidates to probe and when, which confirmed path
 * wins, when a path is lost and when to try again. Pure: the caller passes the time and sends
 * the probes this asks for; one timer at {@link #nextDeadline()} drives it.
 *
 * <pre>
 *             punch confirmed                  better one confirmed
 * CONNECTING ───────────────▶ DIRECT / DIRECT_LAN ─────────────────▶ (the better one)
 *     │  ▲                         │ silence
 *     │  │ silence, no relay       ▼
 *     │  └──────────────────── RELAYED ◀── punch window over, relay confirmed
 *     └─────────────────────────────▲
 * </pre>
 * A better path replaces the current one when it is of a better kind (LAN over public, direct over
 * relay): hysteresis by kind. Between two working direct paths of the same kind (direct over IPv4 and
 * direct over IPv6), the one with the clearly lower smoothed round trip wins ({@link PathRtt}: by a ratio
 * and a margin, sustained), so two similar paths never flap; the other is probed with each keep-alive
 * (at most {@link #MAX_STANDBY_PROBES}) to keep its round trip known. Every change of the
 * state or of the chosen address goes through {@link #transition}, which reports it with its
 * reason ({@link Actions#pathChanged}); the session's host logs each one.
 */
final class PeerPath {

  /** What the path machine asks of its session. */
  interface Actions {
    /** Send a {@code punch} probe with this transaction id to {@code to} ({@link Candidate#VIA_RELAY} for the relay). */
    void sendPunch(Endpoint to, long txId);

    /**
     * The path changed (its state, or the address of the same state), reported once per change by
     * {@link #transition}: {@code address} is the new path, or for {@link PathState#CONNECTING}
     * and {@link PathState#GONE} the one just left (null if there was none).
     */
    void pathChanged(PathState state, Endpoint address, String why);

    /**
     * The current path went silent, or a punch window found no path at all and its retry interval
     * passed: ask the rendezvous for fresh candidates (a new introduction starts the next round).
     */
    void pathLost();

    /** A punch window ended without a direct path ({@code relay}: the relay is being tried). */
    default void punchFailed(int candidates, boolean relay) {
    }
  }

  /**
   * Peer-reflexive candidates one introduction may teach: a NAT that remapped after a port conflict
   * gives one, a roam one more. A verified punch from yet another source is dropped (counted by the
   * caller): without the cap, a member of the room holding the probe secret could forge punches from
   * any number of victims' addresses and have this node probe each of them.
   */
  static final int MAX_PEER_REFLEXIVE = 2;
  /**
   * Other working paths of the current kind probed with each keep-alive, so their round trips stay known:
   * the other address family's, and one more (a second LAN interface). Each costs one probe per keep-alive.
   */
  static final int MAX_STANDBY_PROBES = 2;

  private record PendingProbe(Endpoint to, long sentNanos) {
  }

  /** A path challenge in flight: the new address, the punch's transaction id, when it left. */
  private record Challenge(Endpoint to, long txId, long sentNanos) {
  }

  private final Actions actions;
  private final long punchWindowNanos;
  private final long keepAliveNanos;
  private final Set<Endpoint> ownAddresses;
  private final Map<Long, PendingProbe> pending = new LinkedHashMap<>();
  private List<Candidate> candidates = List.of();
  private boolean relayAvailable;
  private long nextTxId = 1;

  private PathState state = PathState.CONNECTING;
  private Candidate current;
  private long rttNanos = -1;
  /** The round trip of every confirmed address: which of two direct paths of one kind is faster. */
  private final PathRtt rtts = new PathRtt();

  private boolean punching;
  private long punchUntil;
  private long nextProbeAt;
  private long probeInterval;
  /**
   * True while the relay is probed for want of any path: after a punch window found none, after the path
   * went silent, or at once when the introduction said so. A lost probe or a lost answer (two legs each
   * way through the rendezvous) must not leave the pair without a path until the next introduction, so
   * probing goes on, backing off to {@link Timing#RELAY_PROBE_MAX_INTERVAL_NANOS}, until some path is
   * confirmed; a sign that the peer is there makes it fast again ({@link #hurryRelayProbes}).
   */
  private boolean relayProbing;
  private long nextRelayProbeAt;
  private long relayProbeInterval;
  /** When the last relay probe left: a hurried one waits the first interval after it. */
  private long lastRelayProbeAt;
  private long nextUpgradeAt = Long.MAX_VALUE;
  private long nextKeepAliveAt = Long.MAX_VALUE;
  /** The path challenge in flight, or null. */
  private Challenge challenge;
  /** No new path challenge before this (rate limit); 0 at first. */
  private long nextChallengeAt;
  /** When we first sent something that expects an answer since we last heard; 0 when nothing is awaited. */
  private long awaitingSince;

  PeerPath(Actions actions, long punchWindowNanos, long keepAliveNanos, Set<Endpoint> ownAddresses) {
    this.actions = actions;
    this.punchWindowNanos = punchWindowNanos;
    this.keepAliveNanos = keepAliveNanos;
    this.ownAddresses = ownAddresses;
  }

  PathState state() {
    return state;
  }

  /** The confirmed address ({@link Candidate#VIA_RELAY} when relayed), or null. */
  Endpoint address() {
    return current == null ? null : current.endpoint();
  }

  long rttNanos() {
    return rttNanos;
  }

  /** The smoothed round trip measured on {@code at} (a candidate that answered), or -1. */
  long smoothedRtt(Endpoint at) {
    return rtts.smoothed(at);
  }

  /**
   * New candidates from an introduction; starts a punch round at once (simultaneous open).
   *
   * @param relayFirst our NAT maps per destination (netcheck), or the rendezvous says one of us is on
   *                   TLS (the introduction's {@code relayFirst}): probe the relay at once too, so the
   *                   session does not wait out a punch window that cannot succeed from here
   */
  void introduce(List<Candidate> fresh, boolean relay, boolean relayFirst, long now) {
    List<Candidate> usable = new ArrayList<>();
    for (Candidate c : fresh) {
      // A node never takes its own address for a peer's (two homes often share a private range), nor
      // a rendezvous's synthetic address of a TLS client (100::/64, RFC 6666: discarded, never routed).
      if (!ownAddresses.contains(c.endpoint()) && !StreamEndpoint.is(c.endpoint()) && !usable.contains(c)) {
        usable.add(sameAddressKeepsItsKind(c));
      }
    }
    if (current != null && current.kind() == Candidate.Kind.PEER_REFLEXIVE && !usable.contains(current)) {
      usable.add(current);
    }
    candidates = usable;
    rtts.retain(usable.stream().map(Candidate::endpoint).toList());
    relayAvailable = relay;
    startPunch(now);
    if (relayFirst && current == null) {
      startRelayProbes(now);
    } else {
      hurryRelayProbes(now); // introduced again: the peer is registered now, its relay likely answers
    }
  }

  /**
   * The rendezvous (again) offers a relay, after this peer's introduction: the node registered, perhaps
   * with another instance after a failover. A session without a path probes the relay from now on,
   * without waiting for a new introduction; one already probing it tries again at once, through the
   * server just reached.
   */
  void relayOffered(long now) {
    relayAvailable = true;
    if (current == null && state != PathState.GONE && (relayProbing || !punching)) {
      startRelayProbes(now);
    }
  }

  /** Probes the relay now and again, backing off, until a path is confirmed ({@link #relayProbing}). */
  private void startRelayProbes(long now) {
    if (!relayAvailable) {
      return;
    }
    relayProbing = true;
    relayProbeInterval = Timing.RELAY_PROBE_FIRST_INTERVAL_NANOS;
    probeRelay(now);
  }

  private void probeRelay(long now) {
    if (!relayAvailable) { // a newer introduction says the rendezvous relays no more
      relayProbing = false;
      return;
    }
    actions.sendPunch(Candidate.VIA_RELAY, track(Candidate.VIA_RELAY, now));
    lastRelayProbeAt = now;
    nextRelayProbeAt = now + relayProbeInterval;
    relayProbeInterval = Math.min(relayProbeInterval * 2, Timing.RELAY_PROBE_MAX_INTERVAL_NANOS);
  }

  /**
   * Something says the relay would answer now (a packet of the peer, a new introduction of it): relay probes
   * backed off start over from {@link Timing#RELAY_PROBE_FIRST_INTERVAL_NANOS}, the next one at most that long
   * after the last, so signs of life (a peer's punches, which anyone on the path may repeat) never make them
   * more frequent than the first interval.
   */
  private void hurryRelayProbes(long now) {
    if (!relayProbing) {
      return;
    }
    relayProbeInterval = Timing.RELAY_PROBE_FIRST_INTERVAL_NANOS;
    nextRelayProbeAt = Math.min(nextRelayProbeAt, Math.max(now, lastRelayProbeAt + relayProbeInterval));
  }

  /**
   * {@code fresh}, or the candidate already known at its address when that one is of a better kind: one
   * address is one path, and its kind never goes down. LAN discovery introduces a peer by its host
   * address ({@code direct-lan}); the rendezvous may introduce the same address as a public one (an
   * address outside the default LAN ranges, 192.0.2.0/24 in the user trial), and taking that would turn a
   * working {@code direct-lan} path into {@code direct} on one side only.
   */
  private Candidate sameAddressKeepsItsKind(Candidate fresh) {
    Candidate known = candidateAt(fresh.endpoint());
    return known != null && known.pathState().preference() > fresh.pathState().preference() ? known : fresh;
  }

  /**
   * Whether a verified {@code punch} from {@code from} may be taken (answered, and taught if new):
   * the relay, a known candidate, or a new source while fewer than {@link #MAX_PEER_REFLEXIVE}
   * peer-reflexive candidates are known.
   */
  boolean mayLearnFrom(Endpoint from) {
    return from.equals(Candidate.VIA_RELAY) || candidateAt(from) != null || peerReflexiveCount() < MAX_PEER_REFLEXIVE;
  }

  /**
   * A verified {@code punch} from {@code from} ({@link #mayLearnFrom} said yes): teaches a
   * peer-reflexive address if it is new, and answers a punch from an unconfirmed peer-reflexive
   * address with one of ours (a triggered check, as ICE's): one punch back per punch received, never
   * a round of them, so a forged source gets no more than it was sent.
   */
  void onPunch(Endpoint from, long now) {
    heard(now);
    if (from.equals(Candidate.VIA_RELAY)) {
      return;
    }
    Candidate known = candidateAt(from);
    if (known == null) {
      known = new Candidate(from, Candidate.Kind.PEER_REFLEXIVE);
      candidates = append(candidates, known);
    }
    if (known.kind() == Candidate.Kind.PEER_REFLEXIVE && !known.equals(current)) {
      actions.sendPunch(from, track(from, now));
    }
  }

  /** A verified {@code punched}: the exchange completed both ways on that address. */
  void onPunched(long txId, Endpoint from, long now) {
    if (!besidePath(from)) {
      heard(now);
    }
    if (challenge != null && challenge.txId() == txId && challenge.to().equals(from)) {
      roam(from, now);
      return;
    }
    PendingProbe probe = pending.remove(txId);
    if (probe == null || !probe.to().equals(from)) {
      return;
    }
    Candidate confirmed = candidateAt(from);
    if (confirmed == null) {
      return;
    }
    long rtt = now - probe.sentNanos();
    rtts.sample(from, rtt);
    if (current == null || state == PathState.CONNECTING
      || confirmed.pathState().preference() > state.preference()) {
      String why = current == null ? "punch completed" : "better path than " + state.label();
      rttNanos = rtt;
      choose(confirmed, now, why);
    } else if (confirmed.equals(current)) {
      rttNanos = rtt;
    } else if (confirmed.pathState() == state && state.isDirect() && rtts.prefers(from, current.endpoint(), now)) {
      String why = "lower round trip: " + micros(rtts.smoothed(from)) + " us against "
        + micros(rtts.smoothed(current.endpoint())) + " us on " + current.endpoint();
      rttNanos = rtt;
      rtts.moved();
      choose(confirmed, now, why);
    }
  }

  private static long micros(long nanos) {
    return TimeUnit.NANOSECONDS.toMicros(nanos);
  }

  /**
   * True for a {@code punched} answering us at another address than the current direct path: a standby
   * ({@link #probeStandbys}) or an upgrade candidate. It proves the peer is there, not that the path works, so
   * it never counts as the path's answer (else a working standby, probed with each keep-alive, would hide a
   * silent path forever). The peer's own punches still count, as before: they may come from a new address
   * of a peer that roamed, which the path challenge handles.
   */
  private boolean besidePath(Endpoint from) {
    return current != null && state.isDirect() && !current.endpoint().equals(from);
  }

  /** Authenticated traffic from the peer: the path is alive, or, without one, the relay is worth probing soon. */
  void heard(long now) {
    awaitingSince = 0;
    hurryRelayProbes(now);
  }

  /**
   * An authenticated packet of the peer from {@code from}. If our own path is unanswered (or we
   * have none) and the peer's newest packet ({@code newest}: a counter above every one accepted)
   * comes from a new direct address, that address is challenged (QUIC path validation, RFC 9000
   * section 8.2): a {@code punch} goes there, and the path moves only when its {@code punched} comes
   * back from it ({@link #onPunched}); data keeps going to the old path meanwhile. NAT rebinding
   * heals without a new handshake, as in WireGuard, but a packet replayed from elsewhere moves
   * nothing. A working path never moves, so two paths of a pair cannot flap.
   */
  void onAuthenticated(Endpoint from, boolean newest, long now) {
    boolean unanswered = current == null || awaitingSince != 0 || current.kind() == Candidate.Kind.RELAY;
    heard(now);
    if (!unanswered || !newest || from.equals(Candidate.VIA_RELAY)
      || (current != null && current.endpoint().equals(from))) {
      return;
    }
    challenge(from, now);
  }

  /** True while a new address is being validated (a challenge sent, its answer awaited). */
  boolean validating() {
    return challenge != null;
  }

  /**
   * Sends a path challenge to {@code to}: one in flight per peer, and a new one at most every
   * {@link Timing#PATH_CHALLENGE_INTERVAL_NANOS}, so authenticated packets from many addresses cost
   * one probe a second at most.
   */
  private void challenge(Endpoint to, long now) {
    if (challenge != null || now < nextChallengeAt) {
      return;
    }
    nextChallengeAt = now + Timing.PATH_CHALLENGE_INTERVAL_NANOS;
    long txId = nextTxId++;
    challenge = new Challenge(to, txId, now);
    actions.sendPunch(to, txId);
  }

  /** The challenged address answered: the path moves there. */
  private void roam(Endpoint to, long now) {
    rttNanos = now - challenge.sentNanos();
    challenge = null;
    Candidate roamed = candidateAt(to);
    if (roamed == null) {
      roamed = new Candidate(to, Candidate.Kind.PEER_REFLEXIVE);
      if (peerReflexiveCount() >= MAX_PEER_REFLEXIVE) {
        // Authenticated, so the peer really is there now: it replaces the oldest learned address.
        candidates = withoutOldestPeerReflexive(candidates);
      }
      candidates = append(candidates, roamed);
    }
    choose(roamed, now, "roamed: " + to + " answered the path challenge");
  }

  /** We sent data that expects an acknowledgement on the current path. */
  void expectAnswer(long now) {
    if (awaitingSince == 0) {
      awaitingSince = now;
    }
  }

  /** The peer left or expired ({@code why}): stop everything. Once only; a second close reports nothing. */
  void close(String why) {
    if (state == PathState.GONE) {
      return;
    }
    punching = false;
    relayProbing = false;
    pending.clear();
    challenge = null;
    nextUpgradeAt = Long.MAX_VALUE;
    nextKeepAliveAt = Long.MAX_VALUE;
    awaitingSince = 0;
    transition(PathState.GONE, why);
  }

  long nextDeadline() {
    if (state == PathState.GONE) {
      return Long.MAX_VALUE;
    }
    long d = Math.min(nextUpgradeAt, nextKeepAliveAt);
    if (punching) {
      d = Math.min(d, Math.min(nextProbeAt, punchUntil));
    }
    if (awaitingSince != 0) {
      d = Math.min(d, awaitingSince + Timing.SILENCE_LIMIT_NANOS);
    }
    if (challenge != null) {
      d = Math.min(d, challenge.sentNanos() + Timing.PATH_CHALLENGE_TIMEOUT_NANOS);
    }
    if (relayProbing) {
      d = Math.min(d, nextRelayProbeAt);
    }
    return d;
  }

  void onTimer(long now) {
    if (state == PathState.GONE) {
      return;
    }
    if (awaitingSince != 0 && now - awaitingSince >= Timing.SILENCE_LIMIT_NANOS) {
      lose(now);
    }
    if (challenge != null && now - challenge.sentNanos() >= Timing.PATH_CHALLENGE_TIMEOUT_NANOS) {
      challenge = null; // unanswered: the path stays where it was; a later packet may challenge again
    }
    if (punching && now >= punchUntil) {
      punching = false;
      nextUpgradeAt = now + Timing.UPGRADE_RETRY_NANOS;
      if (current == null) {
        // Said once per lost path: the upgrade rounds of a relayed path fail quietly every 15 s.
        actions.punchFailed(candidates.size(), relayAvailable);
      }
      if (current == null && !relayProbing) {
        // No direct path in the punch window: probe the relay; its punched makes the path RELAYED.
        startRelayProbes(now);
      }
    } else if (punching && now >= nextProbeAt) {
      probeAll(now);
    }
    if (!punching && now >= nextUpgradeAt) {
      if (current == null) {
        // The window found no path at all: its candidates are not probed again. The session asks
        // for a new introduction instead (fresh candidates; the rendezvous paces them per pair).
        nextUpgradeAt = Long.MAX_VALUE;
        actions.pathLost();
      } else {
        startPunch(now);
      }
    }
    if (relayProbing && now >= nextRelayProbeAt) {
      probeRelay(now);
    }
    if (current != null && now >= nextKeepAliveAt) {
      nextKeepAliveAt = now + keepAliveNanos;
      actions.sendPunch(current.endpoint(), track(current.endpoint(), now));
      expectAnswer(now);
      probeStandbys(now);
    }
    expirePending(now);
  }

  private void startPunch(long now) {
    punching = true;
    punchUntil = now + punchWindowNanos;
    probeInterval = Timing.PROBE_FIRST_INTERVAL_NANOS;
    nextUpgradeAt = Long.MAX_VALUE;
    probeAll(now);
  }

  private void probeAll(long now) {
    for (Candidate c : candidates) {
      // Peer-reflexive addresses get triggered checks only (onPunch): a round would multiply a forged one.
      // A port-mapped one is probed like the public one: the rendezvous took it only on the peer's public host.
      if (c.kind() == Candidate.Kind.LAN || c.kind() == Candidate.Kind.PUBLIC || c.kind() == Candidate.Kind.PORTMAP) {
        actions.sendPunch(c.endpoint(), track(c.endpoint(), now));
      }
    }
    if (current != null && current.kind() == Candidate.Kind.RELAY) {
      // Keep the relay's answer coming while upgrading, so a silent relay is noticed too.
      actions.sendPunch(Candidate.VIA_RELAY, track(Candidate.VIA_RELAY, now));
    }
    nextProbeAt = now + probeInterval;
    probeInterval = Math.min(probeInterval * 2, Timing.PROBE_MAX_INTERVAL_NANOS);
  }

  /**
   * With a keep-alive on a direct path: one probe to each other address of the same kind that answered
   * before (at most {@link #MAX_STANDBY_PROBES}), whose answers ({@link #onPunched}) keep its round trip
   * known. They expect nothing: a silent standby never loses the current path.
   */
  private void probeStandbys(long now) {
    if (!state.isDirect()) {
      return;
    }
    int sent = 0;
    for (Candidate c : candidates) {
      if (sent < MAX_STANDBY_PROBES && !c.equals(current) && c.pathState() == state && rtts.measured(c.endpoint())) {
        actions.sendPunch(c.endpoint(), track(c.endpoint(), now));
        sent++;
      }
    }
  }

  private void choose(Candidate confirmed, long now, String why) {
    PathState to = confirmed.pathState();
    awaitingSince = 0; // it just answered: an answer the old path owed is not this one's
    relayProbing = false;
    nextKeepAliveAt = now + keepAliveNanos;
    if (to.isDirect()) {
      punching = false;
      nextUpgradeAt = to == PathState.DIRECT_LAN ? Long.MAX_VALUE : now + Timing.UPGRADE_RETRY_NANOS * 4;
    } else if (!punching) {
      nextUpgradeAt = now + Timing.UPGRADE_RETRY_NANOS;
    }
    current = confirmed;
    transition(to, why);
  }

  /** The current path went silent: fall back to the relay if there is one, and look again. */
  private void lose(long now) {
    awaitingSince = 0;
    nextKeepAliveAt = Long.MAX_VALUE;
    transition(PathState.CONNECTING, "no answer for " + Timing.SILENCE_LIMIT_NANOS / 1_000_000_000L + " s");
    actions.pathLost();
    startPunch(now);
    // Messages keep flowing through the relay while a direct path is looked for again.
    startRelayProbes(now);
  }

  /**
   * The one place the state changes: sets it and reports the change with its reason. The address
   * reported is the chosen path ({@link #current}, set by the caller before a move); going back to
   * {@link PathState#CONNECTING} reports the path it leaves and forgets it, {@link PathState#GONE}
   * reports the last path (a goodbye names where the peer was).
   */
  private void transition(PathState to, String why) {
    Endpoint address = current == null ? null : current.endpoint();
    if (to == PathState.CONNECTING) {
      current = null;
    }
    state = to;
    actions.pathChanged(to, address, why);
  }

  private Candidate candidateAt(Endpoint endpoint) {
    if (endpoint.equals(Candidate.VIA_RELAY)) {
      return new Candidate(Candidate.VIA_RELAY, Candidate.Kind.RELAY);
    }
    for (Candidate c : candidates) {
      if (c.endpoint().equals(endpoint)) {
        return c;
      }
    }
    return null;
  }

  private long track(Endpoint to, long now) {
    long txId = nextTxId++;
    pending.put(txId, new PendingProbe(to, now));
    if (pending.size() > Timing.MAX_PENDING_PROBES) {
      Iterator<Long> oldest = pending.keySet().iterator();
      oldest.next();
      oldest.remove();
    }
    return txId;
  }

  private void expirePending(long now) {
    pending.values().removeIf(p -> now - p.sentNanos() > Timing.PROBE_EXPIRY_NANOS);
  }

  private int peerReflexiveCount() {
    int n = 0;
    for (Candidate c : candidates) {
      if (c.kind() == Candidate.Kind.PEER_REFLEXIVE) {
        n++;
      }
    }
    return n;
  }

  /** {@code list} less its first peer-reflexive candidate that is not the current path. */
  private List<Candidate> withoutOldestPeerReflexive(List<Candidate> list) {
    List<Candidate> out = new ArrayList<>(list);
    for (Candidate c : list) {
      if (c.kind() == Candidate.Kind.PEER_REFLEXIVE && !c.equals(current)) {
        out.remove(c);
        break;
      }
    }
    return out;
  }

  private static List<Candidate> append(List<Candidate> list, Candidate c) {
    List<Candidate> out = new ArrayList<>(list);
    out.remove(c);
    out.add(c);
    return out;
  }
}
