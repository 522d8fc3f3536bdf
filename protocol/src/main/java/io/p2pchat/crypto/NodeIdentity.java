package io.p2pchat.crypto;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

/**
 * The long-term keys of a node: an Ed25519 signing key (its identity, what users compare as a
 * fingerprint and what {@link KnownPeers} remembers) and an X25519 static key (its Noise static key).
 * The two keys are independent (one is not derived from the other), so the X25519 key is bound to the identity by an Ed25519
 * signature over {@code "p2pchat-static-v1" || x25519Pub} ({@link #staticBinding()}), which peers check
 * in {@link HandshakePayload#verify(byte[])}.
 *
 * <p>Immutable and thread-safe. {@link #loadOrCreate(Path)} blocks on file I/O: run it on a worker.
 */
public final class NodeIdentity {
  /** Domain separation for the static-key binding signature: it can never be confused with another signature. */
  static final byte[] STATIC_BINDING_CONTEXT = "p2pchat-static-v1".getBytes(StandardCharsets.US_ASCII);
  /** Bytes of SHA-256(ed25519Pub) shown as a fingerprint: 160 bits, enough against second preimages. */
  public static final int FINGERPRINT_BYTES = 20;
  /** Hex digits per space-separated fingerprint group, for reading aloud. */
  private static final int FINGERPRINT_GROUP = 4;
  /** Bytes of SHA-256(ed25519Pub) in a log key id: 32 bits tell peers apart in logs, not for security. */
  public static final int KEY_ID_BYTES = 4;
  /** A key file is a few hundred bytes; anything much larger is not ours. */
  static final int MAX_FILE_BYTES = 4096;
  static final String FILE_HEADER = "p2pchat-identity-v1";
  private static final String ED_SEED = "ed25519-seed";
  private static final String ED_PUBLIC = "ed25519-public";
  private static final String X_PRIVATE = "x25519-private";
  /** Domain separation of {@link #deriveSecret}: its outputs are never keys of another use. */
  private static final byte[] DERIVE_CONTEXT = "p2pchat-derive-v1 ".getBytes(StandardCharsets.US_ASCII);
  private static final String DERIVE_MAC = "HmacSHA256";

  private final byte[] signingPrivate;
  private final byte[] signingPublic;
  private final byte[] staticPrivate;
  private final byte[] staticPublic;
  private final byte[] staticBinding;

  private NodeIdentity(byte[] signingPrivate, byte[] signingPublic, byte[] staticPrivate, byte[] staticPublic) {
    this.signingPrivate = signingPrivate.clone();
    this.signingPublic = signingPublic.clone();
    this.staticPrivate = staticPrivate.clone();
    this.staticPublic = staticPublic.clone();
    this.staticBinding = sign(bindingMessage(staticPublic));
  }

  /** A fresh random identity, in memory only (tests, ephemeral nodes). */
  public static NodeIdentity generate() {
    return of(Keys.generateEd25519(), Keys.generateX25519());
  }

  /**
   * An identity whose private keys are drawn from {@code random}, in memory only: a deterministic
   * {@code random} (a seeded DRBG) gives the same identity again, so a load generator can simulate a
   * million clients keeping nothing but a seed each ({@code bench rendezvous}). Never for a real node.
   */
  public static NodeIdentity generate(java.security.SecureRandom random) {
    byte[] seed = new byte[Keys.KEY_LENGTH];
    random.nextBytes(seed);
    byte[] x = new byte[Keys.KEY_LENGTH];
    random.nextBytes(x);
    return of(seed, x);
  }

  private static NodeIdentity of(byte[] seed, byte[] x) {
    try {
      return new NodeIdentity(seed, Keys.ed25519PublicOf(seed), x, Keys.x25519PublicOf(x));
    } catch (InvalidKeyException e) {
      throw new IllegalStateException("BUG: a generated key has the wrong length", e);
    }
  }

  /**
   * Loads the identity from {@code keyFile}, creating it (owner-only, atomically) if it does not exist.
   * BLOCKING: call from a worker. A file that exists but cannot be read or parsed, or whose permissions
   * let others read it, throws {@link IdentityException}: never a silent new identity.
   */
  public static NodeIdentity loadOrCreate(Path keyFile) throws IdentityException {
    try {
      return load(keyFile);
    } catch (NoSuchFileException e) {
      // first start: create below
    } catch (IOException e) {
      throw new IdentityException("cannot read identity file " + keyFile + ": " + e.getMessage(), e);
    }
    NodeIdentity created = generate();
    try {
      if (SecureFiles.writeOwnerOnly(keyFile, created.encodeFile(), false)) {
        return created;
      }
      return load(keyFile); // another process created it meanwhile: use theirs
    } catch (IOException e) {
      throw new IdentityException("cannot write identity file " + keyFile + ": " + e.getMessage(), e);
    }
  }

  private static NodeIdentity load(Path keyFile) throws IOException, IdentityException {
    byte[] bytes = SecureFiles.readBounded(keyFile, MAX_FILE_BYTES);
    String open = SecureFiles.tooOpen(keyFile);
    if (open != null) {
      throw new IdentityException("identity file " + keyFile + " is accessible by others (" + open
          + "); run: chmod 600 " + keyFile);
    }
    try {
      return decodeFile(new String(bytes, StandardCharsets.UTF_8));
    } catch (IllegalArgumentException | InvalidKeyException e) {
      throw new IdentityException("corrupt identity file " + keyFile + ": " + e.getMessage()
          + " (restore it from a backup, or delete it to create a new identity)", e);
    }
  }

  private byte[] encodeFile() {
    Base64.Encoder b64 = Base64.getEncoder();
    String text = FILE_HEADER + "\n"
        + "# p2pchat node identity: private keys, keep this file secret and do not edit it\n"
        + ED_SEED + " " + b64.encodeToString(signingPrivate) + "\n"
        + ED_PUBLIC + " " + b64.encodeToString(signingPublic) + "\n"
        + X_PRIVATE + " " + b64.encodeToString(staticPrivate) + "\n";
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static NodeIdentity decodeFile(String text) throws InvalidKeyException {
    List<String> lines = text.lines().map(String::strip)
        .filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
    if (lines.size() != 4 || !lines.get(0).equals(FILE_HEADER)) {
      throw new IllegalArgumentException("expected header '" + FILE_HEADER + "' and 3 key lines");
    }
    byte[] seed = field(lines.get(1), ED_SEED);
    byte[] edPub = field(lines.get(2), ED_PUBLIC);
    byte[] xPriv = field(lines.get(3), X_PRIVATE);
    if (!Arrays.equals(edPub, Keys.ed25519PublicOf(seed))) {
      throw new IllegalArgumentException("Ed25519 public key does not match the seed");
    }
    return new NodeIdentity(seed, edPub, xPriv, Keys.x25519PublicOf(xPriv));
  }

  private static byte[] field(String line, String name) {
    String[] parts = line.split(" ", -1);
    if (parts.length != 2 || !parts[0].equals(name)) {
      throw new IllegalArgumentException("expected '" + name + " <base64>'");
    }
    byte[] value = Base64.getDecoder().decode(parts[1]); // IllegalArgumentException on bad base64
    if (value.length != Keys.KEY_LENGTH) {
      throw new IllegalArgumentException(name + " must be " + Keys.KEY_LENGTH + " bytes");
    }
    return value;
  }

  /** Raw 32-byte Ed25519 public key: the node's identity. */
  public byte[] signingPublicKey() {
    return signingPublic.clone();
  }

  /** Raw 32-byte X25519 public key: the node's Noise static key. */
  public byte[] staticPublicKey() {
    return staticPublic.clone();
  }

  /** Ed25519 signature over {@code "p2pchat-static-v1" || staticPublicKey()}. */
  public byte[] staticBinding() {
    return staticBinding.clone();
  }

  byte[] staticPrivateKey() {
    return staticPrivate.clone();
  }

  /**
   * A 32-byte secret for {@code label}, derived from this identity's X25519 private key:
   * HMAC-SHA256(private key, {@code "p2pchat-derive-v1 " || label}). The same for every process that
   * loads the same key file (so it survives a restart), unknowable without that file, and independent
   * for each label (a secret for one use never serves another). Used for the control channel's
   * stateless reset tokens ({@code io.p2pchat.control.ResetTokens}).
   */
  public byte[] deriveSecret(String label) {
    byte[] key = staticPrivate.clone();
    try {
      javax.crypto.Mac mac = javax.crypto.Mac.getInstance(DERIVE_MAC);
      mac.init(new javax.crypto.spec.SecretKeySpec(key, DERIVE_MAC));
      mac.update(DERIVE_CONTEXT);
      return mac.doFinal(label.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("JDK lacks " + DERIVE_MAC, e);
    } finally {
      Arrays.fill(key, (byte) 0);
    }
  }

  /** Ed25519 signature of {@code data} (64 bytes). */
  public byte[] sign(byte[] data) {
    return Keys.ed25519Sign(signingPrivate, signingPublic, data);
  }

  /** Checks an Ed25519 signature; false (never an exception) for a bad key, length or signature. */
  public static boolean verify(byte[] ed25519Pub, byte[] data, byte[] sig) {
    return Keys.ed25519Verify(ed25519Pub, data, sig);
  }

  /**
   * True if {@code sig} is {@code ed25519Pub}'s signature binding the X25519 key {@code x25519Pub}
   * (as {@link #staticBinding()} makes it): the holder of the identity key vouches for that static key.
   */
  public static boolean verifyStaticBinding(byte[] ed25519Pub, byte[] x25519Pub, byte[] sig) {
    return x25519Pub != null && verify(ed25519Pub, bindingMessage(x25519Pub), sig);
  }

  static byte[] bindingMessage(byte[] x25519Pub) {
    byte[] msg = Arrays.copyOf(STATIC_BINDING_CONTEXT, STATIC_BINDING_CONTEXT.length + x25519Pub.length);
    System.arraycopy(x25519Pub, 0, msg, STATIC_BINDING_CONTEXT.length, x25519Pub.length);
    return msg;
  }

  /** Human-comparable fingerprint of this identity, e.g. {@code "a1b2 c3d4 ... (10 groups)"}. */
  public String fingerprint() {
    return fingerprintOf(signingPublic);
  }

  /** Fingerprint of a raw Ed25519 public key: SHA-256, first 20 bytes, hex in groups of 4 digits. */
  public static String fingerprintOf(byte[] ed25519Pub) {
    return groupedHex(sha256(ed25519Pub), FINGERPRINT_BYTES);
  }

  /** The first {@code length} bytes of {@code digest} in hex, in space-separated groups of 4 digits, as fingerprints print. */
  public static String groupedHex(byte[] digest, int length) {
    String hex = HexFormat.of().formatHex(digest, 0, length);
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < hex.length(); i += FINGERPRINT_GROUP) {
      if (i > 0) {
        sb.append(' ');
      }
      sb.append(hex, i, i + FINGERPRINT_GROUP);
    }
    return sb.toString();
  }

  /** Short id for logs (8 hex digits): never a secret, not for security decisions. */
  public String keyId() {
    return keyIdOf(signingPublic);
  }

  /** Short log id of a raw Ed25519 public key. */
  public static String keyIdOf(byte[] ed25519Pub) {
    return HexFormat.of().formatHex(sha256(ed25519Pub), 0, KEY_ID_BYTES);
  }

  static byte[] sha256(byte[] data) {
    return ThreadJce.sha256(data);
  }

  @Override
  public String toString() {
    return "NodeIdentity[" + keyId() + "]"; // never the keys
  }
}
