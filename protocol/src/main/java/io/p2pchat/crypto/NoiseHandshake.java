package io.p2pchat.crypto;

import java.security.InvalidKeyException;
import java.util.Arrays;

/**
 * A Noise handshake (spec rev 34) over X25519, {ChaChaPoly,AESGCM} and SHA-256, in one of three patterns.
 *
 * <p>{@link Pattern#XX} (Noise_XX_25519_…_SHA256), between peers, with the node's X25519 static key:
 * <pre>
 *   -> e                  message 1: initiator, payload in clear (send it empty)
 *   <- e, ee, s, es       message 2: responder, payload encrypted (its {@link HandshakePayload})
 *   -> s, se              message 3: initiator, payload encrypted (its {@link HandshakePayload})
 * </pre>
 * The prologue ({@link RoomId#prologue()}) is hashed in first, so two nodes with different prologues
 * fail at message 2 without ever learning each other's static key.
 *
 * <p>{@link Pattern#IK} (Noise_IK_25519_…_SHA256), a client to a server whose static key it already
 * knows (the control channel to the rendezvous, {@code io.p2pchat.control}): one round trip.
 * <pre>
 *   <- s                  pre-message: the responder's static key, hashed in after the prologue
 *   ...
 *   -> e, es, s, ss       message 1: initiator, its static key and payload encrypted to the responder
 *   <- e, ee, se          message 2: responder, payload encrypted (forward secret)
 * </pre>
 * Message 1's payload is encrypted but, as the spec says of IK, not forward secret and replayable:
 * the caller puts a timestamp in it and refuses old ones (as WireGuard does).
 *
 * <p>{@link Pattern#X} (Noise_X_25519_…_SHA256, one-way, spec section 7.4), a sender to an offline
 * recipient whose static key it knows (the mailbox's sealed envelope, {@link MailboxSeal}): one message,
 * exactly IK's message 1 under another protocol name; the recipient never answers.
 * <pre>
 *   <- s                  pre-message: the recipient's static key
 *   ...
 *   -> e, es, s, ss       the only message: the sender's static key and payload encrypted to the recipient
 * </pre>
 *
 * <p>A {@link #readMessage} that fails leaves the state as it was, so a forged or garbled datagram
 * cannot kill a handshake in progress; the genuine message may still arrive. Not thread-safe: one owner.
 *
 * <p><b>Secret lifetime.</b> Every handshake ends in {@link #split()} or {@link #destroy()}: both zero the
 * ephemeral private key, the chaining key ck, the handshake hash h, the cipher state's k and the resumption
 * secret, so a handshake that is dropped (replaced, refused, its owner closed) leaves nothing for the
 * garbage collector to find later. A write that fails (state FAILED) destroys the handshake itself; a read
 * that fails wipes what it computed (the DH outputs and the chaining key they made) and keeps the
 * handshake as it was, for the reason above: its owner destroys it when it gives up on it. The static
 * private key is the identity's, shared by every handshake: never wiped here.
 */
public final class NoiseHandshake {
  /** Noise section 3: no handshake message is longer than 65535 bytes. */
  public static final int MAX_MESSAGE_LENGTH = 65535;
  /** HKDF info of {@link #resumptionSecret()}: its output is never a key of another use. */
  static final byte[] RESUMPTION_LABEL = "p2pchat control resumption v1".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
  /** DHLEN of X25519. */
  static final int DH_LENGTH = Keys.KEY_LENGTH;
  /** An encrypted static key: the key plus its tag. */
  private static final int ENCRYPTED_STATIC_LENGTH = DH_LENGTH + CipherSuite.TAG_LENGTH;
  /** Which handshake pattern (Noise spec section 7): how many messages, which tokens in each. */
  public enum Pattern {
    /** Mutual authentication, both static keys learned in the handshake: 3 messages. */
    XX(3),
    /** The initiator knows the responder's static key beforehand: 2 messages. */
    IK(2),
    /** One-way: the initiator knows the recipient's static key and sends its own; 1 message, never answered. */
    X(1);

    private final int messages;

    Pattern(int messages) {
      this.messages = messages;
    }

    /** Number of handshake messages in this pattern. */
    public int messages() {
      return messages;
    }

    /** True when the pattern has the pre-message {@code <- s}: IK and X. */
    boolean knowsResponderStatic() {
      return this != XX;
    }
  }

  /** Which side of the handshake this node plays. */
  public enum Role { INITIATOR, RESPONDER }

  /** Explicit handshake state: whose turn it is, or done. */
  public enum State { WRITE, READ, COMPLETE, SPLIT, FAILED }

  private final Pattern pattern;
  private final Role role;
  private final CipherSuite suite;
  private final byte[] staticPrivate;
  private final byte[] staticPublic;
  private final byte[] fixedEphemeral; // tests only (Noise test vectors); null = random
  /** An IK responder's cache of ss per client static key; null: computed every time. */
  private ResponderCache cache;
  private NoiseSymmetricState ss;
  private byte[] ePrivate;
  private byte[] ePublic;
  private byte[] re;
  private byte[] rs;
  private int messageIndex; // messages processed so far, 0..pattern.messages()
  /** IK only: {@link #RESUMPTION_LABEL} exported from the final chaining key, once both sides mixed every DH. */
  private byte[] resumptionSecret;
  private State state;
  /** Set by {@link #destroy()}: the secrets are zero and every use but the accessors throws. */
  private boolean destroyed;

  private NoiseHandshake(Pattern pattern, Role role, byte[] staticPrivate, byte[] staticPublic,
      byte[] fixedEphemeral, byte[] remoteStatic, byte[] prologue, CipherSuite suite) {
    this.pattern = pattern;
    this.role = role;
    this.suite = suite;
    this.staticPrivate = staticPrivate;
    this.staticPublic = staticPublic.clone();
    this.fixedEphemeral = fixedEphemeral;
    this.ss = NoiseSymmetricState.initialize(suite, suite.noiseProtocolName(pattern));
    this.ss.mixHash(prologue);
    if (pattern.knowsResponderStatic()) {
      // Pre-message "<- s": both sides hash the responder's static key (section 7.1).
      if (role == Role.INITIATOR) {
        if (remoteStatic == null || remoteStatic.length != DH_LENGTH) {
          throw new IllegalArgumentException(pattern + " initiator needs the responder's " + DH_LENGTH
              + "-byte static key");
        }
        this.rs = remoteStatic.clone();
        this.ss.mixHash(this.rs);
      } else {
        this.ss.mixHash(this.staticPublic);
      }
    }
    this.state = role == Role.INITIATOR ? State.WRITE : State.READ;
  }

  private NoiseHandshake(Role role, byte[] staticPrivate, byte[] staticPublic, byte[] fixedEphemeral,
      byte[] prologue, CipherSuite suite) {
    this(Pattern.XX, role, staticPrivate, staticPublic, fixedEphemeral, null, prologue, suite);
  }

  /** The side that sends message 1 (the node that starts the session). */
  public static NoiseHandshake initiator(NodeIdentity identity, byte[] prologue, CipherSuite suite) {
    return new NoiseHandshake(Role.INITIATOR, identity.staticPrivateKey(), identity.staticPublicKey(), null,
        prologue, suite);
  }

  /** The side that answers message 1. */
  public static NoiseHandshake responder(NodeIdentity identity, byte[] prologue, CipherSuite suite) {
    return new NoiseHandshake(Role.RESPONDER, identity.staticPrivateKey(), identity.staticPublicKey(), null,
        prologue, suite);
  }

  /**
   * IK initiator: a client that knows the server's static key {@code responderStatic} (raw X25519, 32
   * bytes) and proves its own static key in message 1.
   */
  public static NoiseHandshake ikInitiator(NodeIdentity identity, byte[] responderStatic, byte[] prologue,
      CipherSuite suite) {
    return new NoiseHandshake(Pattern.IK, Role.INITIATOR, identity.staticPrivateKey(), identity.staticPublicKey(),
        null, responderStatic, prologue, suite);
  }

  /**
   * X sender (one-way): seals one message to the recipient's static key {@code recipientStatic} (raw
   * X25519, 32 bytes), proving its own static key in it.
   */
  public static NoiseHandshake xInitiator(NodeIdentity identity, byte[] recipientStatic, byte[] prologue,
      CipherSuite suite) {
    return new NoiseHandshake(Pattern.X, Role.INITIATOR, identity.staticPrivateKey(), identity.staticPublicKey(),
        null, recipientStatic, prologue, suite);
  }

  /** X recipient (one-way): opens the one message sealed to its static key. */
  public static NoiseHandshake xResponder(NodeIdentity identity, byte[] prologue, CipherSuite suite) {
    return new NoiseHandshake(Pattern.X, Role.RESPONDER, identity.staticPrivateKey(), identity.staticPublicKey(),
        null, null, prologue, suite);
  }

  /** IK responder: the server whose static key the initiator already knows. */
  public static NoiseHandshake ikResponder(NodeIdentity identity, byte[] prologue, CipherSuite suite) {
    return new NoiseHandshake(Pattern.IK, Role.RESPONDER, identity.staticPrivateKey(), identity.staticPublicKey(),
        null, null, prologue, suite);
  }

  /**
   * IK responder that takes ss (DH of its static key and the initiator's) from {@code cache} when this
   * initiator's static key was seen before ({@link ResponderCache}: the same bytes, one agreement fewer).
   * {@code cache} must belong to this {@code identity}.
   */
  public static NoiseHandshake ikResponder(NodeIdentity identity, byte[] prologue, CipherSuite suite,
      ResponderCache cache) {
    NoiseHandshake hs = ikResponder(identity, prologue, suite);
    hs.cache = cache;
    return hs;
  }

  /** Test hook for any pattern: fixed keys, to replay published Noise test vectors. */
  static NoiseHandshake withFixedKeys(Pattern pattern, Role role, byte[] staticPrivate, byte[] ephemeralPrivate,
      byte[] remoteStatic, byte[] prologue, CipherSuite suite) throws InvalidKeyException {
    return new NoiseHandshake(pattern, role, staticPrivate.clone(), Keys.x25519PublicOf(staticPrivate), ephemeralPrivate.clone(), remoteStatic,
        prologue, suite);
  }

  /** Test hook: fixed static and ephemeral private keys, to replay published Noise test vectors. */
  static NoiseHandshake withFixedKeys(Role role, byte[] staticPrivate, byte[] ephemeralPrivate, byte[] prologue,
      CipherSuite suite) throws InvalidKeyException {
    return new NoiseHandshake(role, staticPrivate.clone(), Keys.x25519PublicOf(staticPrivate), ephemeralPrivate.clone(), prologue, suite);
  }

  public Role role() {
    return role;
  }

  /** The handshake pattern, XX, IK or X. */
  public Pattern pattern() {
    return pattern;
  }

  public State state() {
    return state;
  }

  public CipherSuite suite() {
    return suite;
  }

  /** True when the next call must be {@link #writeMessage}. */
  public boolean isMyTurn() {
    return state == State.WRITE;
  }

  /** True once all messages of the pattern were processed; then call {@link #split()}. */
  public boolean isComplete() {
    return state == State.COMPLETE || state == State.SPLIT;
  }

  /**
   * The peer's raw X25519 static key, authenticated by the DH; null until XX message 2 (initiator) or 3
   * (responder), IK or X message 1 (responder). An IK or X initiator returns the key it was given.
   */
  public byte[] remoteStaticKey() {
    return rs == null ? null : rs.clone();
  }

  /**
   * The next handshake message carrying {@code payload}; XX message 1's payload travels in clear.
   * Throws (and the handshake is FAILED) only if a peer key (XX/IK: its ephemeral; IK initiator: the
   * given responder static key) is a low-order point, which an honest peer never sends.
   */
  public byte[] writeMessage(byte[] payload) throws HandshakeException {
    return writeMessage(secret -> payload);
  }

  /**
   * The next handshake message, whose payload is made from this handshake's {@link #resumptionSecret()}
   * (IK message 2: the secret is known once the message's DHs are mixed, before its payload is
   * encrypted; the control channel's responder puts a resumption ticket holding it there). For every
   * other message the function gets null.
   */
  public byte[] writeMessage(java.util.function.UnaryOperator<byte[]> payloadOfSecret) throws HandshakeException {
    requireUsable("writeMessage");
    if (state != State.WRITE) {
      throw new IllegalStateException("BUG: writeMessage in state " + state + " (" + role + ")");
    }
    try {
      byte[] out = pattern.knowsResponderStatic() ? writeIk(payloadOfSecret) : writeXx(payloadOfSecret.apply(null));
      if (out.length > MAX_MESSAGE_LENGTH) {
        throw new IllegalArgumentException("payload too long for a Noise message");
      }
      advance();
      return out;
    } catch (InvalidKeyException e) {
      state = State.FAILED;
      destroy(); // nothing can complete it now: its secrets go at once
      throw new HandshakeException("peer sent an invalid X25519 key (low-order point)", e);
    }
  }

  private byte[] writeXx(byte[] payload) throws InvalidKeyException {
    byte[] out;
    switch (messageIndex) {
      case 0 -> out = Bytes.concat(writeEphemeral(), ss.encryptAndHash(payload));
      case 1 -> {
        byte[] e = writeEphemeral();
        mixDh(Keys.dh(ePrivate, re)); // ee
        byte[] s = ss.encryptAndHash(staticPublic);
        mixDh(Keys.dh(staticPrivate, re)); // es (responder side)
        out = Bytes.concat(e, s, ss.encryptAndHash(payload));
      }
      case 2 -> {
        byte[] s = ss.encryptAndHash(staticPublic);
        mixDh(Keys.dh(staticPrivate, re)); // se (initiator side)
        out = Bytes.concat(s, ss.encryptAndHash(payload));
      }
      default -> throw new IllegalStateException("BUG: message index " + messageIndex);
    }
    return out;
  }

  /** IK's messages; X's only message is IK's message 1 (the same tokens after the same pre-message). */
  private byte[] writeIk(java.util.function.UnaryOperator<byte[]> payloadOfSecret) throws InvalidKeyException {
    switch (messageIndex) {
      case 0 -> {
        byte[] payload = payloadOfSecret.apply(null);
        byte[] e = writeEphemeral();
        mixDh(Keys.dh(ePrivate, rs)); // es (initiator side)
        byte[] s = ss.encryptAndHash(staticPublic);
        mixDh(Keys.dh(staticPrivate, rs)); // ss
        return Bytes.concat(e, s, ss.encryptAndHash(payload));
      }
      case 1 -> {
        byte[] e = writeEphemeral();
        mixDh(Keys.dh(ePrivate, re)); // ee
        mixDh(Keys.dh(ePrivate, rs)); // se (responder side)
        resumptionSecret = ss.export(RESUMPTION_LABEL);
        return Bytes.concat(e, ss.encryptAndHash(payloadOfSecret.apply(resumptionSecret.clone())));
      }
      default -> throw new IllegalStateException("BUG: IK message index " + messageIndex);
    }
  }

  /**
   * Processes the peer's next message and returns its payload. On failure throws and leaves the
   * handshake unchanged (the caller drops the datagram and keeps waiting, or gives up on a timeout).
   */
  public byte[] readMessage(byte[] message) throws HandshakeException {
    if (state != State.READ) {
      throw new HandshakeException("unexpected handshake message in state " + state + " (" + role + ")");
    }
    requireUsable("readMessage");
    if (message.length > MAX_MESSAGE_LENGTH) {
      throw new HandshakeException("handshake message longer than " + MAX_MESSAGE_LENGTH + " bytes");
    }
    NoiseSymmetricState saved = ss.copy();
    byte[] savedRe = re;
    byte[] savedRs = rs;
    try {
      byte[] payload = pattern.knowsResponderStatic() ? readIk(message) : readXx(message);
      advance();
      saved.wipe(); // the state before the message: its ck and k are secrets too
      return payload;
    } catch (HandshakeException e) {
      restore(saved, savedRe, savedRs);
      throw e;
    } catch (InvalidKeyException e) {
      restore(saved, savedRe, savedRs);
      throw new HandshakeException("peer sent an invalid X25519 key (low-order point)", e);
    }
  }

  private byte[] readXx(byte[] message) throws HandshakeException, InvalidKeyException {
    return switch (messageIndex) {
      case 0 -> {
        need(message, DH_LENGTH, 1);
        re = readEphemeral(message);
        yield ss.decryptAndHash(Arrays.copyOfRange(message, DH_LENGTH, message.length));
      }
      case 1 -> {
        need(message, DH_LENGTH + ENCRYPTED_STATIC_LENGTH + CipherSuite.TAG_LENGTH, 2);
        re = readEphemeral(message);
        mixDh(Keys.dh(ePrivate, re)); // ee
        rs = ss.decryptAndHash(Arrays.copyOfRange(message, DH_LENGTH, DH_LENGTH + ENCRYPTED_STATIC_LENGTH));
        mixDh(Keys.dh(ePrivate, rs)); // es (initiator side)
        yield ss.decryptAndHash(Arrays.copyOfRange(message, DH_LENGTH + ENCRYPTED_STATIC_LENGTH, message.length));
      }
      case 2 -> {
        need(message, ENCRYPTED_STATIC_LENGTH + CipherSuite.TAG_LENGTH, 3);
        rs = ss.decryptAndHash(Arrays.copyOfRange(message, 0, ENCRYPTED_STATIC_LENGTH));
        mixDh(Keys.dh(ePrivate, rs)); // se (responder side)
        yield ss.decryptAndHash(Arrays.copyOfRange(message, ENCRYPTED_STATIC_LENGTH, message.length));
      }
      default -> throw new IllegalStateException("BUG: message index " + messageIndex);
    };
  }

  /** IK's messages; X's only message is IK's message 1. */
  private byte[] readIk(byte[] message) throws HandshakeException, InvalidKeyException {
    switch (messageIndex) {
      case 0 -> {
        need(message, DH_LENGTH + ENCRYPTED_STATIC_LENGTH + CipherSuite.TAG_LENGTH, 1);
        re = readEphemeral(message);
        mixDh(Keys.dh(staticPrivate, re)); // es (responder side)
        rs = ss.decryptAndHash(Arrays.copyOfRange(message, DH_LENGTH, DH_LENGTH + ENCRYPTED_STATIC_LENGTH));
        mixDh(cache == null ? Keys.dh(staticPrivate, rs) : cache.staticAgreement(staticPrivate, rs)); // ss
        return ss.decryptAndHash(Arrays.copyOfRange(message, DH_LENGTH + ENCRYPTED_STATIC_LENGTH, message.length));
      }
      case 1 -> {
        need(message, DH_LENGTH + CipherSuite.TAG_LENGTH, 2);
        re = readEphemeral(message);
        mixDh(Keys.dh(ePrivate, re)); // ee
        mixDh(Keys.dh(staticPrivate, re)); // se (initiator side)
        byte[] payload = ss.decryptAndHash(Arrays.copyOfRange(message, DH_LENGTH, message.length));
        resumptionSecret = ss.export(RESUMPTION_LABEL); // only once the message authenticated
        return payload;
      }
      default -> throw new IllegalStateException("BUG: IK message index " + messageIndex);
    }
  }

  private void restore(NoiseSymmetricState saved, byte[] savedRe, byte[] savedRs) {
    ss.wipe(); // what the refused message made (ck from its DHs) is not left behind
    ss = saved;
    re = savedRe;
    rs = savedRs;
  }

  /**
   * Splits the completed handshake into the two transport ciphers, oriented for this role. Once only;
   * the handshake's keys are dropped afterwards.
   */
  public SessionKeys split() {
    requireUsable("split");
    if (state != State.COMPLETE) {
      throw new IllegalStateException("BUG: split in state " + state);
    }
    byte[][] keys = ss.split();
    byte[] h = ss.handshakeHash();
    TransportCipher i2r = new TransportCipher(suite, keys[0]);
    TransportCipher r2i = new TransportCipher(suite, keys[1]);
    Arrays.fill(keys[0], (byte) 0);
    Arrays.fill(keys[1], (byte) 0);
    state = State.SPLIT;
    destroy(); // ephemeral key, ck, h, k, resumption secret: the session keys are all that is left
    return role == Role.INITIATOR ? new SessionKeys(i2r, r2i, h) : new SessionKeys(r2i, i2r, h);
  }

  /**
   * Zeroes every secret this handshake holds: the ephemeral private key, ck, h, the cipher state's k and the
   * resumption secret (not the static private key, which is the identity's). Call it when the handshake is
   * dropped without {@link #split()} (replaced, refused, timed out, its owner closed); split ends in it.
   * Afterwards {@link #writeMessage}, {@link #readMessage}, {@link #split}, {@link #handshakeHash} and
   * {@link #resumptionSecret} throw {@link IllegalStateException}; {@link #state()} still tells how far it
   * got. Idempotent.
   */
  public void destroy() {
    if (destroyed) {
      return;
    }
    destroyed = true;
    if (ePrivate != null) { // an X recipient never had one; nor has a handshake before its first write
      Arrays.fill(ePrivate, (byte) 0);
    }
    if (fixedEphemeral != null) {
      Arrays.fill(fixedEphemeral, (byte) 0);
    }
    ss.wipe();
    if (resumptionSecret != null) {
      Arrays.fill(resumptionSecret, (byte) 0);
    }
  }

  /** True once {@link #destroy()} (or {@link #split()}) wiped the secrets. */
  public boolean isDestroyed() {
    return destroyed;
  }

  /** Test hook: every secret array this handshake holds is all zero (or was never made). */
  boolean secretsWiped() {
    return (ePrivate == null || NoiseSymmetricState.allZero(ePrivate)) && ss.wiped()
        && (resumptionSecret == null || NoiseSymmetricState.allZero(resumptionSecret));
  }

  private void requireUsable(String what) {
    if (destroyed) {
      throw new IllegalStateException("BUG: " + what + " on a handshake already "
          + (state == State.SPLIT ? "split" : "destroyed"));
    }
  }

  /**
   * IK, once message 2 is written or read: a 32-byte secret both sides derive from the final chaining
   * key (never sent; unlike the handshake hash, which an observer can compute, it depends on every DH),
   * for resuming the session later without public-key work (io.p2pchat.control.ResumptionTicket).
   * Null before then and for other patterns.
   */
  public byte[] resumptionSecret() {
    requireUsable("resumptionSecret");
    return resumptionSecret == null ? null : resumptionSecret.clone();
  }

  /** The handshake hash h so far (after completion: the channel-binding value). */
  public byte[] handshakeHash() {
    requireUsable("handshakeHash");
    return ss.handshakeHash();
  }

  /** MixKey(DH output), then the output is zeroed: ck holds what it contributed. */
  private void mixDh(byte[] dh) {
    try {
      ss.mixKey(dh);
    } finally {
      Arrays.fill(dh, (byte) 0);
    }
  }

  private byte[] writeEphemeral() throws InvalidKeyException {
    ePrivate = fixedEphemeral != null ? fixedEphemeral.clone() : Keys.generateX25519();
    ePublic = Keys.x25519PublicOf(ePrivate);
    ss.mixHash(ePublic);
    return ePublic.clone();
  }

  private byte[] readEphemeral(byte[] message) {
    byte[] e = Arrays.copyOfRange(message, 0, DH_LENGTH);
    ss.mixHash(e);
    return e;
  }

  private void advance() {
    messageIndex++;
    if (messageIndex == pattern.messages()) {
      state = State.COMPLETE;
    } else {
      state = state == State.WRITE ? State.READ : State.WRITE;
    }
  }

  private static void need(byte[] message, int min, int number) throws HandshakeException {
    if (message.length < min) {
      throw new HandshakeException("handshake message " + number + " too short: " + message.length + " < " + min);
    }
  }
}
