package io.p2pchat.crypto;

import java.security.InvalidKeyException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.util.Arrays;

/**
 * Noise_XX_25519_{ChaChaPoly,AESGCM}_SHA256 (Noise spec rev 34) with the node's X25519 static key:
 * <pre>
 *   -> e                  message 1: initiator, payload in clear (send it empty)
 *   <- e, ee, s, es       message 2: responder, payload encrypted (its {@link HandshakePayload})
 *   -> s, se              message 3: initiator, payload encrypted (its {@link HandshakePayload})
 * </pre>
 * The prologue ({@link RoomId#prologue()}) is hashed in first, so two nodes with different prologues
 * fail at message 2 without ever learning each other's static key.
 *
 * <p>A {@link #readMessage} that fails leaves the state as it was, so a forged or garbled datagram
 * cannot kill a handshake in progress; the genuine message may still arrive. Not thread-safe: one owner.
 */
public final class NoiseHandshake {
  /** Noise section 3: no handshake message is longer than 65535 bytes. */
  public static final int MAX_MESSAGE_LENGTH = 65535;
  /** DHLEN of X25519. */
  static final int DH_LENGTH = Keys.KEY_LENGTH;
  /** An encrypted static key: the key plus its tag. */
  private static final int ENCRYPTED_STATIC_LENGTH = DH_LENGTH + CipherSuite.TAG_LENGTH;
  /** Messages in the XX pattern. */
  private static final int MESSAGES = 3;

  /** Which side of the handshake this node plays. */
  public enum Role { INITIATOR, RESPONDER }

  /** Explicit handshake state: whose turn it is, or done. */
  public enum State { WRITE, READ, COMPLETE, SPLIT, FAILED }

  private final Role role;
  private final CipherSuite suite;
  private final PrivateKey staticPrivate;
  private final byte[] staticPublic;
  private final byte[] fixedEphemeral; // tests only (Noise test vectors); null = random
  private NoiseSymmetricState ss;
  private PrivateKey ePrivate;
  private byte[] ePublic;
  private byte[] re;
  private byte[] rs;
  private int messageIndex; // messages processed so far, 0..3
  private State state;

  private NoiseHandshake(Role role, PrivateKey staticPrivate, byte[] staticPublic, byte[] fixedEphemeral,
      byte[] prologue, CipherSuite suite) {
    this.role = role;
    this.suite = suite;
    this.staticPrivate = staticPrivate;
    this.staticPublic = staticPublic.clone();
    this.fixedEphemeral = fixedEphemeral;
    this.ss = NoiseSymmetricState.initialize(suite);
    this.ss.mixHash(prologue);
    this.state = role == Role.INITIATOR ? State.WRITE : State.READ;
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

  /** Test hook: fixed static and ephemeral private keys, to replay published Noise test vectors. */
  static NoiseHandshake withFixedKeys(Role role, byte[] staticPrivate, byte[] ephemeralPrivate, byte[] prologue,
      CipherSuite suite) throws InvalidKeyException {
    PrivateKey s = Keys.x25519Private(staticPrivate);
    return new NoiseHandshake(role, s, Keys.x25519PublicOf(s), ephemeralPrivate.clone(), prologue, suite);
  }

  public Role role() {
    return role;
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

  /** True once all three messages were processed; then call {@link #split()}. */
  public boolean isComplete() {
    return state == State.COMPLETE || state == State.SPLIT;
  }

  /** The peer's raw X25519 static key, authenticated by the DH; null until message 2 (initiator) or 3 (responder). */
  public byte[] remoteStaticKey() {
    return rs == null ? null : rs.clone();
  }

  /**
   * The next handshake message carrying {@code payload}; message 1's payload travels in clear.
   * Throws (and the handshake is FAILED) only if the peer's ephemeral key from message 1 is a
   * low-order point, which an honest peer never sends.
   */
  public byte[] writeMessage(byte[] payload) throws HandshakeException {
    if (state != State.WRITE) {
      throw new IllegalStateException("BUG: writeMessage in state " + state + " (" + role + ")");
    }
    try {
      byte[] out;
      switch (messageIndex) {
        case 0 -> out = Bytes.concat(writeEphemeral(), ss.encryptAndHash(payload));
        case 1 -> {
          byte[] e = writeEphemeral();
          ss.mixKey(Keys.dh(ePrivate, re)); // ee
          byte[] s = ss.encryptAndHash(staticPublic);
          ss.mixKey(Keys.dh(staticPrivate, re)); // es (responder side)
          out = Bytes.concat(e, s, ss.encryptAndHash(payload));
        }
        case 2 -> {
          byte[] s = ss.encryptAndHash(staticPublic);
          ss.mixKey(Keys.dh(staticPrivate, re)); // se (initiator side)
          out = Bytes.concat(s, ss.encryptAndHash(payload));
        }
        default -> throw new IllegalStateException("BUG: message index " + messageIndex);
      }
      if (out.length > MAX_MESSAGE_LENGTH) {
        throw new IllegalArgumentException("payload too long for a Noise message");
      }
      advance();
      return out;
    } catch (InvalidKeyException e) {
      state = State.FAILED;
      throw new HandshakeException("peer sent an invalid X25519 key (low-order point)", e);
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
    if (message.length > MAX_MESSAGE_LENGTH) {
      throw new HandshakeException("handshake message longer than " + MAX_MESSAGE_LENGTH + " bytes");
    }
    NoiseSymmetricState saved = ss.copy();
    byte[] savedRe = re;
    byte[] savedRs = rs;
    try {
      byte[] payload = switch (messageIndex) {
        case 0 -> {
          need(message, DH_LENGTH, 1);
          re = readEphemeral(message);
          yield ss.decryptAndHash(Arrays.copyOfRange(message, DH_LENGTH, message.length));
        }
        case 1 -> {
          need(message, DH_LENGTH + ENCRYPTED_STATIC_LENGTH + CipherSuite.TAG_LENGTH, 2);
          re = readEphemeral(message);
          ss.mixKey(Keys.dh(ePrivate, re)); // ee
          rs = ss.decryptAndHash(Arrays.copyOfRange(message, DH_LENGTH, DH_LENGTH + ENCRYPTED_STATIC_LENGTH));
          ss.mixKey(Keys.dh(ePrivate, rs)); // es (initiator side)
          yield ss.decryptAndHash(Arrays.copyOfRange(message, DH_LENGTH + ENCRYPTED_STATIC_LENGTH, message.length));
        }
        case 2 -> {
          need(message, ENCRYPTED_STATIC_LENGTH + CipherSuite.TAG_LENGTH, 3);
          rs = ss.decryptAndHash(Arrays.copyOfRange(message, 0, ENCRYPTED_STATIC_LENGTH));
          ss.mixKey(Keys.dh(ePrivate, rs)); // se (responder side)
          yield ss.decryptAndHash(Arrays.copyOfRange(message, ENCRYPTED_STATIC_LENGTH, message.length));
        }
        default -> throw new IllegalStateException("BUG: message index " + messageIndex);
      };
      advance();
      return payload;
    } catch (HandshakeException e) {
      restore(saved, savedRe, savedRs);
      throw e;
    } catch (InvalidKeyException e) {
      restore(saved, savedRe, savedRs);
      throw new HandshakeException("peer sent an invalid X25519 key (low-order point)", e);
    }
  }

  private void restore(NoiseSymmetricState saved, byte[] savedRe, byte[] savedRs) {
    ss = saved;
    re = savedRe;
    rs = savedRs;
  }

  /**
   * Splits the completed handshake into the two transport ciphers, oriented for this role. Once only;
   * the handshake's keys are dropped afterwards.
   */
  public SessionKeys split() {
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
    ss = null;
    ePrivate = null;
    return role == Role.INITIATOR ? new SessionKeys(i2r, r2i, h) : new SessionKeys(r2i, i2r, h);
  }

  /** The handshake hash h so far (after completion: the channel-binding value). */
  public byte[] handshakeHash() {
    if (ss == null) {
      throw new IllegalStateException("BUG: handshake already split");
    }
    return ss.handshakeHash();
  }

  private byte[] writeEphemeral() throws InvalidKeyException {
    if (fixedEphemeral != null) {
      ePrivate = Keys.x25519Private(fixedEphemeral);
      ePublic = Keys.x25519PublicOf(ePrivate);
    } else {
      KeyPair kp = Keys.generateX25519();
      ePrivate = kp.getPrivate();
      ePublic = Keys.rawX25519Public(kp.getPublic());
    }
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
    if (messageIndex == MESSAGES) {
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
