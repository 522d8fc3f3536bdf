package io.p2pchat.crypto;

import javax.crypto.AEADBadTagException;
import java.util.Arrays;

/**
 * The end-to-end security of one peer session: the Noise XX handshake (initiator or responder),
 * the established transport keys and the replay window. Pure and single-threaded: the session
 * owner moves handshake messages and packets in and out; nothing here touches a socket or a timer.
 *
 * <p>An established session keeps its keys while a new handshake runs (a peer that lost its state
 * starts over with message 1), and switches only when the new one completes, so a replayed message
 * 1 from an attacker cannot cut a working session.
 *
 * <p>The send counter and the rekey schedule belong to the keys: every completed handshake starts
 * them afresh (counter 0, epoch 0, {@link #REKEY_INTERVAL_NANOS} from that moment), so a session of
 * any age survives a re-handshake. A counter carried over from the old keys would be epochs ahead of
 * the fresh cipher, which refuses more than {@link TransportCipher#MAX_EPOCH_ADVANCE}: after about
 * 18 minutes of two-minute rekeys every send would throw.
 *
 * <pre>
 * initiator:  IDLE ─start()→ m1 ─m2→ (verify peer, send m3) ESTABLISHED ─first authenticated packet→ confirmed
 * responder:  IDLE ─m1→ m2 ─m3→ (verify peer) ESTABLISHED
 * </pre>
 */
public final class SecureChannel {

  /** What the handshake learned about the peer, for trust-on-first-use. */
  public interface PeerCheck {
    /** True when {@code payload}'s key may be trusted for {@code payload.nick()}; false refuses the session. */
    boolean trust(HandshakePayload payload);
  }

  /** A handshake message to send (its number 1, 2 or 3, and the Noise bytes). */
  public record Outgoing(int number, byte[] bytes) {
  }

  /**
   * Keys move to the next epoch (Noise Rekey) at least this often, besides every 2^20 packets: a key
   * stolen from memory then opens at most two minutes of one conversation.
   */
  public static final long REKEY_INTERVAL_NANOS = 120_000_000_000L;

  private final NodeIdentity identity;
  private final String nick;
  private final String expectedPeer;
  private final byte[] prologue;
  private final CipherSuite suite;
  private final boolean initiator;
  private final PeerCheck check;

  private NoiseHandshake handshake;
  private byte[] lastReceivedM1;
  private Outgoing lastSent;
  private SessionKeys keys;
  private ReplayWindow replay;
  private HandshakePayload peer;
  private boolean confirmed;
  /** The counter of the last DATA packet sealed under the current keys (the first one is 1). */
  private long sendCounter;
  /** When the current send epoch began: the establishment of the keys, or the last early rekey. */
  private long sendEpochStartedAt;

  /**
   * @param expectedPeer the nick the rendezvous introduced: a payload naming another nick is refused
   * @param initiator which side sends message 1 (both sides must agree, e.g. by comparing nicks)
   */
  public SecureChannel(NodeIdentity identity, String nick, String expectedPeer, byte[] prologue, CipherSuite suite,
                       boolean initiator, PeerCheck check) {
    this.identity = identity;
    this.nick = nick;
    this.expectedPeer = expectedPeer;
    this.prologue = prologue.clone();
    this.suite = suite;
    this.initiator = initiator;
    this.check = check;
  }

  public boolean isInitiator() {
    return initiator;
  }

  /** Transport keys exist: DATA can be sealed and opened. */
  public boolean isEstablished() {
    return keys != null;
  }

  /** The peer has proved it holds the keys too (responder: always; initiator: after its first packet). */
  public boolean isConfirmed() {
    return keys != null && (confirmed || !initiator);
  }

  /** The authenticated peer (after message 2 or 3), or null. */
  public HandshakePayload peer() {
    return peer;
  }

  /** Initiator: message 1 of a new handshake. */
  public Outgoing start() throws HandshakeException {
    if (!initiator) {
      throw new IllegalStateException("BUG: the responder does not start a handshake");
    }
    handshake = NoiseHandshake.initiator(identity, prologue, suite);
    confirmed = false;
    lastSent = new Outgoing(1, handshake.writeMessage(new byte[0]));
    return lastSent;
  }

  /** The handshake message to send again when its answer is overdue, or null when none is awaited. */
  public Outgoing retransmission() {
    if (initiator && (handshake != null || (keys != null && !confirmed))) {
      return lastSent;
    }
    return null;
  }

  /**
   * A handshake message from the peer. Returns the message to answer with, or null.
   *
   * @param nowNanos the time (any monotonic origin): when it completes the handshake, the new keys'
   *                 rekey schedule starts here
   * @throws HandshakeException when it does not authenticate, or the peer is not trusted
   */
  public Outgoing onHandshake(int number, byte[] bytes, long nowNanos) throws HandshakeException {
    if (!initiator && number == 1) {
      if (lastReceivedM1 != null && Arrays.equals(lastReceivedM1, bytes) && lastSent != null) {
        return lastSent; // our message 2 was lost: the same answer again
      }
      NoiseHandshake next = NoiseHandshake.responder(identity, prologue, suite);
      next.readMessage(bytes);
      lastSent = new Outgoing(2, next.writeMessage(HandshakePayload.of(identity, nick).encode()));
      handshake = next;
      lastReceivedM1 = bytes.clone();
      return lastSent;
    }
    if (initiator && number == 2 && handshake != null && handshake.isMyTurn() == false) {
      HandshakePayload payload = HandshakePayload.decode(handshake.readMessage(bytes));
      accept(payload);
      lastSent = new Outgoing(3, handshake.writeMessage(HandshakePayload.of(identity, nick).encode()));
      establish(nowNanos);
      return null;
    }
    if (!initiator && number == 3 && handshake != null) {
      HandshakePayload payload = HandshakePayload.decode(handshake.readMessage(bytes));
      accept(payload);
      establish(nowNanos);
      return null;
    }
    // A duplicate or out-of-turn message: nothing to do.
    return null;
  }

  /**
   * Moves the send side to the next key epoch when the current one is older than
   * {@link #REKEY_INTERVAL_NANOS}; the peer follows when the first packet of it authenticates.
   * Call before sealing a burst of packets.
   */
  public void rekeyIfDue(long nowNanos) {
    if (keys != null && nowNanos - sendEpochStartedAt > REKEY_INTERVAL_NANOS) {
      sendCounter = TransportCipher.nextEpochStart(sendCounter) - 1;
      sendEpochStartedAt = nowNanos;
    }
  }

  /**
   * The counter for the next DATA packet under the current keys (it goes in the header, which
   * {@link #seal} authenticates): 1 for the first packet after a handshake, then one more each time.
   */
  public long nextSendCounter() {
    if (keys == null) {
      throw new IllegalStateException("BUG: no session keys to send with");
    }
    return ++sendCounter;
  }

  /**
   * Encrypts a DATA body {@code plain[off, off + len)} into {@code packet} right after its header
   * {@code packet[0, headerLen)}, which is authenticated as associated data. Returns the sealed length.
   * {@code counter} is the one {@link #nextSendCounter()} gave for this packet.
   */
  public int seal(long counter, byte[] packet, int headerLen, byte[] plain, int off, int len) {
    return keys.send().encrypt(counter, packet, 0, headerLen, plain, off, len, packet, headerLen);
  }

  /**
   * Decrypts and authenticates the DATA packet {@code packet[off, off + len)}: its first
   * {@code headerLen} bytes are the header (associated data), the rest the sealed body. Then checks
   * the replay window.
   *
   * @return the plaintext length, or -1 for a replayed counter
   * @throws AEADBadTagException for anything that does not authenticate
   */
  public int open(long counter, byte[] packet, int off, int headerLen, int len, byte[] out) throws AEADBadTagException {
    if (keys == null) {
      throw new AEADBadTagException("no session keys yet");
    }
    if (!replay.check(counter)) {
      return -1;
    }
    int n = keys.receive().decrypt(counter, packet, off, headerLen, packet, off + headerLen, len - headerLen, out, 0);
    if (!replay.accept(counter)) {
      return -1;
    }
    confirmed = true;
    return n;
  }

  private void accept(HandshakePayload payload) throws HandshakeException {
    if (!payload.verify(handshake.remoteStaticKey())) {
      throw new HandshakeException("the peer's static key is not bound to its identity key");
    }
    if (!payload.nick().equals(expectedPeer)) {
      throw new HandshakeException("the peer says it is " + payload.nick() + ", not " + expectedPeer);
    }
    if (!check.trust(payload)) {
      throw new HandshakeException("the key of " + payload.nick() + " is not the one known for it");
    }
    peer = payload;
  }

  private void establish(long nowNanos) {
    keys = handshake.split();
    replay = new ReplayWindow();
    handshake = null;
    confirmed = false;
    // Fresh keys, fresh nonces: the new send cipher is at epoch 0 and has sent nothing.
    sendCounter = 0;
    sendEpochStartedAt = nowNanos;
  }
}
