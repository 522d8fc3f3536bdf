package io.p2pchat.crypto;

import java.security.GeneralSecurityException;
import java.security.InvalidAlgorithmParameterException;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The JCE objects of one thread for the one-shot hashes, MACs and AES-GCM seals a handshake makes: SHA-256
 * (Noise's MixHash, ~8 an IK handshake), HMAC-SHA256 (its HKDF, 3 per MixKey: ~15; a PROBE's tag) and the AES-GCM of a
 * resumption ticket or RESUMED. A {@code getInstance} per call looks the provider's service up and builds a new
 * object each time (an AES-GCM {@code Cipher} is ~1.5 KiB); a rendezvous makes ~25 of them per registration,
 * so each thread keeps one of each and pays only the {@code init}. Like {@link ThreadCiphers}: a ThreadLocal,
 * nothing handed out beyond one call, never shared between threads.
 */
public final class ThreadJce {

  private static final String HMAC = "HmacSHA256";
  private static final String GCM = "AES/GCM/NoPadding";
  private static final int GCM_TAG_BITS = CipherSuite.TAG_LENGTH * Byte.SIZE;
  private static final ThreadLocal<ThreadJce> CURRENT = ThreadLocal.withInitial(ThreadJce::new);

  private final MessageDigest sha256 = sha256Instance();
  private final Mac hmac = ProbeMac.newMac(HMAC);
  /** Distinct objects for each direction, as in {@link ThreadCiphers}. */
  private final Cipher seal = gcmInstance();
  private final Cipher open = gcmInstance();

  private ThreadJce() {
  }

  /** SHA-256 of the concatenation of {@code parts}. */
  public static byte[] sha256(byte[]... parts) {
    MessageDigest md = CURRENT.get().sha256;
    for (byte[] p : parts) {
      md.update(p);
    }
    return md.digest(); // digest() resets it for the next call
  }

  /** HMAC-SHA256 under {@code key} of the concatenation of {@code parts}. */
  public static byte[] hmacSha256(byte[] key, byte[]... parts) {
    Mac mac = keyed(key);
    for (byte[] p : parts) {
      mac.update(p);
    }
    return mac.doFinal(); // doFinal() resets it for the next call
  }

  /** HMAC-SHA256 under {@code key} of {@code data[off, off+len)}. */
  public static byte[] hmacSha256(byte[] key, byte[] data, int off, int len) {
    Mac mac = keyed(key);
    mac.update(data, off, len);
    return mac.doFinal();
  }

  /** This thread's HMAC-SHA256, initialised with {@code key}. */
  private static Mac keyed(byte[] key) {
    Mac mac = CURRENT.get().hmac;
    try {
      mac.init(new SecretKeySpec(key, HMAC));
    } catch (InvalidKeyException e) {
      throw new IllegalArgumentException("bad HMAC key", e);
    }
    return mac;
  }

  /**
   * AES-GCM of {@code plain} under {@code key} (16 or 32 bytes) and the 12-byte {@code nonce}, {@code aad}
   * authenticated. A (key, nonce) must never seal twice: a second plaintext under it gives away the XOR of the
   * two and GHASH's key (forgeries). The JDK refuses a repeat of the last (key, nonce) on one cipher object,
   * and so does this: {@link IllegalStateException}, never a fresh object that would let the repeat through.
   */
  public static byte[] aesGcmSeal(byte[] key, byte[] nonce, byte[] aad, byte[] plain) {
    try {
      Cipher c = CURRENT.get().seal;
      try {
        c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(GCM_TAG_BITS, nonce));
      } catch (InvalidAlgorithmParameterException sameKeyAndNonceAsTheLastSeal) {
        throw new IllegalStateException("BUG: AES-GCM nonce reuse: the (key, nonce) of the last seal again",
            sameKeyAndNonceAsTheLastSeal);
      }
      c.updateAAD(aad);
      return c.doFinal(plain);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("JDK lacks AES-GCM", e);
    }
  }

  /** Opens what {@link #aesGcmSeal} sealed; throws {@link AEADBadTagException} on any change. */
  public static byte[] aesGcmOpen(byte[] key, byte[] nonce, byte[] aad, byte[] sealed) throws AEADBadTagException {
    try {
      Cipher c = CURRENT.get().open;
      c.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(GCM_TAG_BITS, nonce));
      c.updateAAD(aad);
      return c.doFinal(sealed);
    } catch (AEADBadTagException e) {
      throw e;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("JDK lacks AES-GCM", e);
    }
  }

  private static MessageDigest sha256Instance() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("JDK lacks SHA-256", e);
    }
  }

  private static Cipher gcmInstance() {
    try {
      return Cipher.getInstance(GCM);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("JDK lacks " + GCM, e);
    }
  }
}
