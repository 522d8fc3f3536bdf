package io.p2pchat.crypto;

import java.security.GeneralSecurityException;
import java.security.spec.AlgorithmParameterSpec;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The AEAD of a Noise protocol and of the DATA packets that follow it. Both ciphers come from the JDK;
 * the nonce layout is the one Noise (rev 34, section 12) fixes for each, so a packet counter maps to
 * the same 96-bit nonce every conforming implementation would use.
 */
public enum CipherSuite {
  /** ChaCha20-Poly1305: nonce = 4 zero bytes || 64-bit counter little-endian. */
  CHACHA20_POLY1305("ChaChaPoly", "ChaCha20-Poly1305", "ChaCha20", false),
  /** AES-256-GCM: nonce = 4 zero bytes || 64-bit counter big-endian. */
  AES_GCM("AESGCM", "AES/GCM/NoPadding", "AES", true);

  /** Key length of both ciphers in bytes (Noise: 32). */
  public static final int KEY_LENGTH = 32;
  /** Authentication tag length of both ciphers in bytes (Noise: 16). */
  public static final int TAG_LENGTH = 16;
  /** Nonce length of both ciphers in bytes (96 bits). */
  static final int NONCE_LENGTH = 12;
  /** Counter bytes start after 4 zero bytes of the nonce. */
  private static final int COUNTER_OFFSET = 4;
  /** Noise reserves nonce 2^64-1 for Rekey(); as an unsigned u64 it is all ones, i.e. -1L. */
  static final long REKEY_NONCE = -1L;
  private static final int TAG_BITS = TAG_LENGTH * 8;

  private final String noiseName;
  private final String transformation;
  private final String keyAlgorithm;
  private final boolean bigEndianNonce;

  CipherSuite(String noiseName, String transformation, String keyAlgorithm, boolean bigEndianNonce) {
    this.noiseName = noiseName;
    this.transformation = transformation;
    this.keyAlgorithm = keyAlgorithm;
    this.bigEndianNonce = bigEndianNonce;
  }

  /** The cipher name inside a Noise protocol name ("ChaChaPoly" or "AESGCM"). */
  public String noiseName() {
    return noiseName;
  }

  /** Full Noise protocol name of the XX handshake with this cipher. */
  public String noiseProtocolName() {
    return noiseProtocolName(NoiseHandshake.Pattern.XX);
  }

  /** Full Noise protocol name of {@code pattern} with this cipher, e.g. {@code Noise_IK_25519_AESGCM_SHA256}. */
  public String noiseProtocolName(NoiseHandshake.Pattern pattern) {
    return "Noise_" + pattern.name() + "_25519_" + noiseName + "_SHA256";
  }

  /** A new JDK cipher object for this suite; callers keep one per direction. */
  Cipher newCipher() {
    try {
      return Cipher.getInstance(transformation);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("JDK lacks " + transformation, e);
    }
  }

  SecretKeySpec key(byte[] key) {
    return new SecretKeySpec(checkedKey(key), keyAlgorithm);
  }

  /** {@code key}, once it is known to have this suite's length. */
  byte[] checkedKey(byte[] key) {
    if (key.length != KEY_LENGTH) {
      throw new IllegalArgumentException("key must be " + KEY_LENGTH + " bytes");
    }
    return key;
  }

  /** The JCE algorithm name of this suite's keys ("AES", "ChaCha20"). */
  String keyAlgorithm() {
    return keyAlgorithm;
  }

  /**
   * This suite's AEAD of {@code plain} under {@code key} (32 bytes) and the explicit 12-byte {@code nonce},
   * {@code aad} authenticated: for a message that is the only one ever sealed under its key (nonce zero), or
   * sealed under a random nonce, where no counter runs. Borrows the thread's cipher, as a packet does. A
   * (key, nonce) must never seal twice: a repeat of the thread's previous seal throws IllegalStateException
   * (nonce reuse), as the JDK refuses it.
   */
  public byte[] seal(byte[] key, byte[] nonce, byte[] aad, byte[] plain) {
    return ThreadCiphers.current().seal(this, key, nonce, aad, plain);
  }

  /** Opens what {@link #seal} sealed; throws {@link AEADBadTagException} on any change. */
  public byte[] open(byte[] key, byte[] nonce, byte[] aad, byte[] sealed) throws AEADBadTagException {
    return ThreadCiphers.current().open(this, key, nonce, aad, sealed);
  }

  /** {@code explicitNonce} (12 bytes) in a spec of this suite. */
  AlgorithmParameterSpec nonce(byte[] explicitNonce) {
    if (explicitNonce.length != NONCE_LENGTH) {
      throw new IllegalArgumentException("nonce must be " + NONCE_LENGTH + " bytes");
    }
    return bigEndianNonce ? new GCMParameterSpec(TAG_BITS, explicitNonce) : new IvParameterSpec(explicitNonce);
  }

  /** Writes the nonce of {@code counter} into the 12-byte {@code nonce} and wraps it in a spec. */
  AlgorithmParameterSpec nonce(long counter, byte[] nonce) {
    for (int i = 0; i < COUNTER_OFFSET; i++) {
      nonce[i] = 0;
    }
    for (int i = 0; i < Long.BYTES; i++) {
      int shift = bigEndianNonce ? (Long.BYTES - 1 - i) * 8 : i * 8;
      nonce[COUNTER_OFFSET + i] = (byte) (counter >>> shift);
    }
    return bigEndianNonce ? new GCMParameterSpec(TAG_BITS, nonce) : new IvParameterSpec(nonce);
  }

  /**
   * Noise Rekey(k): the first 32 bytes of ENCRYPT(k, 2^64-1, empty ad, 32 zero bytes). Uses its own
   * cipher object so the caller's per-direction cipher keeps its state.
   */
  byte[] rekey(byte[] key) {
    try {
      Cipher cipher = newCipher();
      cipher.init(Cipher.ENCRYPT_MODE, key(key), nonce(REKEY_NONCE, new byte[NONCE_LENGTH]));
      byte[] out = cipher.doFinal(new byte[KEY_LENGTH]);
      byte[] next = java.util.Arrays.copyOf(out, KEY_LENGTH);
      java.util.Arrays.fill(out, (byte) 0); // the next key's bytes, and the tag: nothing of them stays behind
      return next;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("BUG: rekey failed", e);
    }
  }
}
