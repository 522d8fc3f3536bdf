package io.p2pchat.crypto;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Process-wide counts of the public-key operations {@link Keys} performed, by kind: what a
 * registration, a keep-alive or a resumption really costs in the expensive currency (each is
 * 50-300 µs; everything else on those paths is symmetric crypto and costs microseconds). Tests assert
 * on the deltas ("a keep-alive costs none"); metrics may export them. A {@link LongAdder} increment is
 * a few nanoseconds, noise next to the operation it counts. Thread-safe.
 */
public final class PublicKeyOps {
  /** The kinds of public-key operation. */
  public enum Kind {
    /** One X25519 scalar multiplication with a peer's point (a Noise DH: es, ss, ee, se). */
    X25519_AGREE,
    /** One X25519 key generation (a fixed-base multiplication: an ephemeral key, or a public key of a private one). */
    X25519_GENERATE,
    /** One Ed25519 signature. */
    ED25519_SIGN,
    /** One Ed25519 verification. */
    ED25519_VERIFY
  }

  private static final Map<Kind, LongAdder> COUNTS = new EnumMap<>(Kind.class);

  static {
    for (Kind k : Kind.values()) {
      COUNTS.put(k, new LongAdder());
    }
  }

  private PublicKeyOps() {}

  static void record(Kind kind) {
    COUNTS.get(kind).increment();
  }

  /** Operations of {@code kind} since the process started. */
  public static long get(Kind kind) {
    return COUNTS.get(kind).sum();
  }

  /** Public-key operations of every kind since the process started. */
  public static long total() {
    long sum = 0;
    for (LongAdder a : COUNTS.values()) {
      sum += a.sum();
    }
    return sum;
  }

  /** A snapshot of every kind's count, for before/after comparisons. */
  public static Map<Kind, Long> snapshot() {
    Map<Kind, Long> out = new EnumMap<>(Kind.class);
    COUNTS.forEach((k, a) -> out.put(k, a.sum()));
    return out;
  }
}
