package io.p2pchat.crypto;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import javax.crypto.Mac;

/**
 * HMAC-SHA256 truncated to 16 bytes: the MAC of PROBE packets under an introduction secret. 128 bits
 * is the usual truncation floor for HMAC tags (NIST SP 800-107) and saves 16 bytes per probe.
 * Thread-safe (the thread's HMAC of {@link ThreadJce}).
 */
public final class ProbeMac {
  /** Bytes of the truncated tag. */
  public static final int LENGTH = 16;

  private ProbeMac() {}

  /** HMAC-SHA256(key, data[off, off+len)) truncated to {@link #LENGTH} bytes. */
  public static byte[] compute(byte[] key, byte[] data, int off, int len) {
    return Arrays.copyOf(ThreadJce.hmacSha256(key, data, off, len), LENGTH);
  }

  /** Constant-time check of a 16-byte tag at {@code tag[tagOff]} against the data. */
  public static boolean verify(byte[] key, byte[] data, int off, int len, byte[] tag, int tagOff) {
    if (tagOff < 0 || tag.length - tagOff < LENGTH) {
      return false;
    }
    byte[] expected = compute(key, data, off, len);
    return MessageDigest.isEqual(expected, Arrays.copyOfRange(tag, tagOff, tagOff + LENGTH));
  }

  static Mac newMac(String algorithm) {
    try {
      return Mac.getInstance(algorithm);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("JDK lacks " + algorithm, e);
    }
  }
}
