package io.p2pchat.control;

import io.p2pchat.crypto.AddressCookie;
import io.p2pchat.crypto.CipherSuite;
import io.p2pchat.crypto.HandshakeException;
import io.p2pchat.crypto.NoiseHandshake;
import io.netty.util.collection.IntObjectHashMap;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

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
 * prove): the confirmed session, at most one pending one (a newer initiation replaces it), and the
 * timestamp of its last accepted initiation (a replayed message 1 is refused). A pending session becomes
 * the client's session with its first authenticated message; the older one is closed then, not before.
 * Not thread-safe: the socket owner calls it from its event loop.
 */
public final class ControlServer {
  /** RFC 9000 section 8.1: at most 3 bytes out per byte in to a source whose address is not validated. */
  public static final int AMPLIFICATION_LIMIT = 3;
  /** Sessions kept at most (pending and confirmed): bounds memory like the rendezvous's maxClients. */
  public static final int DEFAULT_MAX_SESSIONS = 200_000;
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
    /** Its identity key: every session of the client shares this one array ({@link ClientKey#shared}). */
    final ClientKey key;
    ControlSession current;
    ControlSession pending;
    long lastTimestamp = Long.MIN_VALUE;
    long lastInitiationNanos;
    /** The owner's per-client value ({@link #attach}): a rendezvous keeps the client's address here, not in a map of its own. */
    Object attachment;

    Client(ClientKey key) {
      this.key = key;
    }
  }

  private final RendezvousIdentity identity;
  private final AddressCookie cookies;
  private final ResetTokens resetTokens;
  private final CipherSuite suite;
  private final SecureRandom random;
  private final int maxSessions;
  /** A primitive map (Netty's): no boxed Integer and no node per session. */
  private final IntObjectHashMap<ControlSession> byIndex = new IntObjectHashMap<>();
  private final Map<ClientKey, Client> clients = new HashMap<>();

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
        case COOKIE, RESPONSE, RESET -> throw new ControlException(ControlDrop.UNKNOWN_TYPE, "a server takes no " + m.type());
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
    ClientKey clientKey = ClientKey.of(payload.signingKey());
    Client client = clients.get(clientKey);
    if (client != null && payload.timestampMillis() <= client.lastTimestamp) {
      throw new ControlException(ControlDrop.REPLAYED, "initiation timestamp not newer than the last one");
    }
    boolean replacesPending = client != null && client.pending != null;
    if (!replacesPending && byIndex.size() >= maxSessions) {
      throw new ControlException(ControlDrop.FULL, "control sessions full (" + maxSessions + ")");
    }
    int index = freshIndex();
    byte[] noise;
    try {
      // The response's payload is the session's reset token: only the client learns it, authenticated.
      noise = hs.writeMessage(resetTokens.token(index));
    } catch (HandshakeException e) {
      throw new ControlException(ControlDrop.UNAUTHENTICATED, "initiation: " + e.getMessage());
    }
    if (client == null) {
      client = new Client(clientKey); // the payload's own array: one copy of the key per client
      clients.put(clientKey, client);
    }
    ControlSession session = new ControlSession(ControlSession.Role.SERVER, index, m.senderIndex(), hs.split(),
        clientStatic, client.key, nowNanos);
    if (replacesPending) {
      drop(client.pending, "replaced by a newer initiation");
    }
    client.pending = session;
    client.lastTimestamp = payload.timestampMillis();
    client.lastInitiationNanos = nowNanos;
    byIndex.put(index, session);
    return new Event.Accepted(session, ControlCodec.response(m.senderIndex(), index, noise));
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
      client.pending = null;
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
      drop(client.current, "closed by the server");
      drop(client.pending, "closed by the server");
      client.current = null;
      client.pending = null;
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
      if (c.pending != null && c.pending.ageNanos(nowNanos) >= ControlTiming.REJECT_AFTER_NANOS) {
        drop(c.pending, "never confirmed");
        c.pending = null;
        removed++;
      }
      if (c.current == null && c.pending == null && nowNanos - c.lastInitiationNanos >= REPLAY_MEMORY_NANOS) {
        it.remove();
      }
    }
    return removed;
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
