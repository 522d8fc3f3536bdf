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
   * @throws HandshakeException when it does not authenticate, or the peer is not trusted
   */
  public Outgoing onHandshake(int number, byte[] bytes) throws HandshakeException {
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
      establish();
      return null;
    }
    if (!initiator && number == 3 && handshake != null) {
      HandshakePayload payload = HandshakePayload.decode(handshake.readMessage(bytes));
      accept(payload);
      establish();
      return null;
    }
    // A duplicate or out-of-turn message: nothing to do.
    return null;
  }

  /**
   * Encrypts a DATA body {@code plain[off, off + len)} into {@code packet} right after its header
   * {@code packet[0, headerLen)}, which is authenticated as associated data. Returns the sealed length.
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

  private void establish() {
    keys = handshake.split();
    replay = new ReplayWindow();
    handshake = null;
    confirmed = false;
  }
}
