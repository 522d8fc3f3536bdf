package io.p2pchat.crypto;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.EdECPrivateKey;
import java.security.interfaces.EdECPublicKey;
import java.security.interfaces.XECPrivateKey;
import java.security.interfaces.XECPublicKey;
import java.security.spec.EdECPoint;
import java.security.spec.EdECPrivateKeySpec;
import java.security.spec.EdECPublicKeySpec;
import java.security.spec.NamedParameterSpec;
import java.security.spec.XECPrivateKeySpec;
import java.security.spec.XECPublicKeySpec;
import javax.crypto.KeyAgreement;

/**
 * Raw 32-byte encodings (RFC 7748 / RFC 8032) of X25519 and Ed25519 keys, to and from JDK key objects.
 * Raw bytes are what goes on the wire and into files; JDK objects are what the JDK signs and agrees with.
 */
public final class Keys {
  /** Length of every raw X25519/Ed25519 public key, X25519 private key and Ed25519 seed. */
  public static final int KEY_LENGTH = 32;
  /** Length of an Ed25519 signature. */
  public static final int SIGNATURE_LENGTH = 64;
  /** RFC 7748 section 5: the X25519 base point has u = 9. */
  private static final BigInteger X25519_BASE_U = BigInteger.valueOf(9);
  /** RFC 7748 section 5: the top bit of a received u-coordinate is masked. */
  private static final int TOP_BIT = 0x80;

  private Keys() {}

  // ---- X25519 ----

  /** A fresh random X25519 key pair. */
  public static KeyPair generateX25519() {
    return generate("X25519");
  }

  /** An X25519 key pair whose private key is drawn from {@code random} (a seeded one gives the same pair again). */
  public static KeyPair generateX25519(java.security.SecureRandom random) {
    return generate("X25519", random);
  }

  /** JDK public key of a raw 32-byte u-coordinate (little-endian, top bit masked per RFC 7748). */
  public static PublicKey x25519Public(byte[] raw) throws InvalidKeyException {
    checkLength(raw, "X25519 public key");
    byte[] be = reverse(raw);
    be[0] &= (byte) ~TOP_BIT;
    try {
      return KeyFactory.getInstance("XDH")
          .generatePublic(new XECPublicKeySpec(NamedParameterSpec.X25519, new BigInteger(1, be)));
    } catch (GeneralSecurityException e) {
      throw new InvalidKeyException("bad X25519 public key", e);
    }
  }

  /** Raw 32-byte little-endian u-coordinate of a JDK X25519 public key. */
  public static byte[] rawX25519Public(PublicKey key) {
    BigInteger u = ((XECPublicKey) key).getU();
    return reverse(toFixedBigEndian(u));
  }

  /** JDK private key of a raw 32-byte X25519 scalar (the JDK clamps it when used). */
  public static PrivateKey x25519Private(byte[] raw) throws InvalidKeyException {
    checkLength(raw, "X25519 private key");
    try {
      return KeyFactory.getInstance("XDH")
          .generatePrivate(new XECPrivateKeySpec(NamedParameterSpec.X25519, raw.clone()));
    } catch (GeneralSecurityException e) {
      throw new InvalidKeyException("bad X25519 private key", e);
    }
  }

  /** Raw 32-byte scalar of a JDK X25519 private key. */
  public static byte[] rawX25519Private(PrivateKey key) {
    return ((XECPrivateKey) key).getScalar().orElseThrow(() -> new IllegalStateException("X25519 scalar not extractable"));
  }

  /** X25519(priv, 9): the raw public key belonging to a private key. */
  public static byte[] x25519PublicOf(PrivateKey priv) throws InvalidKeyException {
    PublicKey base;
    try {
      base = KeyFactory.getInstance("XDH")
          .generatePublic(new XECPublicKeySpec(NamedParameterSpec.X25519, X25519_BASE_U));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("JDK lacks X25519", e);
    }
    return agree(priv, base);
  }

  /** X25519 shared secret with a raw remote public key; rejects low-order points (all-zero output). */
  public static byte[] dh(PrivateKey priv, byte[] remoteRaw) throws InvalidKeyException {
    return agree(priv, x25519Public(remoteRaw));
  }

  private static byte[] agree(PrivateKey priv, PublicKey pub) throws InvalidKeyException {
    try {
      KeyAgreement ka = KeyAgreement.getInstance("X25519");
      ka.init(priv);
      ka.doPhase(pub, true);
      return ka.generateSecret();
    } catch (InvalidKeyException e) {
      throw e;
    } catch (GeneralSecurityException | IllegalStateException e) {
      throw new InvalidKeyException("X25519 agreement failed", e);
    }
  }

  // ---- Ed25519 ----

  /** A fresh random Ed25519 key pair. */
  public static KeyPair generateEd25519() {
    return generate("Ed25519");
  }

  /** An Ed25519 key pair whose seed is drawn from {@code random} (a seeded one gives the same pair again). */
  public static KeyPair generateEd25519(java.security.SecureRandom random) {
    return generate("Ed25519", random);
  }

  /** JDK public key of a raw 32-byte Ed25519 point encoding (RFC 8032 section 5.1.2). */
  public static PublicKey ed25519Public(byte[] raw) throws InvalidKeyException {
    checkLength(raw, "Ed25519 public key");
    byte[] be = reverse(raw);
    boolean xOdd = (be[0] & TOP_BIT) != 0;
    be[0] &= (byte) ~TOP_BIT;
    try {
      return KeyFactory.getInstance("Ed25519").generatePublic(
          new EdECPublicKeySpec(NamedParameterSpec.ED25519, new EdECPoint(xOdd, new BigInteger(1, be))));
    } catch (GeneralSecurityException e) {
      throw new InvalidKeyException("bad Ed25519 public key", e);
    }
  }

  /** Raw 32-byte encoding of a JDK Ed25519 public key: y little-endian, top bit = x is odd. */
  public static byte[] rawEd25519Public(PublicKey key) {
    EdECPoint point = ((EdECPublicKey) key).getPoint();
    byte[] be = toFixedBigEndian(point.getY());
    if (point.isXOdd()) {
      be[0] |= (byte) TOP_BIT;
    }
    return reverse(be);
  }

  /** JDK private key of a raw 32-byte Ed25519 seed. */
  public static PrivateKey ed25519Private(byte[] seed) throws InvalidKeyException {
    checkLength(seed, "Ed25519 seed");
    try {
      return KeyFactory.getInstance("Ed25519")
          .generatePrivate(new EdECPrivateKeySpec(NamedParameterSpec.ED25519, seed.clone()));
    } catch (GeneralSecurityException e) {
      throw new InvalidKeyException("bad Ed25519 seed", e);
    }
  }

  /** Raw 32-byte seed of a JDK Ed25519 private key. */
  public static byte[] rawEd25519Private(PrivateKey key) {
    return ((EdECPrivateKey) key).getBytes().orElseThrow(() -> new IllegalStateException("Ed25519 seed not extractable"));
  }

  // ---- helpers ----

  private static KeyPair generate(String algorithm) {
    try {
      return KeyPairGenerator.getInstance(algorithm).generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("JDK lacks " + algorithm, e);
    }
  }

  private static KeyPair generate(String algorithm, java.security.SecureRandom random) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm);
      generator.initialize(new java.security.spec.NamedParameterSpec(algorithm), random);
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("JDK lacks " + algorithm, e);
    }
  }

  private static void checkLength(byte[] raw, String what) throws InvalidKeyException {
    if (raw == null || raw.length != KEY_LENGTH) {
      throw new InvalidKeyException(what + " must be " + KEY_LENGTH + " bytes");
    }
  }

  /** Unsigned big-endian in exactly 32 bytes (BigInteger may add a sign byte or drop leading zeros). */
  private static byte[] toFixedBigEndian(BigInteger value) {
    byte[] bytes = value.toByteArray();
    byte[] out = new byte[KEY_LENGTH];
    int copy = Math.min(bytes.length, KEY_LENGTH);
    System.arraycopy(bytes, bytes.length - copy, out, KEY_LENGTH - copy, copy);
    return out;
  }

  private static byte[] reverse(byte[] in) {
    byte[] out = new byte[in.length];
    for (int i = 0; i < in.length; i++) {
      out[i] = in[in.length - 1 - i];
    }
    return out;
  }
}
