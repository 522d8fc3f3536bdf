package io.p2pchat.control;

import io.p2pchat.common.NodeLog;
import io.p2pchat.crypto.CipherSuite;
import io.p2pchat.crypto.CompactReplayWindow;
import io.p2pchat.crypto.CompactSessionCipher;
import io.p2pchat.crypto.NodeIdentity;
import io.p2pchat.crypto.SessionKeys;
import io.p2pchat.wire.Endpoint;
import java.util.HexFormat;
import javax.crypto.AEADBadTagException;

/**
 * One end of an established control channel: seals the control messages it sends and opens the ones
 * it receives (byte payloads: what they mean, JSON today, is the caller's business). The same discipline
 * as peer DATA: nonce = an explicit 64-bit counter in the cleartext header, the 16-byte header as
 * associated data, a replay window after authentication (smaller than DATA's
 * {@link io.p2pchat.crypto.ReplayWindow}, held in the session's fields: see {@link #REPLAY_WINDOW}), and a fresh
 * handshake every {@link ControlTiming#REHANDSHAKE_AFTER_NANOS} driven by the client. Unlike DATA, one key per
 * direction for the session's life, kept in the session's own fields ({@link CompactSessionCipher}): a session
 * is replaced long before its {@link CompactSessionCipher#MAX_COUNTERS} counters could run out. One per client on the server, one on the client; pure: time is passed in, no socket.
 *
 * <pre>
 *                first authenticated message (server side)
 *   PENDING ──────────────────────────────────────────────▶ ESTABLISHED        (a client starts ESTABLISHED)
 *      │                                                        │ older than REJECT_AFTER
 *      │ replaced by a newer handshake, closed, expired         ▼
 *      └──────────────────────────────────────▶ CLOSED ◀──── EXPIRED
 * </pre>
 * Entering EXPIRED or CLOSED wipes both directions' keys.
 * A server session stays PENDING until the client has shown it holds the keys (its first sealed message
 * opened, as WireGuard's responder waits for the first data packet): until then the server seals
 * nothing in it and keeps using the client's previous session, so a replayed or lost handshake never
 * cuts a working one. A datagram that does not open leaves the session exactly as it was. Not
 * thread-safe: its owner calls it from one thread.
 */
public final class ControlSession extends CompactSessionCipher {
  /** Its owner's logger (the node's or the rendezvous's, stamped with its name). */
  private final NodeLog log;

  /**
   * Counters of the replay window: the highest accepted one and the 127 below it are each accepted once.
   * Control is low-rate: a client has a few requests and acks in flight, at most one mailbox envelope's
   * 98 parts in a burst, so a whole burst reordered still fits; DATA's 2048-packet window is sized for a
   * fast path's reordering, which a control burst never reaches. A message reordered behind more than
   * 127 later ones is dropped as too old, like a lost one, and sent again (with a new counter) by the
   * client's retransmission. The window is the one algorithm of {@link io.p2pchat.crypto.ReplayWindow}, held
   * in this session's own fields ({@link CompactReplayWindow}: 24 bytes), not a {@code ReplayWindow} and its
   * array (80 bytes): a rendezvous holds a session per client.
   */
  static final int REPLAY_WINDOW = CompactReplayWindow.WINDOW;

  /** Which side this end is. */
  public enum Role { CLIENT, SERVER }

  /** The session's life; changed only by {@link #transition}. */
  public enum State { PENDING, ESTABLISHED, EXPIRED, CLOSED }

  private static final State[] STATES = State.values();

  /**
   * Client side: the server's X25519 static key and the handshake hash. Not kept on the server side: the
   * handshake proved the client's static key and bound it to its identity once; a re-key is a new handshake
   * and a resumption carries its own ticket, so keeping them would cost a rendezvous ~100 bytes per client.
   */
  private record ClientSide(byte[] peerStaticKey, byte[] handshakeHash) {
  }

  private final int localIndex;
  private final int remoteIndex;
  /** Null on the server side (see {@link ClientSide}): one reference, not two, of each server session. */
  private final ClientSide clientSide;
  /** Server side: the client's Ed25519 identity key, as a map key around the client's one array; null on a client. */
  private final ClientKey peerKey;
  private final long createdNanos;
  /** {@link State}'s ordinal: a byte, packed with the suite's among the fields (a server holds one per client). */
  private byte state;
  /** Where the server sent this session's RESPONSE or RESUMED (see {@link #answeredTo(Endpoint)}); null on a client. */
  private Endpoint answeredTo;

  /**
   * @param peer server side: the client's identity key, shared with (not copied from) whoever holds it
   *             already (the server's entry of a client seen before); null on the client side
   * @param log  its owner's logger
   */
  ControlSession(Role role, int localIndex, int remoteIndex, SessionKeys keys, byte[] peerStaticKey,
      ClientKey peer, long createdNanos, NodeLog log) {
    super(keys);
    this.log = log;
    if ((role == Role.SERVER) != (peer != null)) {
      throw new IllegalArgumentException("a server session names its client's key, a client session none");
    }
    this.localIndex = localIndex;
    this.remoteIndex = remoteIndex;
    boolean client = role == Role.CLIENT;
    this.clientSide = client ? new ClientSide(peerStaticKey.clone(), keys.handshakeHash()) : null;
    this.peerKey = peer;
    this.createdNanos = createdNanos;
    this.state = (byte) (client ? State.ESTABLISHED : State.PENDING).ordinal();
  }

  /** Which side this end is. */
  public Role role() {
    return peerKey == null ? Role.CLIENT : Role.SERVER; // not a field: 8 bytes a session on a rendezvous
  }

  /** The session's state now (call {@link #isUsable} to also apply the age limit). */
  public State state() {
    return STATES[state];
  }

  /** This end's index: the receiver index of what the other end sends. */
  public int localIndex() {
    return localIndex;
  }

  /** The other end's index: the receiver index of what this end seals. */
  public int remoteIndex() {
    return remoteIndex;
  }

  /** Client side: the server's X25519 static key, proven by the handshake. Null on the server side (not kept). */
  public byte[] peerStaticKey() {
    return clientSide == null ? null : clientSide.peerStaticKey().clone();
  }

  /**
   * Server side: the client's Ed25519 identity key, bound to its proven static key by its signature
   * (compare it with the {@code key} of its {@code register}). Null on the client side.
   */
  public byte[] peerSigningKey() {
    return peerKey == null ? null : peerKey.bytes();
  }

  /**
   * Server side: {@link #peerSigningKey()} as a map key, without a copy of its bytes (a rendezvous keys
   * its per-client maps by it, one array for all of them). Null on the client side.
   */
  public ClientKey peerKey() {
    return peerKey;
  }

  /** Client side: the Noise handshake hash, a unique channel-binding value of this session. Null on the server side. */
  public byte[] handshakeHash() {
    return clientSide == null ? null : clientSide.handshakeHash().clone();
  }

  /**
   * True when this session may seal now: ESTABLISHED, younger than {@link ControlTiming#REJECT_AFTER_NANOS}, and
   * with counters left ({@link CompactSessionCipher#MAX_COUNTERS}).
   */
  public boolean isUsable(long nowNanos) {
    expireIfOld(nowNanos);
    return state() == State.ESTABLISHED && !sendExhausted();
  }

  /**
   * Client side: true once the session is old enough that a new handshake should start, or has used half its
   * counters (never at a control channel's rate before its age: a guard, so that it is replaced in time).
   */
  public boolean needsRehandshake(long nowNanos) {
    return nowNanos - createdNanos >= ControlTiming.REHANDSHAKE_AFTER_NANOS || sendCounter() >= MAX_COUNTERS / 2;
  }

  /**
   * Seals {@code message} (at most {@link ControlCodec#MAX_PLAINTEXT} bytes) into a SEALED datagram.
   *
   * @throws IllegalStateException when the session is not usable (check {@link #isUsable} first)
   */
  public byte[] seal(byte[] message, long nowNanos) {
    if (!isUsable(nowNanos)) {
      throw new IllegalStateException("control session " + this + " cannot seal in state " + state()
        + (sendExhausted() ? " (its counters are used up)" : ""));
    }
    byte[] datagram = ControlCodec.sealedFrame(remoteIndex, sendCounter(), message.length);
    encryptNext(datagram, 0, ControlCodec.SEALED_HEADER_SIZE, message, 0, message.length, datagram,
        ControlCodec.SEALED_HEADER_SIZE);
    return datagram;
  }

  /**
   * Opens a SEALED datagram addressed to this session and returns the control message. A server session
   * becomes ESTABLISHED with its first message. Anything that does not authenticate, or was seen before,
   * throws {@link ControlException} with its reason and changes nothing.
   */
  public byte[] open(byte[] datagram, long nowNanos) throws ControlException {
    ControlMessage m = ControlCodec.decode(datagram);
    if (!(m instanceof ControlMessage.Sealed sealed)) {
      throw new ControlException(ControlDrop.UNKNOWN_TYPE, "not a sealed control message: " + m.type());
    }
    if (sealed.receiverIndex() != localIndex || state() == State.CLOSED) {
      throw new ControlException(ControlDrop.UNKNOWN_SESSION, "sealed message for index " + sealed.receiverIndex());
    }
    expireIfOld(nowNanos);
    if (state() == State.EXPIRED) {
      throw new ControlException(ControlDrop.EXPIRED, "control session " + this + " expired");
    }
    long counter = sealed.counter();
    if (counter < 0) {
      // u64 counters at or above 2^63 are never sent (a sender would need 2^63 messages): a forgery.
      throw new ControlException(ControlDrop.UNAUTHENTICATED, "counter above 2^63");
    }
    if (!replayFresh(counter)) {
      throw new ControlException(ControlDrop.REPLAYED, "counter " + counter + " already seen or too old");
    }
    int header = ControlCodec.SEALED_HEADER_SIZE;
    byte[] plain = new byte[datagram.length - header - CipherSuite.TAG_LENGTH];
    try {
      decrypt(counter, datagram, 0, header, datagram, header, datagram.length - header, plain, 0);
    } catch (AEADBadTagException e) {
      throw new ControlException(ControlDrop.UNAUTHENTICATED, "sealed message failed authentication: " + e.getMessage());
    }
    replayAccept(counter); // checked above, and nothing ran in between
    if (state() == State.PENDING) {
      transition(State.ESTABLISHED, "the client's first sealed message authenticated");
    }
    return plain;
  }

  /** Closes the session: it seals and opens nothing more (replaced by a newer one, or the client left). */
  public void close(String why) {
    if (state() != State.CLOSED) {
      transition(State.CLOSED, why);
    }
  }

  private void expireIfOld(long nowNanos) {
    State now = state();
    if ((now == State.ESTABLISHED || now == State.PENDING)
        && nowNanos - createdNanos >= ControlTiming.REJECT_AFTER_NANOS) {
      transition(State.EXPIRED, "older than " + ControlTiming.REJECT_AFTER_NANOS / 1_000_000_000L + " s");
    }
  }

  /** The one place the state changes: checks the move is allowed and logs it. */
  private void transition(State to, String why) {
    State from = state();
    boolean allowed = switch (from) {
      case PENDING -> to == State.ESTABLISHED || to == State.EXPIRED || to == State.CLOSED;
      case ESTABLISHED -> to == State.EXPIRED || to == State.CLOSED;
      case EXPIRED -> to == State.CLOSED;
      case CLOSED -> false;
    };
    if (!allowed) {
      throw new IllegalStateException("BUG: control session " + this + " " + from + " -> " + to);
    }
    log.debug("control session {}: {} -> {} ({})", this, from, to, why);
    state = (byte) to.ordinal();
    if (to == State.EXPIRED || to == State.CLOSED) {
      // Neither state seals or opens again: the keys are wiped now, not whenever the session is collected.
      destroyKeys();
    }
  }

  /**
   * The server notes the address its RESPONSE or RESUMED went to. Only a party that received that datagram
   * can derive this session's keys (the responder's ephemeral key, the RESUMED's server nonce), so a
   * message that opens in this session from that very address proves its sender holds the identity key
   * and receives at the address, as an address cookie's echo would (docs/PROTOCOL.md, "Registering
   * without a challenge").
   */
  public void answeredTo(Endpoint address) {
    this.answeredTo = address;
  }

  /** The address noted by {@link #answeredTo(Endpoint)}, or null. */
  public Endpoint answeredTo() {
    return answeredTo;
  }

  /** True once both directions' keys are wiped (the session expired or closed). */
  boolean keysDestroyed() {
    return keysWiped();
  }

  /** Age of the session in nanoseconds at {@code nowNanos}. */
  long ageNanos(long nowNanos) {
    return nowNanos - createdNanos;
  }

  @Override
  public String toString() {
    String peer = peerKey != null ? peerKey.keyId()
        : HexFormat.of().formatHex(clientSide.peerStaticKey(), 0, NodeIdentity.KEY_ID_BYTES);
    return role().name().toLowerCase() + "#" + Integer.toHexString(localIndex) + "[" + peer + "]";
  }
}
