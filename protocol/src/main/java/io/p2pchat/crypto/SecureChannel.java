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
 * <p>Message 1 of Noise XX authenticates nothing (it is an ephemeral key), so a message 1 never
 * replaces a responder handshake in progress either: the responder keeps the handshake it answered
 * first ({@code inProgress}, for {@link #RESPONDER_HANDSHAKE_TIMEOUT_NANOS}) and one challenger (the
 * latest different message 1), and a message 3 is tried against both: whichever completes with a
 * trusted key wins and the other is dropped. Two handshakes at most: O(1) memory whatever is sent.
 * A forged message 1 (anyone who can spoof the peer's source can send one) therefore costs one DH and
 * an answer, and cuts nothing.
 *
 * <p>Message 1 is padded to {@link #MESSAGE1_MIN_LENGTH} (a third of the longest message 2), so the
 * answer to an unvalidated source is never more than 3 times what it sent (RFC 9000 section 8.1,
 * where QUIC pads its first Initial for the same reason); the caller drops a shorter message 1.
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
  /**
   * A responder handshake this young is never displaced by another message 1 (which goes to the
   * challenger slot instead). It covers the initiator's retransmissions of message 3 (300 ms doubling
   * to 2 s: six tries in 10 s) on a lossy path; an older one that never completed may be replaced.
   */
  public static final long RESPONDER_HANDSHAKE_TIMEOUT_NANOS = 10_000_000_000L;
  /**
   * The longest Noise message 2: e (32), the encrypted static key (32 + tag 16), the encrypted
   * payload (at most {@link HandshakePayload#MAX_LENGTH} + tag 16) = 258 bytes.
   */
  static final int MAX_MESSAGE2_LENGTH = Keys.KEY_LENGTH + Keys.KEY_LENGTH + CipherSuite.TAG_LENGTH
    + HandshakePayload.MAX_LENGTH + CipherSuite.TAG_LENGTH;
  /**
   * The shortest Noise message 1 a responder answers: a third of the longest message 2, rounded up
   * (86 bytes), so message 2 is at most 3 times message 1, and the datagrams (each with the same 21
   * bytes of header and indexes) even less (107 bytes earn at most 279).
   */
  public static final int MESSAGE1_MIN_LENGTH = (MAX_MESSAGE2_LENGTH + 2) / 3;
  /** Zero bytes of payload in message 1 (sent in clear, hashed into the handshake): e (32) + 54 = 86. */
  static final int MESSAGE1_PADDING = MESSAGE1_MIN_LENGTH - Keys.KEY_LENGTH;

  /** A responder handshake: the message 1 it answers, its message 2 (to send again) and when it began. */
  private record Answered(NoiseHandshake noise, byte[] message1, Outgoing message2, long startedAt) {
    boolean answers(byte[] bytes) {
      return Arrays.equals(message1, bytes);
    }
  }

  private final NodeIdentity identity;
  private final String nick;
  private final String expectedPeer;
  private final byte[] prologue;
  private final CipherSuite suite;
  private final boolean initiator;
  private final PeerCheck check;

  /** The initiator's handshake in progress, or null. */
  private NoiseHandshake handshake;
  /** Responder: the first handshake answered and not completed, kept while young; or null. */
  private Answered inProgress;
  /** Responder: the latest other message 1 answered while {@link #inProgress} was young; or null. */
  private Answered challenger;
  /** Responder: the handshake that made the current keys (a replay of its message 1 earns the same answer). */
  private Answered completed;
  private Outgoing lastSent;
  /** Handshakes completed by this channel: the caller sees that a message just authenticated a new one. */
  private long handshakesCompleted;
  private SessionKeys keys;
  private ReplayWindow replay;
  private HandshakePayload peer;
  /** The peer's static key from the handshake that authenticated {@link #peer}. */
  private byte[] peerStaticKey;
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

  /**
   * The peer's X25519 static key, proven by the last completed handshake and bound to {@link #peer()}'s identity
   * (a mailbox envelope is sealed to it), or null before one completed.
   */
  public byte[] peerStaticKey() {
    return peerStaticKey == null ? null : peerStaticKey.clone();
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
    drop(handshake); // a restart: the handshake it replaces is never completed
    handshake = NoiseHandshake.initiator(identity, prologue, suite);
    confirmed = false;
    lastSent = new Outgoing(1, handshake.writeMessage(new byte[MESSAGE1_PADDING]));
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
      return onMessage1(bytes, nowNanos);
    }
    if (initiator && number == 2 && handshake != null && handshake.isMyTurn() == false) {
      HandshakePayload payload = HandshakePayload.decode(handshake.readMessage(bytes));
      try {
        accept(handshake, payload);
      } catch (HandshakeException refused) {
        // Message 2 was read: nothing can complete this handshake now. It stays (message 1 is still what a
        // retransmission sends, as before), its secrets do not.
        handshake.destroy();
        throw refused;
      }
      lastSent = new Outgoing(3, handshake.writeMessage(HandshakePayload.of(identity, nick).encode()));
      establish(handshake, nowNanos);
      handshake = null;
      return null;
    }
    if (!initiator && number == 3 && (inProgress != null || challenger != null)) {
      onMessage3(bytes, nowNanos);
      return null;
    }
    // A duplicate or out-of-turn message: nothing to do.
    return null;
  }

  /** How many handshakes this channel completed: it moves when a message authenticated new keys. */
  public long handshakesCompleted() {
    return handshakesCompleted;
  }

  /**
   * Responder: a message 1. The same bytes again (our message 2 was lost, or a replay) earn the same
   * answer without any work; new ones start a handshake in the free slot: {@link #inProgress} when
   * none is young, else {@link #challenger} (replacing the previous challenger).
   */
  private Outgoing onMessage1(byte[] bytes, long nowNanos) throws HandshakeException {
    for (Answered known : new Answered[] {inProgress, challenger, completed}) {
      if (known != null && known.answers(bytes)) {
        return known.message2();
      }
    }
    NoiseHandshake next = NoiseHandshake.responder(identity, prologue, suite);
    Answered answered;
    try {
      next.readMessage(bytes); // its payload is the padding: hashed into the handshake, otherwise ignored
      answered = new Answered(next, bytes.clone(),
        new Outgoing(2, next.writeMessage(HandshakePayload.of(identity, nick).encode())), nowNanos);
    } catch (HandshakeException | RuntimeException e) {
      next.destroy(); // a message 1 we cannot answer: the handshake begun for it goes with it
      throw e;
    }
    if (inProgress == null || nowNanos - inProgress.startedAt() > RESPONDER_HANDSHAKE_TIMEOUT_NANOS) {
      drop(inProgress); // too old to complete: replaced
      inProgress = answered;
    } else {
      drop(challenger);
      challenger = answered;
    }
    return answered.message2();
  }

  /**
   * Responder: a message 3, tried against the handshake in progress, then the challenger. The first
   * that decrypts it is the one the initiator answered; its payload decides (a refused key is
   * thrown, and only that slot is cleared), and when it is trusted both slots are cleared. When
   * neither decrypts it, nothing changes.
   */
  private void onMessage3(byte[] bytes, long nowNanos) throws HandshakeException {
    HandshakeException first = null;
    for (Answered candidate : new Answered[] {inProgress, challenger}) {
      if (candidate == null) {
        continue;
      }
      byte[] plain;
      try {
        plain = candidate.noise().readMessage(bytes);
      } catch (HandshakeException e) {
        first = first == null ? e : first;
        continue;
      }
      try {
        accept(candidate.noise(), HandshakePayload.decode(plain));
      } catch (HandshakeException refused) {
        // Only this handshake is spent: a stranger that completed the one it started cuts no other.
        candidate.noise().destroy();
        inProgress = inProgress == candidate ? null : inProgress;
        challenger = challenger == candidate ? null : challenger;
        throw refused;
      }
      drop(inProgress == candidate ? challenger : inProgress); // the other slot's handshake lost
      inProgress = null;
      challenger = null;
      completed = candidate;
      establish(candidate.noise(), nowNanos);
      return;
    }
    throw first;
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
    if (keys == null) {
      throw new IllegalStateException("BUG: no session keys to seal with");
    }
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

  /**
   * True when {@code counter} is above every counter accepted under the current keys: the packet is
   * the newest the peer sent, not an old one held back and sent from elsewhere (only the newest may
   * move a path).
   */
  public boolean isNewest(long counter) {
    return replay != null && counter > replay.highest();
  }

  private void accept(NoiseHandshake from, HandshakePayload payload) throws HandshakeException {
    if (!payload.verify(from.remoteStaticKey())) {
      throw new HandshakeException("the peer's static key is not bound to its identity key");
    }
    if (!payload.nick().equals(expectedPeer)) {
      throw new HandshakeException("the peer says it is " + payload.nick() + ", not " + expectedPeer);
    }
    if (!check.trust(payload)) {
      throw new HandshakeException("the key of " + payload.nick() + " is not the one known for it");
    }
    peer = payload;
    peerStaticKey = from.remoteStaticKey();
  }

  /**
   * Wipes the transport keys ({@link TransportCipher#destroy()}) and every handshake under way
   * ({@link NoiseHandshake#destroy()}), which are dropped: the session this channel secured ended (the
   * peer left or was cut off, the node stops, a new channel replaces this one). The channel is not
   * established any more: {@link #open} refuses every packet, {@link #seal} is a bug, and a message 2 or 3
   * of a handshake begun before completes nothing. Idempotent.
   */
  public void destroy() {
    drop(handshake);
    handshake = null;
    drop(inProgress);
    inProgress = null;
    drop(challenger);
    challenger = null;
    destroyKeys();
  }

  /** Wipes a handshake dropped without {@link NoiseHandshake#split()}: null or already split changes nothing. */
  private static void drop(NoiseHandshake noise) {
    if (noise != null) {
      noise.destroy();
    }
  }

  private static void drop(Answered answered) {
    if (answered != null) {
      answered.noise().destroy();
    }
  }

  /** Test hook: the initiator's handshake under way, or null. */
  NoiseHandshake initiatorHandshake() {
    return handshake;
  }

  /** Test hook: the responder's handshakes under way, the one in progress first (null slots left out). */
  java.util.List<NoiseHandshake> responderHandshakes() {
    java.util.List<NoiseHandshake> out = new java.util.ArrayList<>();
    for (Answered a : new Answered[] {inProgress, challenger}) {
      if (a != null) {
        out.add(a.noise());
      }
    }
    return out;
  }

  private void destroyKeys() {
    if (keys != null) {
      keys.send().destroy();
      keys.receive().destroy();
      keys = null;
      replay = null;
    }
  }

  private void establish(NoiseHandshake from, long nowNanos) {
    destroyKeys(); // a new handshake's keys replace the old ones, which nothing opens or seals again
    keys = from.split();
    replay = new ReplayWindow();
    handshakesCompleted++;
    confirmed = false;
    // Fresh keys, fresh nonces: the new send cipher is at epoch 0 and has sent nothing.
    sendCounter = 0;
    sendEpochStartedAt = nowNanos;
  }
}
