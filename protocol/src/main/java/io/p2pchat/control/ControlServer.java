package io.p2pchat.control;

import io.p2pchat.crypto.AddressCookie;
import io.p2pchat.crypto.CipherSuite;
import io.p2pchat.crypto.HandshakeException;
import io.p2pchat.crypto.NoiseHandshake;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The rendezvous end of the control channel: answers HELLOs with cookies, runs the IK responder for
 * initiations that carry a valid cookie, and opens sealed messages by session index.
 *
 * <p><b>Stateless toward unvalidated sources.</b> A HELLO, and an INITIATION without a cookie valid for
 * its source address, get a 68-byte COOKIE and leave no state; the cookie check (one HMAC) comes before
 * any X25519 work. Cookies are required always, not only under load: the round trip is paid once per
 * {@link ControlTiming#COOKIE_REUSE_NANOS} (the client caches the cookie), and "always" has no load
 * threshold to get wrong. Every answer to an unvalidated source is at most {@link #AMPLIFICATION_LIMIT}
 * times the datagram it answers (by the sizes of {@link ControlCodec}, at most 1x; the check stays as a
 * guard). A source that echoed a cookie has shown it receives at its address.
 *
 * <p><b>Stateless reset.</b> A SEALED datagram naming a session the server does not have is answered
 * with a RESET carrying that session's {@link ResetTokens token}, which the server can compute from the
 * index alone; the client learned the token in the IK response, so it believes no one else's RESET.
 *
 * <p><b>Per client</b> (known by its Ed25519 key, which the IK handshake and its binding signature
 * prove): the confirmed session, at most {@link #MAX_PENDING_PER_CLIENT} pending ones (a newer initiation
 * replaces the oldest), and the timestamp of its last accepted initiation (a replayed message 1 is
 * refused). A pending session becomes the client's session with its first authenticated message; the
 * older one and the other pending ones are closed then, not before. Several are kept because a slow
 * answer crosses the client's re-sent initiation: the client completes with whichever answer reaches it
 * first, so that one must still be here when its first sealed message comes.
 * Not thread-safe: the socket owner calls it from its event loop.
 */
public final class ControlServer {
  /** RFC 9000 section 8.1: at most 3 bytes out per byte in to a source whose address is not validated. */
  public static final int AMPLIFICATION_LIMIT = 3;
  /** Sessions kept at most (pending and confirmed): bounds memory like the rendezvous's maxClients. */
  public static final int DEFAULT_MAX_SESSIONS = 200_000;
  /**
   * Pending sessions kept per client: 3, as many as the client keeps initiations of one attempt
   * ({@link ControlClient#REMEMBERED_INITIATIONS}), so the answer it takes is always one we still hold.
   */
  public static final int MAX_PENDING_PER_CLIENT = ControlClient.REMEMBERED_INITIATIONS;
  /**
   * How long a client's last initiation timestamp is kept after its sessions are gone: 240 s, the
   * longest a cookie verifies (2 x AddressCookie.BUCKET_MILLIS). A message 1 replayed later fails the
   * cookie check anyway, so forgetting then is safe.
   */
  static final long REPLAY_MEMORY_NANOS = 2 * AddressCookie.BUCKET_MILLIS * 1_000_000L;

  /** What a datagram produced. */
  public sealed interface Event {
    /** Answer {@code datagram} to the source (a COOKIE). */
    record Reply(byte[] datagram) implements Event {
    }

    /**
     * An authenticated initiation: send {@code response} to the source. {@code session} is PENDING until
     * the client's first sealed message; its {@link ControlSession#peerSigningKey()} names the client.
     */
    record Accepted(ControlSession session, byte[] response) implements Event {
    }

    /**
     * A RESUME whose ticket and request opened: send {@code resumed} (no larger than the RESUME) to the
     * source. {@code session} is PENDING until the client's first sealed message, as after a handshake;
     * no public-key operation was needed.
     */
    record Resumed(ControlSession session, byte[] resumed) implements Event {
    }

    /**
     * A control message from {@code session}'s client, authenticated and new; the source address of the
     * datagram is the client's current address (a session roams like DATA). {@code confirmed}: this
     * message made the session the client's current one (the previous one, if any, was closed).
     */
    record Message(ControlSession session, byte[] payload, boolean confirmed) implements Event {
    }

    /**
     * A SEALED datagram for a session this server does not have (it restarted with the same key, or the
     * session expired): answer the source with {@code reset} (24 bytes, less than the 32 at least it
     * received), which tells the client, and only it, to handshake again.
     */
    record Reset(byte[] reset, String why) implements Event {
    }

    /** Refused, nothing changed; count {@code drop}. */
    record Dropped(ControlDrop drop, String why) implements Event {
    }
  }

  private static final class Client {
    ControlSession current;
    /** Oldest first, at most {@link #MAX_PENDING_PER_CLIENT}. */
    final java.util.ArrayDeque<ControlSession> pending = new java.util.ArrayDeque<>(MAX_PENDING_PER_CLIENT);
    long lastTimestamp = Long.MIN_VALUE;
    long lastInitiationNanos;
  }

  private final RendezvousIdentity identity;
  private final AddressCookie cookies;
  private final ResetTokens resetTokens;
  private final CipherSuite suite;
  private final SecureRandom random;
  private final int maxSessions;
  private final Map<Integer, ControlSession> byIndex = new HashMap<>();
  private final Map<ByteBuffer, Client> clients = new HashMap<>();
  /** The ticket keys of now (they rotate, and a cluster shares them); null: no tickets issued, RESUMEs dropped. */
  private Supplier<TicketKeys> ticketKeys = () -> null;

  /** A server with {@link #DEFAULT_MAX_SESSIONS}. */
  public ControlServer(RendezvousIdentity identity, AddressCookie cookies, CipherSuite suite, SecureRandom random) {
    this(identity, cookies, suite, random, DEFAULT_MAX_SESSIONS);
  }

  /** A server keeping at most {@code maxSessions} sessions. */
  public ControlServer(RendezvousIdentity identity, AddressCookie cookies, CipherSuite suite, SecureRandom random,
      int maxSessions) {
    if (maxSessions < 1) {
      throw new IllegalArgumentException("maxSessions must be at least 1");
    }
    this.identity = identity;
    this.cookies = cookies;
    this.resetTokens = new ResetTokens(identity);
    this.suite = suite;
    this.random = random;
    this.maxSessions = maxSessions;
  }

  /**
   * Issues {@link ResumptionTicket}s under {@code keys} (asked at every handshake and RESUME: the
   * caller rotates them, and shares them through its cluster) and resumes sessions from them.
   */
  public void useTicketKeys(Supplier<TicketKeys> keys) {
    this.ticketKeys = keys;
  }

  /** Sessions held now, pending included. */
  public int sessionCount() {
    return byIndex.size();
  }

  /**
   * Handles one control-channel datagram from {@code src}.
   *
   * @param nowMillis wall clock for the cookie buckets
   * @param nowNanos monotonic clock for session ages
   */
  public Event onDatagram(byte[] datagram, InetSocketAddress src, long nowMillis, long nowNanos) {
    return onDatagram(datagram, src, null, nowMillis, nowNanos);
  }

  /**
   * Handles one control-channel datagram from {@code src}, which came over a transport whose
   * {@link ChannelBinding} is {@code binding} (null: UDP, no binding). An initiation is authenticated
   * under the prologue of that binding: one made for another (a TLS man in the middle's certificate)
   * fails as {@link ControlDrop#UNAUTHENTICATED}.
   */
  public Event onDatagram(byte[] datagram, InetSocketAddress src, byte[] binding, long nowMillis, long nowNanos) {
    try {
      ControlMessage m = ControlCodec.decode(datagram);
      return switch (m.type()) {
        case HELLO -> cookieReply(((ControlMessage.Hello) m).nonce(), src, datagram.length, nowMillis);
        case INITIATION -> onInitiation((ControlMessage.Initiation) m, src, binding, datagram.length, nowMillis,
            nowNanos);
        case SEALED -> onSealed((ControlMessage.Sealed) m, datagram, nowNanos);
        case RESUME -> onResume((ControlMessage.Resume) m, binding, datagram.length, nowMillis, nowNanos);
        case COOKIE, RESPONSE, RESET, RESUMED -> throw new ControlException(ControlDrop.UNKNOWN_TYPE, "a server takes no " + m.type());
      };
    } catch (ControlException e) {
      return new Event.Dropped(e.drop(), e.getMessage());
    }
  }

  private Event cookieReply(byte[] nonce, InetSocketAddress src, int received, long nowMillis)
      throws ControlException {
    byte[] reply = ControlCodec.cookie(nonce, cookies.issue(src, nowMillis), identity.publicKey());
    if (reply.length > AMPLIFICATION_LIMIT * received) {
      throw new ControlException(ControlDrop.AMPLIFICATION, reply.length + " bytes for " + received);
    }
    return new Event.Reply(reply);
  }

  private Event onInitiation(ControlMessage.Initiation m, InetSocketAddress src, byte[] binding, int received,
      long nowMillis, long nowNanos) throws ControlException {
    if (!cookies.verify(m.cookie(), src, nowMillis)) {
      return cookieReply(m.nonce(), src, received, nowMillis); // stale, missing or another address's cookie
    }
    NoiseHandshake hs = NoiseHandshake.ikResponder(identity.nodeIdentity(), ChannelBinding.prologue(binding), suite);
    InitiationPayload payload;
    try {
      payload = InitiationPayload.decode(hs.readMessage(m.noise()));
    } catch (HandshakeException e) {
      throw new ControlException(ControlDrop.UNAUTHENTICATED, "initiation: " + e.getMessage());
    }
    byte[] clientStatic = hs.remoteStaticKey();
    if (!payload.binds(clientStatic)) {
      throw new ControlException(ControlDrop.UNAUTHENTICATED, "the client's static key is not bound to its identity");
    }
    ByteBuffer clientKey = ByteBuffer.wrap(payload.signingKey());
    Client client = admit(clientKey, payload.timestampMillis(), "initiation");
    int index = freshIndex();
    byte[] noise;
    try {
      // The response's payload is the session's reset token, then (with ticket keys) a resumption
      // ticket: only the client learns them, authenticated.
      noise = hs.writeMessage(secret -> responsePayload(index, secret, clientStatic, payload.signingKey(), nowMillis));
    } catch (HandshakeException e) {
      throw new ControlException(ControlDrop.UNAUTHENTICATED, "initiation: " + e.getMessage());
    }
    ControlSession session = new ControlSession(ControlSession.Role.SERVER, index, m.senderIndex(), hs.split(),
        clientStatic, payload.signingKey(), nowNanos);
    pend(clientKey, client, session, payload.timestampMillis(), nowNanos);
    return new Event.Accepted(session, ControlCodec.response(m.senderIndex(), index, noise));
  }

  /**
   * The client named {@code clientKey} (null if new) when a handshake or RESUME with {@code timestamp}
   * may make it a pending session: refused as a replay when not newer than its last, or when full.
   */
  private Client admit(ByteBuffer clientKey, long timestamp, String what) throws ControlException {
    Client client = clients.get(clientKey);
    if (client != null && timestamp <= client.lastTimestamp) {
      throw new ControlException(ControlDrop.REPLAYED, what + " timestamp not newer than the last one");
    }
    boolean replacesPending = client != null && client.pending.size() >= MAX_PENDING_PER_CLIENT;
    if (!replacesPending && byIndex.size() >= maxSessions) {
      throw new ControlException(ControlDrop.FULL, "control sessions full (" + maxSessions + ")");
    }
    return client;
  }

  /** Adds {@code session} to the client's pending ones (when they are full, it replaces the oldest). */
  private void pend(ByteBuffer clientKey, Client client, ControlSession session, long timestamp, long nowNanos) {
    if (client == null) {
      client = new Client();
      clients.put(clientKey, client);
    }
    if (client.pending.size() >= MAX_PENDING_PER_CLIENT) {
      drop(client.pending.removeFirst(), "replaced by a newer initiation");
    }
    client.pending.addLast(session);
    client.lastTimestamp = timestamp;
    client.lastInitiationNanos = nowNanos;
    byIndex.put(session.localIndex(), session);
  }

  /** IK message 2's payload: the reset token of {@code index}, and a ticket when we have ticket keys. */
  private byte[] responsePayload(int index, byte[] secret, byte[] clientStatic, byte[] signingKey, long nowMillis) {
    byte[] token = resetTokens.token(index);
    TicketKeys keys = ticketKeys.get();
    if (keys == null || secret == null) {
      return token;
    }
    byte[] ticket = ResumptionTicket.seal(keys,
        new ResumptionTicket.Contents(nowMillis, clientStatic, signingKey, secret), nowMillis, random);
    return ByteBuffer.allocate(token.length + ticket.length).put(token).put(ticket).array();
  }

  /**
   * A RESUME: opens its ticket (one AES-GCM under the ticket key), then its request under the ticket's
   * secret (proof the sender holds it), then admits it like an initiation (a timestamp not newer than
   * the client's last is a replay). Zero public-key operations. Anything that does not open is dropped
   * without an answer: silence makes the client fall back to the full handshake, and tells a prober nothing.
   */
  private Event onResume(ControlMessage.Resume m, byte[] binding, int received, long nowMillis, long nowNanos)
      throws ControlException {
    TicketKeys keys = ticketKeys.get();
    ResumptionTicket.Contents ticket = ResumptionTicket.open(keys, m.ticket(), nowMillis);
    byte[] request;
    try {
      request = Resumption.open(Resumption.requestKey(ticket.secret(), m.clientNonce(), binding), m.head(),
          m.sealedRequest());
    } catch (javax.crypto.AEADBadTagException e) {
      throw new ControlException(ControlDrop.BAD_TICKET, "resume request does not open under its ticket's secret");
    }
    long timestamp = ByteBuffer.wrap(request).getLong();
    if (!Resumption.fresh(timestamp, nowMillis)) {
      throw new ControlException(ControlDrop.TICKET_EXPIRED, "resume timestamp " + (timestamp - nowMillis)
          + " ms from our clock");
    }
    ByteBuffer clientKey = ByteBuffer.wrap(ticket.signingKey());
    Client client = admit(clientKey, timestamp, "resume");
    int index = freshIndex();
    byte[] serverNonce = new byte[Resumption.NONCE_SIZE];
    random.nextBytes(serverNonce);
    Resumption.Keys k = Resumption.sessionKeys(ticket.secret(), m.clientNonce(), serverNonce, m.senderIndex(), index,
        binding);
    byte[] fresh = ResumptionTicket.seal(keys, new ResumptionTicket.Contents(ticket.authenticatedAtMillis(),
        ticket.clientStatic(), ticket.signingKey(), k.nextSecret()), nowMillis, random);
    byte[] head = ControlCodec.resumedHead(m.senderIndex(), index, serverNonce);
    byte[] answer = ByteBuffer.allocate(ControlCodec.RESUMED_PLAIN).put(resetTokens.token(index)).put(fresh).array();
    byte[] resumed = ControlCodec.resumed(head, Resumption.seal(k.answerKey(), head, answer));
    if (resumed.length > received) {
      throw new ControlException(ControlDrop.AMPLIFICATION, resumed.length + " bytes for " + received);
    }
    ControlSession session = new ControlSession(ControlSession.Role.SERVER, index, m.senderIndex(),
        k.sessionKeys(ControlSession.Role.SERVER), ticket.clientStatic(), ticket.signingKey(), nowNanos);
    pend(clientKey, client, session, timestamp, nowNanos);
    return new Event.Resumed(session, resumed);
  }

  private Event onSealed(ControlMessage.Sealed m, byte[] datagram, long nowNanos) throws ControlException {
    ControlSession session = byIndex.get(m.receiverIndex());
    if (session == null) {
      byte[] reset = ControlCodec.reset(m.receiverIndex(), resetTokens.token(m.receiverIndex()));
      if (reset.length > datagram.length) {
        throw new ControlException(ControlDrop.AMPLIFICATION, reset.length + " bytes for " + datagram.length);
      }
      return new Event.Reset(reset, "no control session " + m.receiverIndex());
    }
    boolean wasPending = session.state() == ControlSession.State.PENDING;
    byte[] payload = session.open(datagram, nowNanos);
    boolean confirmed = wasPending && session.state() == ControlSession.State.ESTABLISHED;
    if (confirmed) {
      Client client = clients.get(ByteBuffer.wrap(session.peerSigningKey()));
      if (client.current != null) {
        drop(client.current, "superseded by " + session);
      }
      client.current = session;
      client.pending.remove(session);
      dropPending(client, "another answer of the same handshake attempt was taken");
    }
    return new Event.Message(session, payload, confirmed);
  }

  /** The client's confirmed session (by its Ed25519 key), or null. */
  public ControlSession sessionOf(byte[] clientSigningKey) {
    Client client = clients.get(ByteBuffer.wrap(clientSigningKey));
    return client == null ? null : client.current;
  }

  /** Closes and forgets every session of a client (it left); its replay memory stays until {@link #sweep}. */
  public void close(byte[] clientSigningKey) {
    Client client = clients.get(ByteBuffer.wrap(clientSigningKey));
    if (client != null) {
      drop(client.current, "closed by the server");
      dropPending(client, "closed by the server");
      client.current = null;
    }
  }

  /**
   * Forgets expired sessions, and clients with no session whose last initiation is older than
   * {@link #REPLAY_MEMORY_NANOS}. Call it from a periodic timer; returns the sessions removed.
   */
  public int sweep(long nowNanos) {
    int removed = 0;
    for (Iterator<Client> it = clients.values().iterator(); it.hasNext(); ) {
      Client c = it.next();
      if (c.current != null && !c.current.isUsable(nowNanos)) {
        drop(c.current, "expired");
        c.current = null;
        removed++;
      }
      while (!c.pending.isEmpty() && c.pending.peekFirst().ageNanos(nowNanos) >= ControlTiming.REJECT_AFTER_NANOS) {
        drop(c.pending.removeFirst(), "never confirmed");
        removed++;
      }
      if (c.current == null && c.pending.isEmpty() && nowNanos - c.lastInitiationNanos >= REPLAY_MEMORY_NANOS) {
        it.remove();
      }
    }
    return removed;
  }

  private void dropPending(Client client, String why) {
    while (!client.pending.isEmpty()) {
      drop(client.pending.removeFirst(), why);
    }
  }

  private void drop(ControlSession session, String why) {
    if (session != null) {
      session.close(why);
      byIndex.remove(session.localIndex());
    }
  }

  private int freshIndex() {
    int index;
    do {
      index = random.nextInt();
    } while (byIndex.containsKey(index));
    return index;
  }
}
