package io.p2pchat.crypto;

import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The JCE objects of one thread for the one-shot hashes and MACs a handshake makes: SHA-256 (Noise's MixHash,
 * ~8 an IK handshake) and HMAC-SHA256 (its HKDF, 3 per MixKey: ~15; a PROBE's tag; resumption's keys). A
 * {@code getInstance} per call looks the provider's service up and builds a new object each time; a rendezvous
 * makes ~25 of them per registration, so each thread keeps one of each and pays only the {@code init}. The
 * AEADs (AES-GCM, ChaCha20-Poly1305) are {@link ThreadCiphers}'s, the one owner of per-thread cipher objects.
 * Like it: a ThreadLocal, nothing handed out beyond one call, never shared between threads.
 */
public final class ThreadJce {

  private static final String HMAC = "HmacSHA256";
  private static final ThreadLocal<ThreadJce> CURRENT = ThreadLocal.withInitial(ThreadJce::new);

  private final MessageDigest sha256 = sha256Instance();
  private final Mac hmac = ProbeMac.newMac(HMAC);

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

  private static MessageDigest sha256Instance() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("JDK lacks SHA-256", e);
    }
  }
}
