package io.p2pchat.control;

import io.p2pchat.common.NodeLog;
import io.p2pchat.crypto.CipherSuite;
import io.p2pchat.crypto.HandshakeException;
import io.p2pchat.crypto.NodeIdentity;
import io.p2pchat.crypto.NoiseHandshake;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.function.LongSupplier;

/**
 * The client end of the control channel to one rendezvous: runs the handshake and holds the session.
 * <pre>
 *           start()                       COOKIE (our nonce; key accepted by KnownServers)
 *   IDLE ───────────▶ AWAIT_COOKIE ────────────────────────────────────▶ AWAIT_RESPONSE
 *     ▲   (HELLO; or INITIATION at once                                   │  RESPONSE authenticates:
 *     │    when a fresh cookie is held)      COOKIE with a refused key    │  new session, old one kept
 *     │                          └───────────────────────────▶ REFUSED    │  for opening stragglers
 *     └───────────────────────────────────────────────────────────────────┘
 * </pre>
 * <b>First contact, trust on first use with IK.</b> IK needs the server's key before message 1, so the
 * first round trip is a HELLO answered by a COOKIE carrying the key (and the address cookie the server
 * wants anyway). The key is checked with {@link KnownServers}: a configured or remembered key must match
 * (else {@link Event.KeyRefused}, loudly); an unknown one is tried, and remembered only once the IK
 * RESPONSE proved the server holds its private key ({@link Event.Established#firstUse()}: the caller then
 * saves the file). The HELLO's random nonce must come back, so an off-path spoofer cannot plant a key;
 * an attacker on the path at the very first contact can (TOFU's known limit; configure the key to close it).
 *
 * <p>A datagram that does not fit the state or does not authenticate is an {@link Event.Dropped} and
 * changes nothing. Time is passed in; the caller owns the socket and the retransmission timer
 * ({@link #retransmitDeadline()}). Not thread-safe.
 */
public final class ControlClient {
  /** Where its lines go: unstamped until {@link #logTo} names the node's logger. */
  private NodeLog log = NodeLog.unstamped(ControlClient.class);

  /** The handshake's state; changed only by {@link #transition}. */
  public enum State { IDLE, AWAIT_COOKIE, AWAIT_RESPONSE, AWAIT_RESUMED, REFUSED }

  /**
   * RESUMEs sent for one session before the ticket is given up and the full handshake runs: 3, so a
   * RESUME or RESUMED lost twice in a row still resumes, while a ticket the server does not take (another
   * cluster's, a key rotated out: dropped without an answer) costs 0.3 + 0.6 + 1.2 s of waiting.
   */
  public static final int MAX_RESUME_ATTEMPTS = 3;

  /**
   * Initiations of one handshake attempt whose handshake states are kept: 3, the last three re-sends
   * (0.3 + 0.6 + 1.2 s apart at first). Under load the answer to an earlier one often comes after we
   * re-sent it; it is just as valid, so whichever answer comes first completes the handshake, and one
   * to a re-send already answered is a {@link ControlDrop#LATE_RESPONSE}, not a stranger's. The server
   * keeps as many pending sessions per client ({@link ControlServer#MAX_PENDING_PER_CLIENT}).
   */
  public static final int REMEMBERED_INITIATIONS = 3;

  /** {@link #unansweredSince} when no handshake datagram awaits an answer. */
  private static final long NOT_AWAITING = Long.MIN_VALUE;

  /** An initiation sent in the current attempt: its sender index and the handshake state its answer needs. */
  private record Initiation(int index, NoiseHandshake handshake) {
  }

  /** What a datagram or a call produced. */
  public sealed interface Event {
    /** Send these bytes to the rendezvous. */
    record Send(byte[] datagram) implements Event {
    }

    /**
     * A new session is ready (sealing switches to it). {@code firstUse}: the server's key was new and is
     * now remembered in {@link KnownServers}: save it (blocking, on a worker) and tell the user its fingerprint.
     */
    record Established(ControlSession session, boolean firstUse, String fingerprint, boolean resumed) implements Event {
    }

    /** A control message from the rendezvous, authenticated and seen for the first time. */
    record Message(byte[] payload) implements Event {
    }

    /** The server presented a key other than the pinned one: nothing was sent; report it loudly. */
    record KeyRefused(KnownServers.Trust trust, String presentedFingerprint) implements Event {
    }

    /**
     * The server no longer has our session (a RESET with the token it gave us): the session is closed;
     * the next control message starts a handshake, and the registration it carried is gone too.
     */
    record Reset(String why) implements Event {
    }

    /**
     * A second answer to a step already taken: the COOKIE for a HELLO that was retransmitted before the
     * first COOKIE came back (a slow first answer, or a duplicating network). Changes nothing; not a drop.
     */
    record Duplicate(String why) implements Event {
    }

    /** The datagram was refused and changed nothing; count {@code drop}. */
    record Dropped(ControlDrop drop, String why) implements Event {
    }
  }

  private final NodeIdentity identity;
  private final String server;
  private final KnownServers known;
  private final CipherSuite suite;
  private final SecureRandom random;
  private final LongSupplier wallMillis;
  /** The {@link ChannelBinding} of the TLS connection this client speaks over, or null over UDP. */
  private final byte[] binding;

  private State state = State.IDLE;
  private byte[] nonce;
  /** The nonce of the last HELLO, so that a second COOKIE for it is known as a duplicate, not a stranger's. */
  private byte[] helloNonce;
  private byte[] cookie;
  private long cookieNanos;
  private byte[] serverKey;
  private KnownServers.Trust trust;
  /** The initiations of the current attempt, oldest first, at most {@link #REMEMBERED_INITIATIONS}. */
  private final java.util.ArrayDeque<Initiation> initiations = new java.util.ArrayDeque<>(REMEMBERED_INITIATIONS);
  /** The other initiations of the attempt that last completed: an answer to one is late, not forged. */
  private int[] answeredAttempt = new int[0];
  /** The sender index of the RESUME awaiting its RESUMED. */
  private int pendingIndex;
  private byte[] lastSent;
  private long retransmitAt = Long.MAX_VALUE;
  /** When the first handshake datagram the server has not answered yet left, or {@link #NOT_AWAITING}. */
  private long unansweredSince = NOT_AWAITING;
  private long retransmitInterval = ControlTiming.RETRANSMIT_INITIAL_NANOS;
  private long lastTimestamp;
  private ControlSession session;
  private ControlSession previous;
  /** The current session's reset token (from the server's response), or null: an older server gives none. */
  private byte[] resetToken;
  /** Where tickets are kept (shared by the clients of one server list), or null: no resumption. */
  private TicketWallet wallet;
  /** The RESUME awaiting its RESUMED: its ticket, nonce and index, and how many were sent for this session. */
  private TicketWallet.Held resuming;
  private byte[] resumeNonce;
  private int resumeAttempts;
  private boolean sessionResumed;

  /**
   * @param server the rendezvous address as configured ({@code host:port}): the key of {@link KnownServers}
   * @param wallMillis the wall clock (ms since the epoch) for the initiation timestamp
   */
  public ControlClient(NodeIdentity identity, String server, KnownServers known, CipherSuite suite,
      SecureRandom random, LongSupplier wallMillis) {
    this(identity, server, known, suite, random, wallMillis, null);
  }

  /**
   * A client whose handshake is bound to the TLS connection it runs in.
   *
   * @param binding {@link ChannelBinding#tlsServerEndPoint} of the leaf certificate this connection's
   *     server presented; null over UDP
   */
  public ControlClient(NodeIdentity identity, String server, KnownServers known, CipherSuite suite,
      SecureRandom random, LongSupplier wallMillis, byte[] binding) {
    KnownServers.checkServer(server);
    ChannelBinding.prologue(binding); // refuses a binding of the wrong length at once
    this.binding = binding == null ? null : binding.clone();
    this.identity = identity;
    this.server = server;
    this.known = known;
    this.suite = suite;
    this.random = random;
    this.wallMillis = wallMillis;
  }

  /**
   * Resumes sessions with the tickets in {@code tickets} and keeps there the ones the server gives: share
   * one wallet among the clients of every server of one list (a cluster opens any of its instances' tickets).
   */
  public ControlClient useTickets(TicketWallet tickets) {
    this.wallet = tickets;
    return this;
  }

  /** Logs this client's lines, and its sessions', to {@code log}: its node's, so each line carries the node's name. */
  public ControlClient logTo(NodeLog log) {
    this.log = java.util.Objects.requireNonNull(log, "log");
    return this;
  }

  /** True when the current session was resumed from a ticket (no public-key work), false after a full handshake. */
  public boolean resumed() {
    return sessionResumed;
  }

  /** The handshake's state. */
  public State state() {
    return state;
  }

  /** The session to seal with, or null before the first handshake completed. */
  public ControlSession session() {
    return session;
  }

  /**
   * Starts a handshake (first contact, re-handshake, or after the user accepted a changed key); an
   * established session keeps working until the new one replaces it. Returns the datagram to send.
   */
  public byte[] start(long nowNanos) {
    retransmitInterval = ControlTiming.RETRANSMIT_INITIAL_NANOS;
    if (state != State.AWAIT_RESUMED) {
      resumeAttempts = 0; // a start while resuming (a caller with its own retry loop) counts as one more try
    }
    if (wallet != null && wallet.usable(nowNanos) != null) {
      if (resumeAttempts < MAX_RESUME_ATTEMPTS) {
        return sendResume(nowNanos, "resume with our ticket");
      }
      wallet.forget();
    }
    return startHandshake(nowNanos);
  }

  /** The full handshake: an initiation at once under a fresh cookie, else a HELLO. */
  private byte[] startHandshake(long nowNanos) {
    forgetInitiations(); // a new attempt: answers to an earlier one's initiations are no longer awaited
    if (cookie != null && serverKey != null && nowNanos - cookieNanos < ControlTiming.COOKIE_REUSE_NANOS
        && !known.check(server, serverKey).refused()) {
      return sendInitiation(nowNanos, "re-handshake under a fresh cookie");
    }
    nonce = randomBytes(ControlCodec.NONCE_SIZE);
    helloNonce = nonce;
    transition(State.AWAIT_COOKIE, "hello sent");
    return sent(ControlCodec.hello(nonce), nowNanos);
  }

  /**
   * How long the handshake has waited for the server: since the first HELLO, INITIATION or RESUME that no
   * answer followed (a COOKIE answers the HELLO), 0 when nothing awaits an answer. The owner tells
   * "slow" from "unreachable" by it, not by its own messages queued behind the handshake.
   */
  public long unansweredNanos(long nowNanos) {
    return unansweredSince == NOT_AWAITING ? 0 : nowNanos - unansweredSince;
  }

  /** When {@link #retransmit} should run next, or {@link Long#MAX_VALUE} when no answer is awaited. */
  public long retransmitDeadline() {
    return retransmitAt;
  }

  /**
   * The datagram to send again because its answer is overdue (null if none is awaited). An initiation is
   * made anew (fresh ephemeral key and timestamp): the server refuses a repeated one as a replay.
   */
  public byte[] retransmit(long nowNanos) {
    retransmitInterval = Math.min(retransmitInterval * 2, ControlTiming.RETRANSMIT_MAX_NANOS);
    return switch (state) {
      case AWAIT_COOKIE -> sent(lastSent, nowNanos);
      case AWAIT_RESPONSE -> sendInitiation(nowNanos, "response overdue");
      case AWAIT_RESUMED -> {
        if (resumeAttempts < MAX_RESUME_ATTEMPTS && wallet.usable(nowNanos) != null) {
          yield sendResume(nowNanos, "resumed overdue");
        }
        log.debug("rendezvous {} answered none of {} resumes: full handshake", server, resumeAttempts);
        wallet.forget();
        yield startHandshake(nowNanos);
      }
      default -> null;
    };
  }

  /**
   * Closes this client's sessions, the current one and the one kept for stragglers, which wipes their keys:
   * its owner stops, or replaces this client (a new transport). A handshake under way is forgotten too.
   */
  public void close(String why) {
    if (previous != null) {
      previous.close(why);
    }
    if (session != null) {
      session.close(why);
    }
    previous = null;
    session = null;
    resetToken = null;
    forgetInitiations();
    resuming = null;
    retransmitAt = Long.MAX_VALUE;
    unansweredSince = NOT_AWAITING;
    transition(State.IDLE, "closed: " + why);
  }

  /** Seals a control message in the current session. */
  public byte[] seal(byte[] message, long nowNanos) {
    if (session == null) {
      throw new IllegalStateException("no control session yet: handshake first");
    }
    return session.seal(message, nowNanos);
  }

  /** Handles a datagram from the rendezvous's address (classified by {@link ControlCodec#isControl}). */
  public Event onDatagram(byte[] datagram, long nowNanos) {
    try {
      ControlMessage m = ControlCodec.decode(datagram);
      return switch (m.type()) {
        case COOKIE -> onCookie((ControlMessage.CookieReply) m, nowNanos);
        case RESPONSE -> onResponse((ControlMessage.Response) m, nowNanos);
        case SEALED -> new Event.Message(sessionFor((ControlMessage.Sealed) m).open(datagram, nowNanos));
        case RESET -> onReset((ControlMessage.Reset) m);
        case RESUMED -> onResumed((ControlMessage.Resumed) m, nowNanos);
        case HELLO, INITIATION, RESUME -> throw new ControlException(ControlDrop.UNKNOWN_TYPE, "a client takes no " + m.type());
      };
    } catch (ControlException e) {
      return new Event.Dropped(e.drop(), e.getMessage());
    }
  }

  private ControlSession sessionFor(ControlMessage.Sealed s) throws ControlException {
    if (session != null && s.receiverIndex() == session.localIndex()) {
      return session;
    }
    if (previous != null && s.receiverIndex() == previous.localIndex()) {
      return previous; // the server may use the old session until it saw our first message in the new one
    }
    throw new ControlException(ControlDrop.UNKNOWN_SESSION, "no control session " + s.receiverIndex());
  }

  private Event onReset(ControlMessage.Reset r) throws ControlException {
    if (session == null || r.serverIndex() != session.remoteIndex()) {
      throw new ControlException(ControlDrop.UNKNOWN_SESSION, "a reset for a session we do not have");
    }
    if (!ResetTokens.matches(resetToken, r.token())) {
      throw new ControlException(ControlDrop.UNAUTHENTICATED, "reset token does not match");
    }
    session.close("reset by the server");
    if (previous != null) {
      previous.close("reset by the server");
    }
    session = null;
    previous = null;
    resetToken = null;
    return new Event.Reset("the rendezvous has no session " + r.serverIndex() + " (it restarted)");
  }

  private Event onCookie(ControlMessage.CookieReply c, long nowNanos) throws ControlException {
    if (state == State.AWAIT_RESPONSE && helloNonce != null && MessageDigest.isEqual(c.nonce(), helloNonce)
        && cookie != null && MessageDigest.isEqual(c.serverKey(), serverKey)) {
      return new Event.Duplicate("a second cookie for our retransmitted hello");
    }
    if ((state != State.AWAIT_COOKIE && state != State.AWAIT_RESPONSE) || !MessageDigest.isEqual(c.nonce(), nonce)) {
      throw new ControlException(ControlDrop.UNEXPECTED, "a cookie for a nonce we did not send (state " + state + ")");
    }
    KnownServers.Trust t = known.check(server, c.serverKey());
    if (t.refused()) {
      String fp = ServerKey.fingerprintOf(c.serverKey());
      log.warn("rendezvous {} presented key {} which is not the {} one: refused", server, fp,
          t == KnownServers.Trust.CHANGED ? "remembered" : "configured");
      forgetInitiations(); // REFUSED takes no response: the attempt's handshakes can never complete
      transition(State.REFUSED, "server key refused: " + t);
      retransmitAt = Long.MAX_VALUE;
      unansweredSince = NOT_AWAITING;
      return new Event.KeyRefused(t, fp);
    }
    unansweredSince = NOT_AWAITING; // the server answered: the initiation's wait starts now
    cookie = c.cookie();
    cookieNanos = nowNanos;
    serverKey = c.serverKey();
    trust = t;
    return new Event.Send(sendInitiation(nowNanos, "cookie received"));
  }

  private byte[] sendInitiation(long nowNanos, String why) {
    nonce = randomBytes(ControlCodec.NONCE_SIZE);
    NoiseHandshake handshake = NoiseHandshake.ikInitiator(identity, serverKey, ChannelBinding.prologue(binding), suite);
    int index = random.nextInt();
    lastTimestamp = Math.max(wallMillis.getAsLong(), lastTimestamp + 1);
    byte[] noise;
    try {
      noise = handshake.writeMessage(InitiationPayload.of(identity, lastTimestamp).encode());
    } catch (HandshakeException e) {
      // Only a low-order server key gets here; KnownServers let it through, so the pin is unusable.
      throw new IllegalStateException("the rendezvous key of " + server + " is not a usable X25519 key", e);
    }
    if (trust == null) {
      trust = known.check(server, serverKey);
    }
    if (initiations.size() >= REMEMBERED_INITIATIONS) {
      initiations.removeFirst().handshake().destroy(); // its answer would now be a stranger's: never completed
    }
    initiations.addLast(new Initiation(index, handshake));
    transition(State.AWAIT_RESPONSE, why);
    return sent(ControlCodec.initiation(nonce, cookie, index, noise), nowNanos);
  }

  /**
   * A RESUME with the wallet's ticket: a fresh nonce, index and timestamp each time (the server refuses a
   * timestamp not above the last, so a resent RESUME is made anew, like an initiation).
   */
  private byte[] sendResume(long nowNanos, String why) {
    forgetInitiations(); // AWAIT_RESUMED takes no response: a full handshake under way is given up
    resuming = wallet.usable(nowNanos);
    resumeAttempts++;
    resumeNonce = randomBytes(Resumption.NONCE_SIZE);
    pendingIndex = random.nextInt();
    lastTimestamp = Math.max(wallMillis.getAsLong(), lastTimestamp + 1);
    byte[] head = ControlCodec.resumeHead(resumeNonce, pendingIndex, resuming.ticket());
    byte[] request = java.nio.ByteBuffer.allocate(ControlCodec.RESUME_PLAIN).putLong(lastTimestamp).array();
    byte[] sealed = Resumption.seal(Resumption.requestKey(resuming.secret(), resumeNonce, binding), head, request);
    transition(State.AWAIT_RESUMED, why);
    return sent(ControlCodec.resume(head, sealed), nowNanos);
  }

  private Event onResumed(ControlMessage.Resumed r, long nowNanos) throws ControlException {
    if (state != State.AWAIT_RESUMED || r.receiverIndex() != pendingIndex) {
      throw new ControlException(ControlDrop.UNEXPECTED, "a resumed nobody awaits (state " + state + ")");
    }
    Resumption.Keys k = Resumption.sessionKeys(resuming.secret(), resumeNonce, r.serverNonce(), pendingIndex,
        r.senderIndex(), binding);
    byte[] answer;
    try {
      answer = Resumption.open(k.answerKey(), r.head(), r.sealedAnswer());
    } catch (javax.crypto.AEADBadTagException e) {
      throw new ControlException(ControlDrop.UNAUTHENTICATED, "resumed does not open under our ticket's secret");
    }
    ControlSession next = new ControlSession(ControlSession.Role.CLIENT, pendingIndex, r.senderIndex(),
        k.sessionKeys(ControlSession.Role.CLIENT), resuming.issuerKey(), null, nowNanos, log);
    wallet.keep(new TicketWallet.Held(java.util.Arrays.copyOfRange(answer, ResetTokens.LENGTH, answer.length),
        k.nextSecret(), resuming.chainStartNanos(), resuming.issuerKey()));
    byte[] token = java.util.Arrays.copyOf(answer, ResetTokens.LENGTH);
    resuming = null;
    return established(next, token, false, ServerKey.fingerprintOf(next.peerStaticKey()), true);
  }

  private Event onResponse(ControlMessage.Response r, long nowNanos) throws ControlException {
    Initiation sent = state == State.AWAIT_RESPONSE ? initiation(r.receiverIndex()) : null;
    if (sent == null) {
      for (int index : answeredAttempt) {
        if (index == r.receiverIndex()) {
          throw new ControlException(ControlDrop.LATE_RESPONSE,
              "a late response to an initiation we re-sent; the handshake completed with another");
        }
      }
      throw new ControlException(ControlDrop.UNEXPECTED, "a response nobody awaits (state " + state + ")");
    }
    NoiseHandshake handshake = sent.handshake();
    byte[] payload;
    try {
      payload = handshake.readMessage(r.noise()); // on failure the handshake is untouched: the genuine one may follow
    } catch (HandshakeException e) {
      throw new ControlException(ControlDrop.UNAUTHENTICATED, "response: " + e.getMessage());
    }
    byte[] secret = handshake.resumptionSecret();
    ControlSession next = new ControlSession(ControlSession.Role.CLIENT, sent.index(), r.senderIndex(),
        handshake.split(), serverKey, null, nowNanos, log);
    answeredAttempt = initiations.stream().mapToInt(Initiation::index).filter(i -> i != sent.index()).toArray();
    forgetInitiations(); // the others are answered late or never: their handshakes are wiped, this one was split
    if (wallet != null && payload.length == ResetTokens.LENGTH + ResumptionTicket.LENGTH) {
      wallet.keep(new TicketWallet.Held(java.util.Arrays.copyOfRange(payload, ResetTokens.LENGTH, payload.length),
          secret, nowNanos, serverKey));
    }
    boolean firstUse = trust == KnownServers.Trust.NEW;
    if (firstUse) {
      known.remember(server, serverKey);
    }
    trust = null;
    // An older server's payload is the token alone; one without tickets too.
    byte[] token = payload.length >= ResetTokens.LENGTH ? java.util.Arrays.copyOf(payload, ResetTokens.LENGTH) : null;
    return established(next, token, firstUse, ServerKey.fingerprintOf(serverKey), false);
  }

  /**
   * Drops the current attempt's initiations, wiping their handshakes ({@link NoiseHandshake#destroy()}; the one
   * split is already).
   */
  private void forgetInitiations() {
    for (Initiation i : initiations) {
      i.handshake().destroy();
    }
    initiations.clear();
  }

  /** Test hook: the handshakes of the current attempt's initiations, oldest first. */
  java.util.List<NoiseHandshake> initiationHandshakes() {
    return initiations.stream().map(Initiation::handshake).toList();
  }

  /** The initiation of the current attempt with sender index {@code index}, or null. */
  private Initiation initiation(int index) {
    for (Initiation i : initiations) {
      if (i.index() == index) {
        return i;
      }
    }
    return null;
  }

  /** {@code next} becomes the session to seal with; the one before opens stragglers until the next change. */
  private Event established(ControlSession next, byte[] token, boolean firstUse, String fingerprint, boolean resumed) {
    if (previous != null) {
      previous.close("superseded twice");
    }
    previous = session;
    session = next;
    resetToken = token;
    sessionResumed = resumed;
    retransmitAt = Long.MAX_VALUE;
    unansweredSince = NOT_AWAITING;
    transition(State.IDLE, "session " + next + (resumed ? " resumed" : " established"));
    return new Event.Established(next, firstUse, fingerprint, resumed);
  }

  private byte[] sent(byte[] datagram, long nowNanos) {
    lastSent = datagram;
    retransmitAt = nowNanos + retransmitInterval;
    if (unansweredSince == NOT_AWAITING) {
      unansweredSince = nowNanos;
    }
    return datagram;
  }

  private byte[] randomBytes(int n) {
    byte[] b = new byte[n];
    random.nextBytes(b);
    return b;
  }

  /** The one place the state changes; logs every change. */
  private void transition(State to, String why) {
    if (to != state) {
      log.debug("control client to {}: {} -> {} ({})", server, state, to, why);
    }
    state = to;
  }
}
