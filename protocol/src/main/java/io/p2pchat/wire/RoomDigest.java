package io.p2pchat.wire;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * An order-independent digest of a room's membership as one side sees it: the sum, modulo 2^64, of
 * the first 8 bytes of SHA-256 over each member's {@code nick} and {@code instance}. A client sends
 * the digest of the peers it was introduced to (and not told are gone) in each keep-alive; the
 * rendezvous compares it with the digest of the room without the client and repairs a difference.
 * Adding or removing a member is one addition or subtraction, so neither side needs to sort or keep a list.
 */
public final class RoomDigest {

  /** Bytes of each member's hash that are summed: 64 bits make an accidental match negligible. */
  private static final int HASH_BYTES = Long.BYTES;
  /** Separates nick from instance in the hashed text (neither may contain it). */
  private static final char SEPARATOR = '\n';

  private long sum;

  /** Adds a member. */
  public RoomDigest add(String nick, String instance) {
    sum += hash(nick, instance);
    return this;
  }

  /** Removes a member added before. */
  public RoomDigest remove(String nick, String instance) {
    sum -= hash(nick, instance);
    return this;
  }

  /** The digest as sent in {@link Control#VIEW}: 16 hex digits. */
  public String text() {
    return String.format("%016x", sum);
  }

  private static long hash(String nick, String instance) {
    byte[] digest;
    try {
      digest = MessageDigest.getInstance("SHA-256")
        .digest((nick + SEPARATOR + instance).getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("BUG: every JVM has SHA-256", e);
    }
    long h = 0;
    for (int i = 0; i < HASH_BYTES; i++) {
      h = (h << Byte.SIZE) | (digest[i] & 0xff);
    }
    return h;
  }
}
