package io.p2pchat.punch;

import io.p2pchat.wire.Endpoint;

import java.util.Random;

/**
 * A test-only impairment of the packets a node sends to its peers: loss, duplication and
 * reordering at configured rates (config {@code impair.lossPercent}, {@code impair.duplicatePercent},
 * {@code impair.reorderPercent}, {@code impair.seed}), and with {@code impair.dropIpv4} every packet to a
 * peer's IPv4 address (an IPv4 network that lets no direct path through, on loopback), so the reliability of two real nodes can be
 * tested where the kernel has no netem. Off (all zero) unless a test configures it.
 */
final class Impairment {

  /** A reordered packet is held back this long at most: enough to overtake several later ones. */
  static final long MAX_HOLD_MS = 8;

  /** What to do with one packet. */
  enum Verdict { SEND, DROP, DUPLICATE, DELAY }

  private final int lossPercent;
  private final int duplicatePercent;
  private final int reorderPercent;
  private final Random random;
  private final boolean dropIpv4;

  Impairment(int lossPercent, int duplicatePercent, int reorderPercent, long seed, boolean dropIpv4) {
    this.dropIpv4 = dropIpv4;
    this.lossPercent = lossPercent;
    this.duplicatePercent = duplicatePercent;
    this.reorderPercent = reorderPercent;
    this.random = new Random(seed);
  }

  boolean active() {
    return lossPercent + duplicatePercent + reorderPercent > 0;
  }

  /** True when a packet to {@code to} (a peer's address, never the relay's stand-in) is dropped by {@code impair.dropIpv4}. */
  boolean blocks(Endpoint to) {
    return dropIpv4 && !to.isIpv6() && !to.equals(Candidate.VIA_RELAY);
  }

  Verdict next() {
    int roll = random.nextInt(100);
    if (roll < lossPercent) {
      return Verdict.DROP;
    }
    roll -= lossPercent;
    if (roll < duplicatePercent) {
      return Verdict.DUPLICATE;
    }
    roll -= duplicatePercent;
    return roll < reorderPercent ? Verdict.DELAY : Verdict.SEND;
  }

  long holdMs() {
    return 1 + random.nextInt((int) MAX_HOLD_MS);
  }
}
