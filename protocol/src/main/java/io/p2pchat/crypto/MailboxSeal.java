package io.p2pchat.crypto;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The sealed envelope of a message left in a peer's mailbox at the rendezvous (issue 17): one Noise X
 * message (one-way, spec section 7.4) from the sender's static key to the recipient's, so that only the
 * recipient can open it and the recipient learns, authenticated, who sealed it. The rendezvous stores the
 * envelope as opaque bytes.
 *
 * <pre>
 * envelope  format u8 | e [32] | s encrypted [32 + 16] | payload encrypted [padded + 16]
 *           format 1: Noise_X_25519_AESGCM_SHA256, 2: Noise_X_25519_ChaChaPoly_SHA256
 * prologue  "p2pchat-mailbox-v1" 0x00 | the recipient's Ed25519 identity key [32]
 * payload   sender's Ed25519 key [32] | binding signature [64] | length u16 | plaintext | zero padding
 * </pre>
 *
 * <p>Why X and not K: K needs the recipient to know the sender's X25519 static key beforehand, which a
 * node does not keep (known_peers holds Ed25519 identity keys; a room member may never have had a session
 * with us); X carries the sender's static key encrypted to the recipient, so the envelope is
 * self-contained and names no sender in clear. The payload adds the sender's Ed25519 identity and its
 * {@code "p2pchat-static-v1"} binding signature over that static key (as {@link HandshakePayload} does), so
 * the recipient checks the sender against known_peers by identity, as in a live session. The prologue binds
 * the mailbox the envelope was sealed for: one cannot be moved into another identity's mailbox.
 *
 * <p>What X gives (spec section 7.7, payload of "-> e, es, s, ss"): sender authentication 1 (forgeable by
 * whoever holds the recipient's private key, KCI), confidentiality 2 (to the recipient's static key: no
 * forward secrecy against a later theft of it), and no replay protection: the recipient drops message ids
 * it has already shown.
 *
 * <p>What the length tells: the payload is padded with zeros to a multiple of {@value #PAD_BLOCK} bytes, so
 * an envelope's size tells the plaintext's length only to within {@value #PAD_BLOCK} bytes (every plaintext
 * of at most {@value #PAD_BLOCK} − 98 = 158 bytes gives a 353-byte envelope); the last bucket is cut at
 * {@link #MAX_PLAINTEXT}.
 *
 * <p>Stateless and thread-safe; the costs are three X25519 operations and one Ed25519 signature check.
 */
public final class MailboxSeal {
  /** Envelope format 1: Noise_X_25519_AESGCM_SHA256 (the control channel's suite). */
  public static final byte FORMAT_AESGCM = 1;
  /** Envelope format 2: Noise_X_25519_ChaChaPoly_SHA256. */
  public static final byte FORMAT_CHACHA = 2;
  /** Domain separation: an envelope's Noise transcript can never be one of another use of the same keys. */
  static final byte[] PROLOGUE_DOMAIN = "p2pchat-mailbox-v1\0".getBytes(StandardCharsets.US_ASCII);
  /** Padding granularity: every chat line of a few words costs the same 353 bytes and looks the same. */
  public static final int PAD_BLOCK = 256;
  /** The format byte in front of the Noise message. */
  static final int FORMAT_LENGTH = 1;
  /** e, the encrypted s (key + tag) and the payload's tag. */
  static final int NOISE_OVERHEAD = Keys.KEY_LENGTH + Keys.KEY_LENGTH + CipherSuite.TAG_LENGTH
      + CipherSuite.TAG_LENGTH;
  /** Sender's Ed25519 key, its binding signature over the sender's static key, the plaintext length. */
  static final int PAYLOAD_HEADER = Keys.KEY_LENGTH + Keys.SIGNATURE_LENGTH + Short.BYTES;
  /** The largest payload: one Noise message holds at most 65535 bytes (spec section 3). */
  static final int MAX_PAYLOAD = NoiseHandshake.MAX_MESSAGE_LENGTH - NOISE_OVERHEAD;
  /** The longest plaintext an envelope carries: 65535 − 96 − 98 = 65341 bytes. */
  public static final int MAX_PLAINTEXT = MAX_PAYLOAD - PAYLOAD_HEADER;
  /** The shortest envelope: a plaintext of 0 bytes, padded to one block. */
  public static final int MIN_ENVELOPE = FORMAT_LENGTH + NOISE_OVERHEAD + PAD_BLOCK;
  /** The longest envelope: the format byte and the longest Noise message. */
  public static final int MAX_ENVELOPE = FORMAT_LENGTH + NoiseHandshake.MAX_MESSAGE_LENGTH;

  /** Why an envelope was refused: one reason each, for the caller's counters. */
  public enum Refusal {
    /** Shorter than {@link #MIN_ENVELOPE}, longer than {@link #MAX_ENVELOPE}, or a length field past its end. */
    MALFORMED("malformed"),
    /** A format byte this version does not know. */
    UNKNOWN_FORMAT("unknown-format"),
    /** Not sealed to this recipient, or altered: the AEAD (or a low-order key) refused it. */
    UNAUTHENTICATED("unauthenticated"),
    /** The Ed25519 identity inside does not vouch for the static key that sealed it: a forged sender. */
    BAD_BINDING("bad-binding");

    private final String code;

    Refusal(String code) {
      this.code = code;
    }

    /** The reason's name in counters and logs. */
    public String code() {
      return code;
    }
  }

  /** An envelope that does not open; {@link #refusal()} says why. */
  public static final class SealException extends Exception {
    private static final long serialVersionUID = 1L;
    private final Refusal refusal;

    SealException(Refusal refusal, String message) {
      super(refusal.code() + ": " + message);
      this.refusal = refusal;
    }

    public Refusal refusal() {
      return refusal;
    }
  }

  /**
   * An opened envelope: who sealed it (its Ed25519 identity, checked against its static key, and that
   * static key, authenticated by the Noise DH) and what it says.
   */
  public record Opened(byte[] senderSigningKey, byte[] senderStaticKey, byte[] plaintext) {
    public Opened {
      senderSigningKey = senderSigningKey.clone();
      senderStaticKey = senderStaticKey.clone();
      plaintext = plaintext.clone();
    }

    @Override
    public byte[] senderSigningKey() {
      return senderSigningKey.clone();
    }

    @Override
    public byte[] senderStaticKey() {
      return senderStaticKey.clone();
    }

    @Override
    public byte[] plaintext() {
      return plaintext.clone();
    }
  }

  private MailboxSeal() {}

  /** The prologue of an envelope for the mailbox of {@code recipientSigningKey} (raw Ed25519, 32 bytes). */
  public static byte[] prologue(byte[] recipientSigningKey) {
    if (recipientSigningKey == null || recipientSigningKey.length != Keys.KEY_LENGTH) {
      throw new IllegalArgumentException("the recipient's identity key must be " + Keys.KEY_LENGTH + " bytes");
    }
    return Bytes.concat(PROLOGUE_DOMAIN, recipientSigningKey);
  }

  /** The length of the envelope of a plaintext of {@code plaintextLength} bytes: all that its size tells. */
  public static int envelopeLength(int plaintextLength) {
    if (plaintextLength < 0 || plaintextLength > MAX_PLAINTEXT) {
      throw new IllegalArgumentException("plaintext length " + plaintextLength + " not in 0.." + MAX_PLAINTEXT);
    }
    return FORMAT_LENGTH + NOISE_OVERHEAD + paddedPayloadLength(plaintextLength);
  }

  private static int paddedPayloadLength(int plaintextLength) {
    int unpadded = PAYLOAD_HEADER + plaintextLength;
    int padded = (unpadded + PAD_BLOCK - 1) / PAD_BLOCK * PAD_BLOCK;
    return Math.min(padded, MAX_PAYLOAD);
  }

  /**
   * Seals {@code plaintext} from {@code sender} to the recipient whose X25519 static key is
   * {@code recipientStatic} and whose mailbox is its Ed25519 identity {@code recipientSigningKey}.
   *
   * @throws IllegalArgumentException for a plaintext over {@link #MAX_PLAINTEXT} or keys of the wrong length
   * @throws java.security.InvalidKeyException when {@code recipientStatic} is a low-order point (no honest key is)
   */
  public static byte[] seal(NodeIdentity sender, byte[] recipientStatic, byte[] recipientSigningKey,
      byte[] plaintext, CipherSuite suite) throws java.security.InvalidKeyException {
    return seal(sender, sender.signingPublicKey(), sender.staticBinding(), recipientStatic, recipientSigningKey,
        plaintext, suite);
  }

  /** {@link #seal} claiming any identity and binding: tests forge a sender with it. */
  static byte[] seal(NodeIdentity sender, byte[] claimedSigningKey, byte[] claimedBinding, byte[] recipientStatic,
      byte[] recipientSigningKey, byte[] plaintext, CipherSuite suite) throws java.security.InvalidKeyException {
    int padded = paddedPayloadLength(checkedLength(plaintext));
    ByteBuffer payload = ByteBuffer.allocate(padded); // zero-filled: the padding
    payload.put(claimedSigningKey).put(claimedBinding).putShort((short) plaintext.length).put(plaintext);
    NoiseHandshake x = NoiseHandshake.xInitiator(sender, recipientStatic, prologue(recipientSigningKey), suite);
    try {
      byte[] message = x.writeMessage(payload.array());
      return Bytes.concat(new byte[] {format(suite)}, message);
    } catch (HandshakeException e) {
      throw new java.security.InvalidKeyException("recipient static key is a low-order point", e);
    } finally {
      x.destroy(); // one message, never split: its ephemeral key and ck go now
    }
  }

  private static int checkedLength(byte[] plaintext) {
    if (plaintext.length > MAX_PLAINTEXT) {
      throw new IllegalArgumentException("plaintext of " + plaintext.length + " bytes; an envelope holds "
          + MAX_PLAINTEXT);
    }
    return plaintext.length;
  }

  /**
   * Opens an envelope sealed to {@code recipient}: the plaintext and its authenticated sender. Anything
   * else (altered, truncated, for someone else, a sender whose identity does not vouch for its static key)
   * throws with its {@link Refusal} and tells nothing more.
   */
  public static Opened open(NodeIdentity recipient, byte[] envelope) throws SealException {
    if (envelope.length < MIN_ENVELOPE || envelope.length > MAX_ENVELOPE) {
      throw new SealException(Refusal.MALFORMED, "envelope of " + envelope.length + " bytes, not "
          + MIN_ENVELOPE + ".." + MAX_ENVELOPE);
    }
    CipherSuite suite = suiteOf(envelope[0]);
    NoiseHandshake x = NoiseHandshake.xResponder(recipient, prologue(recipient.signingPublicKey()), suite);
    byte[] payload;
    try {
      payload = x.readMessage(Arrays.copyOfRange(envelope, FORMAT_LENGTH, envelope.length));
    } catch (HandshakeException e) {
      throw new SealException(Refusal.UNAUTHENTICATED, e.getMessage());
    } finally {
      x.destroy(); // one message, never split: its ck goes now, opened or not
    }
    ByteBuffer in = ByteBuffer.wrap(payload);
    byte[] signingKey = new byte[Keys.KEY_LENGTH];
    byte[] binding = new byte[Keys.SIGNATURE_LENGTH];
    in.get(signingKey).get(binding);
    int length = Short.toUnsignedInt(in.getShort());
    if (length > in.remaining()) {
      throw new SealException(Refusal.MALFORMED, "plaintext length " + length + " past the payload's end");
    }
    byte[] senderStatic = x.remoteStaticKey();
    if (!NodeIdentity.verifyStaticBinding(signingKey, senderStatic, binding)) {
      throw new SealException(Refusal.BAD_BINDING, "the sender's identity does not vouch for its static key");
    }
    byte[] plaintext = new byte[length];
    in.get(plaintext);
    return new Opened(signingKey, senderStatic, plaintext);
  }

  private static byte format(CipherSuite suite) {
    return suite == CipherSuite.AES_GCM ? FORMAT_AESGCM : FORMAT_CHACHA;
  }

  private static CipherSuite suiteOf(byte format) throws SealException {
    return switch (format) {
      case FORMAT_AESGCM -> CipherSuite.AES_GCM;
      case FORMAT_CHACHA -> CipherSuite.CHACHA20_POLY1305;
      default -> throw new SealException(Refusal.UNKNOWN_FORMAT, "envelope format " + Byte.toUnsignedInt(format));
    };
  }
}
