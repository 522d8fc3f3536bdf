package io.p2pchat.crypto;

import java.security.InvalidKeyException;
import java.security.SecureRandom;
import org.bouncycastle.math.ec.rfc7748.X25519;
import org.bouncycastle.math.ec.rfc8032.Ed25519;

/**
 * X25519 (RFC 7748) and Ed25519 (RFC 8032) on raw 32-byte keys, through Bouncy Castle's low-level
 * {@code rfc7748.X25519} / {@code rfc8032.Ed25519}: the same bytes go on the wire, into files and into
 * the operations, with no key objects in between. Chosen over the JDK's {@code KeyAgreement "X25519"} /
 * {@code Signature "Ed25519"} by {@code KeyOpsBench} (docs/BENCH.md): ~9x the verifies, ~2x the
 * agreements and ~10x the key generations per core, which is what a registration costs the rendezvous.
 * Every operation is counted in {@link PublicKeyOps}. Thread-safe (Bouncy Castle's precomputed tables
 * are built once, under its own lock).
 */
public final class Keys {
  /** Length of every raw X25519/Ed25519 public key, X25519 private key and Ed25519 seed. */
  public static final int KEY_LENGTH = 32;
  /** Length of an Ed25519 signature. */
  public static final int SIGNATURE_LENGTH = 64;
  /** One process-wide generator: SecureRandom is thread-safe, and seeding one per key would be slow. */
  private static final SecureRandom RANDOM = new SecureRandom();

  private Keys() {}

  // ---- X25519 ----

  /** A fresh random raw X25519 private key (32 bytes; clamped when used, RFC 7748 section 5). */
  public static byte[] generateX25519() {
    byte[] priv = new byte[KEY_LENGTH];
    X25519.generatePrivateKey(RANDOM, priv);
    return priv;
  }

  /** X25519(priv, 9): the raw public key belonging to a raw private key. */
  public static byte[] x25519PublicOf(byte[] priv) throws InvalidKeyException {
    checkLength(priv, "X25519 private key");
    PublicKeyOps.record(PublicKeyOps.Kind.X25519_GENERATE);
    byte[] pub = new byte[KEY_LENGTH];
    X25519.generatePublicKey(priv, 0, pub, 0);
    return pub;
  }

  /**
   * X25519 shared secret of a raw private key and a raw remote public key (its top bit masked, RFC
   * 7748 section 5); rejects low-order points (an all-zero output).
   */
  public static byte[] dh(byte[] priv, byte[] remoteRaw) throws InvalidKeyException {
    checkLength(priv, "X25519 private key");
    checkLength(remoteRaw, "X25519 public key");
    PublicKeyOps.record(PublicKeyOps.Kind.X25519_AGREE);
    byte[] shared = new byte[KEY_LENGTH];
    if (!X25519.calculateAgreement(priv, 0, remoteRaw, 0, shared, 0)) {
      throw new InvalidKeyException("X25519 agreement with a low-order point");
    }
    return shared;
  }

  // ---- Ed25519 ----

  /** A fresh random raw Ed25519 seed (the private key of RFC 8032 section 5.1.5). */
  public static byte[] generateEd25519() {
    byte[] seed = new byte[Ed25519.SECRET_KEY_SIZE]; // 32 uniformly random bytes (RFC 8032 section 5.1.5)
    RANDOM.nextBytes(seed);
    return seed;
  }

  /** The raw public key (RFC 8032 section 5.1.5) of a raw seed. */
  public static byte[] ed25519PublicOf(byte[] seed) throws InvalidKeyException {
    checkLength(seed, "Ed25519 seed");
    byte[] pub = new byte[KEY_LENGTH];
    Ed25519.generatePublicKey(seed, 0, pub, 0);
    return pub;
  }

  /** Ed25519 signature (pure, no context) of {@code data} by {@code seed}, whose public key is {@code pub}. */
  public static byte[] ed25519Sign(byte[] seed, byte[] pub, byte[] data) {
    PublicKeyOps.record(PublicKeyOps.Kind.ED25519_SIGN);
    byte[] sig = new byte[SIGNATURE_LENGTH];
    Ed25519.sign(seed, 0, pub, 0, data, 0, data.length, sig, 0);
    return sig;
  }

  /** Checks an Ed25519 signature; false (never an exception) for a bad key, length or signature. */
  public static boolean ed25519Verify(byte[] pub, byte[] data, byte[] sig) {
    if (pub == null || pub.length != KEY_LENGTH || sig == null || sig.length != SIGNATURE_LENGTH || data == null) {
      return false;
    }
    PublicKeyOps.record(PublicKeyOps.Kind.ED25519_VERIFY);
    try {
      return Ed25519.verify(sig, 0, pub, 0, data, 0, data.length);
    } catch (RuntimeException e) {
      return false;
    }
  }

  private static void checkLength(byte[] raw, String what) throws InvalidKeyException {
    if (raw == null || raw.length != KEY_LENGTH) {
      throw new InvalidKeyException(what + " must be " + KEY_LENGTH + " bytes");
    }
  }
}
