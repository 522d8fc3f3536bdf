package io.p2pchat.crypto;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Stateless address-ownership cookies for the rendezvous (like WireGuard cookies and QUIC Retry
 * tokens): the server answers a first packet with a cookie, and only does work for a source that
 * echoes it, which proves it receives packets at that address (no spoofed-source amplification).
 * <pre>
 *   cookie = HMAC-SHA256(secret[bucket], bucket u64 | addrLen u8 | address bytes | port u16)[0..16)
 * </pre>
 * Time is cut into {@link #BUCKET_MILLIS} buckets, each with its own random secret; a cookie verifies
 * in its bucket and the next one, so it lives between 120 and 240 s, and secrets older than that are
 * forgotten. Holds two secrets: O(1) memory whatever the number of clients. Thread-safe.
 */
public final class AddressCookie {
  /** Bucket length: long enough for a client to answer across a slow path, short enough to expire. */
  public static final long BUCKET_MILLIS = 120_000;
  /** Cookie bytes: 128-bit truncated HMAC, unforgeable without the secret. */
  public static final int LENGTH = 16;
  private static final int SECRET_LENGTH = 32;
  private static final String ALGORITHM = "HmacSHA256";
  /** bucket u64 + addrLen u8 + IPv6 address 16 + port u16. */
  private static final int MAX_INPUT = Long.BYTES + 1 + 16 + Short.BYTES;

  private final SecureRandom random;
  private final Mac mac = ProbeMac.newMac(ALGORITHM);
  private long bucket = Long.MIN_VALUE;
  private byte[] current;
  private byte[] previous;

  public AddressCookie() {
    this(new SecureRandom());
  }

  public AddressCookie(SecureRandom random) {
    this.random = random;
  }

  /** The cookie for {@code src} now. */
  public synchronized byte[] issue(InetSocketAddress src, long nowMillis) {
    rotate(nowMillis);
    return compute(current, bucket, src);
  }

  /** True if {@code cookie} was issued to {@code src} in the current or the previous bucket. */
  public synchronized boolean verify(byte[] cookie, InetSocketAddress src, long nowMillis) {
    if (cookie == null || cookie.length != LENGTH || src.getAddress() == null) {
      return false;
    }
    rotate(nowMillis);
    boolean ok = MessageDigest.isEqual(compute(current, bucket, src), cookie);
    ok |= previous != null && MessageDigest.isEqual(compute(previous, bucket - 1, src), cookie);
    return ok;
  }

  private void rotate(long nowMillis) {
    long b = Math.floorDiv(nowMillis, BUCKET_MILLIS);
    if (b <= bucket) {
      return; // same bucket, or the clock stepped back: keep the newest secrets
    }
    previous = (b == bucket + 1) ? current : null;
    current = new byte[SECRET_LENGTH];
    random.nextBytes(current);
    bucket = b;
  }

  private byte[] compute(byte[] secret, long b, InetSocketAddress src) {
    byte[] addr = src.getAddress().getAddress();
    ByteBuffer in = ByteBuffer.allocate(MAX_INPUT)
        .putLong(b).put((byte) addr.length).put(addr).putShort((short) src.getPort());
    try {
      mac.init(new SecretKeySpec(secret, ALGORITHM));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("BUG: HMAC key rejected", e);
    }
    mac.update(in.array(), 0, in.position());
    return Arrays.copyOf(mac.doFinal(), LENGTH);
  }
}
