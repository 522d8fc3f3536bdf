package io.p2pchat.crypto;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;

/** HMAC-SHA256 truncated to 16 bytes: authenticates punch probes under an introduction secret. */
public final class ProbeMac {

  /** 128 bits: forging one probe is as hard as guessing a random 128-bit value. */
  public static final int MAC_SIZE = 16;
  private static final String ALGORITHM = "HmacSHA256";

  private ProbeMac() {
  }

  public static byte[] compute(byte[] key, byte[] data, int off, int len) {
    try {
      Mac mac = Mac.getInstance(ALGORITHM);
      mac.init(new SecretKeySpec(key, ALGORITHM));
      mac.update(data, off, len);
      return Arrays.copyOf(mac.doFinal(), MAC_SIZE);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("BUG: HmacSHA256 unavailable", e);
    }
  }

  /** Constant-time check of {@code mac} against the MAC of {@code data[off, off+len)}. */
  public static boolean verify(byte[] key, byte[] data, int off, int len, byte[] mac) {
    return MessageDigest.isEqual(compute(key, data, off, len), mac);
  }
}
