package io.p2pchat.control;

import io.p2pchat.common.NodeLog;
import io.p2pchat.crypto.AddressCookie;
import io.p2pchat.crypto.CipherSuite;
import io.p2pchat.crypto.ResponderCache;
import io.netty.util.collection.IntObjectHashMap;
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
  /** A client's last initiation is kept in ticks of 2^30 ns (~1.07 s): coarse, as the 240 s it is compared with allows. */
  private static final int TICK_SHIFT = 30;
  /**
   * {@link #REPLAY_MEMORY_NANOS} in ticks, rounded up and one more for the truncation of both instants: a client is
   * forgotten at most ~2 s later than 240 s, never earlier (forgetting later is safe; earlier is what must not be).
   */
  private static final int REPLAY_MEMORY_TICKS = (int) ((REPLAY_MEMORY_NANOS >> TICK_SHIFT) + 2);

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

    /**
     * Only from {@link #receive}: an initiation whose cookie verified. Run {@code work} on any thread (it is
     * the handshake's public-key work), then hand it to {@link #complete} on the owner's thread; or drop it.
     */
    record Deferred(ResponderWork work) implements Event {
    }
  }

  private static final class Client {
    /** Its identity key: every session of the client shares this one array ({@link ClientKey#shared}). */
    final ClientKey key;
    ControlSession current;
    /**
     * Oldest first, at most {@link #MAX_PENDING_PER_CLIENT}; null while there is none, as for almost every
     * client almost always (an empty deque is ~50 bytes a registration).
     */
    private java.util.ArrayDeque<ControlSession> pending;
    long lastTimestamp = Long.MIN_VALUE;
    /**
     * When its last initiation was accepted, in {@link #TICK_SHIFT} ticks of {@code System.nanoTime()} (~1.07 s),
     * wrapped to an int: compared by wrapping subtraction, exact for any nanoTime origin while the two instants are
     * less than 2^31 ticks (68 years) apart. An int, not a long: with it the entry is 40 bytes, not 48, one per client.
     */
    int lastInitiationTick;
    /** The owner's per-client value ({@link #attach}): a rendezvous keeps the client's address here, not in a map of its own. */
    Object attachment;

    Client(ClientKey key) {
      this.key = key;
    }

    int pendingCount() {
      return pending == null ? 0 : pending.size();
    }

    void addPending(ControlSession session) {
      if (pending == null) {
        pending = new java.util.ArrayDeque<>(MAX_PENDING_PER_CLIENT);
      }
      pending.addLast(session);
    }

    /** The oldest pending session, or null. */
    ControlSession oldestPending() {
      return pending == null ? null : pending.peekFirst();
    }

    /** Removes and returns the oldest pending session (there is one). */
    ControlSession removeOldestPending() {
      ControlSession oldest = pending.removeFirst();
      if (pending.isEmpty()) {
        pending = null;
      }
      return oldest;
    }

    void removePending(ControlSession session) {
      if (pending != null && pending.remove(session) && pending.isEmpty()) {
        pending = null;
      }
    }
  }

  private final RendezvousIdentity identity;
  private final AddressCookie cookies;
  private final ResetTokens resetTokens;
  private final CipherSuite suite;
  private final SecureRandom random;
  private final int maxSessions;
  /** ss and verified bindings of clients seen before: a re-handshake skips them (thread-safe: workers use it). */
  private final ResponderCache cache;
  /** A primitive map (Netty's): no boxed Integer and no node per session. */
  private final IntObjectHashMap<ControlSession> byIndex = new IntObjectHashMap<>();
  private final Map<ClientKey, Client> clients = new HashMap<>();
  /** The ticket keys of now (they rotate, and a cluster shares them); null: no tickets issued, RESUMEs dropped. */
  private Supplier<TicketKeys> ticketKeys = () -> null;
  /** Where its sessions' lines go: unstamped until {@link #logTo} names the rendezvous's logger. */
  private NodeLog log = NodeLog.unstamped(ControlSession.class);

  /** A server with {@link #DEFAULT_MAX_SESSIONS}. */
  public ControlServer(RendezvousIdentity identity, AddressCookie cookies, CipherSuite suite, SecureRandom random) {
    this(identity, cookies, suite, random, DEFAULT_MAX_SESSIONS);
  }

  /** A server keeping at most {@code maxSessions} sessions. */
  public ControlServer(RendezvousIdentity identity, AddressCookie cookies, CipherSuite suite, SecureRandom random,
      int maxSessions) {
    this(identity, cookies, suite, random, maxSessions, new ResponderCache());
  }

  /** A server keeping at most {@code maxSessions} sessions, remembering clients' static keys in {@code cache}. */
  public ControlServer(RendezvousIdentity identity, AddressCookie cookies, CipherSuite suite, SecureRandom random,
      int maxSessions, ResponderCache cache) {
    if (maxSessions < 1) {
      throw new IllegalArgumentException("maxSessions must be at least 1");
    }
    this.identity = identity;
    this.cookies = cookies;
    this.resetTokens = new ResetTokens(identity);
    this.suite = suite;
    this.random = random;
    this.maxSessions = maxSessions;
    this.cache = cache;
  }

  /**
   * Issues {@link ResumptionTicket}s under {@code keys} (asked at every handshake and RESUME: the
   * caller rotates them, and shares them through its cluster) and resumes sessions from them.
   */
  public void useTicketKeys(Supplier<TicketKeys> keys) {
    this.ticketKeys = keys;
  }

  /** Logs its sessions' lines to {@code log}: the rendezvous's, so each line carries its name. */
  public void logTo(NodeLog log) {
    this.log = java.util.Objects.requireNonNull(log, "log");
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
    Event event = receive(datagram, src, binding, nowMillis, nowNanos);
    return event instanceof Event.Deferred d ? complete(d.work().run(), nowNanos) : event;
  }

  /**
   * {@link #onDatagram}, except that an initiation whose cookie verified comes back as {@link Event.Deferred}:
   * the caller runs its public-key work where it likes (a worker thread) and calls {@link #complete} with it
   * here on the owner's thread. Everything else is answered or refused at once, as by onDatagram.
   */
  public Event receive(byte[] datagram, InetSocketAddress src, byte[] binding, long nowMillis, long nowNanos) {
    try {
      ControlMessage m = ControlCodec.decode(datagram);
      return switch (m.type()) {
        case HELLO -> cookieReply(((ControlMessage.Hello) m).nonce(), src, datagram.length, nowMillis);
        case INITIATION -> onInitiation((ControlMessage.Initiation) m, src, binding, datagram.length, nowMillis);
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
      long nowMillis) throws ControlException {
    if (!cookies.verify(m.cookie(), src, nowMillis)) {
      return cookieReply(m.nonce(), src, received, nowMillis); // stale, missing or another address's cookie
    }
    // The index is drawn now, on the owner's thread; complete() refuses the rare one taken meanwhile.
    int index = freshIndex();
    // The ticket keys of now go with the work (they are immutable): message 2 carries the first ticket.
    return new Event.Deferred(new ResponderWork(identity.nodeIdentity(), ChannelBinding.prologue(binding), suite,
        cache, m, index, resetTokens.token(index), new ResponderWork.Tickets(ticketKeys.get(), random, nowMillis)));
  }

  /**
   * Applies a {@link Event.Deferred}'s work that ran: refuses a failed handshake, a replayed message 1 (its
   * timestamp not newer than the client's last), a full server or an index taken meanwhile; else the session
   * is the client's pending one and the response goes to the source. On the owner's thread.
   */
  public Event complete(ResponderWork work, long nowNanos) {
    if (work.drop() != null) {
      return new Event.Dropped(work.drop(), work.why());
    }
    InitiationPayload payload = work.payload();
    ClientKey clientKey = ClientKey.of(payload.signingKey());
    Client client;
    try {
      client = admit(clientKey, payload.timestampMillis(), "initiation");
    } catch (ControlException e) {
      return discarded(work.keys(), e.drop(), e.getMessage());
    }
    int index = work.index();
    if (byIndex.containsKey(index)) {
      return discarded(work.keys(), ControlDrop.FULL, "session index " + index + " taken while the handshake ran");
    }
    client = entry(clientKey, client);
    ControlSession session = new ControlSession(ControlSession.Role.SERVER, index, work.senderIndex(), work.keys(),
        work.clientStatic(), client.key, nowNanos, log);
    pend(client, session, payload.timestampMillis(), nowNanos);
    return new Event.Accepted(session, ControlCodec.response(work.senderIndex(), index, work.response()));
  }

  /** Refuses a handshake that ran to its keys: they are wiped, no session will hold them. */
  private static Event discarded(io.p2pchat.crypto.SessionKeys keys, ControlDrop drop, String why) {
    keys.send().destroy();
    keys.receive().destroy();
    return new Event.Dropped(drop, why);
  }

  /**
   * The client named {@code clientKey} (null if new) when a handshake or RESUME with {@code timestamp}
   * may make it a pending session: refused as a replay when not newer than its last, or when full.
   */
  private Client admit(ClientKey clientKey, long timestamp, String what) throws ControlException {
    Client client = clients.get(clientKey);
    if (client != null && timestamp <= client.lastTimestamp) {
      throw new ControlException(ControlDrop.REPLAYED, what + " timestamp not newer than the last one");
    }
    boolean replacesPending = client != null && client.pendingCount() >= MAX_PENDING_PER_CLIENT;
    if (!replacesPending && byIndex.size() >= maxSessions) {
      throw new ControlException(ControlDrop.FULL, "control sessions full (" + maxSessions + ")");
    }
    return client;
  }

  /** The server's entry of {@code clientKey}: {@code client}, or a new one (once a session is sure to be made). */
  private Client entry(ClientKey clientKey, Client client) {
    if (client == null) {
      client = new Client(clientKey); // the payload's own array: one copy of the key per client
      clients.put(clientKey, client);
    }
    return client;
  }

  /** Adds {@code session} to the client's pending ones (when they are full, it replaces the oldest). */
  private void pend(Client client, ControlSession session, long timestamp, long nowNanos) {
    if (client.pendingCount() >= MAX_PENDING_PER_CLIENT) {
      drop(client.removeOldestPending(), "replaced by a newer initiation");
    }
    client.addPending(session);
    client.lastTimestamp = timestamp;
    client.lastInitiationTick = tick(nowNanos);
    byIndex.put(session.localIndex(), session);
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
    ClientKey clientKey = ClientKey.of(ticket.signingKey());
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
    client = entry(clientKey, client);
    ControlSession session = new ControlSession(ControlSession.Role.SERVER, index, m.senderIndex(),
        k.sessionKeys(ControlSession.Role.SERVER), ticket.clientStatic(), client.key, nowNanos, log);
    pend(client, session, timestamp, nowNanos);
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
      Client client = clients.get(session.peerKey());
      if (client.current != null) {
        drop(client.current, "superseded by " + session);
      }
      client.current = session;
      client.removePending(session);
      dropPending(client, "another answer of the same handshake attempt was taken");
    }
    return new Event.Message(session, payload, confirmed);
  }

  /** The client's confirmed session (by its Ed25519 key), or null. */
  public ControlSession sessionOf(byte[] clientSigningKey) {
    Client client = clients.get(ClientKey.of(clientSigningKey));
    return client == null ? null : client.current;
  }

  /**
   * Attaches {@code value} (null: none) to the client holding {@code key}, as long as the server keeps that
   * client (its sessions, then its replay memory: {@link #sweep}); returns the value attached before. A client
   * the server does not know gets nothing (null returned). The owner's per-client state rides on the entry the
   * server keeps anyway, instead of in a second map keyed by the same key (~40 bytes a client on a rendezvous).
   */
  public Object attach(ClientKey key, Object value) {
    Client client = clients.get(key);
    if (client == null) {
      return null;
    }
    Object before = client.attachment;
    client.attachment = value;
    return before;
  }

  /** What is {@link #attach attached} to the client holding {@code key}, or null. */
  public Object attachment(ClientKey key) {
    Client client = clients.get(key);
    return client == null ? null : client.attachment;
  }

  /** Closes and forgets every session of a client (it left); its replay memory stays until {@link #sweep}. */
  public void close(byte[] clientSigningKey) {
    Client client = clients.get(ClientKey.of(clientSigningKey));
    if (client != null) {
      closeSessions(client, "closed by the server");
    }
  }

  /** Closes every session of every client, wiping their keys (the server stops); replay memories stay. */
  public void closeAll(String why) {
    for (Client client : clients.values()) {
      closeSessions(client, why);
    }
  }

  private void closeSessions(Client client, String why) {
    drop(client.current, why);
    dropPending(client, why);
    client.current = null;
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
      while (c.oldestPending() != null && c.oldestPending().ageNanos(nowNanos) >= ControlTiming.REJECT_AFTER_NANOS) {
        drop(c.removeOldestPending(), "never confirmed");
        removed++;
      }
      if (c.current == null && c.pendingCount() == 0 && tick(nowNanos) - c.lastInitiationTick >= REPLAY_MEMORY_TICKS) {
        it.remove();
      }
    }
    return removed;
  }

  /** {@code nanos} in ticks of 2^{@link #TICK_SHIFT} ns, wrapped to an int (see {@link Client#lastInitiationTick}). */
  private static int tick(long nanos) {
    return (int) (nanos >> TICK_SHIFT);
  }

  private void dropPending(Client client, String why) {
    while (client.pendingCount() > 0) {
      drop(client.removeOldestPending(), why);
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
