package io.p2pchat.rendezvous;

import java.util.Random;

/**
 * A test-only impairment: drops, or sends twice, the given percentages of the control messages that
 * must arrive ({@code introduce}, {@code gone}: those with a message id) as they leave, first sends
 * and retransmissions alike (config {@code impair.lossPercent}, {@code impair.duplicatePercent},
 * {@code impair.seed}), so that reliable control can be tested on loopback without iptables. Off
 * (0) unless a test configures it.
 */
final class ControlLoss {

  /** Percent: the roll is a number in [0, 100). */
  private static final int PERCENT = 100;

  /** What to do with one reliable message. */
  enum Verdict { SEND, DROP, DUPLICATE }

  private final int lossPercent;
  private final int duplicatePercent;
  private final Random random;
  private long dropped;
  private long duplicated;

  ControlLoss(int lossPercent, int duplicatePercent, long seed) {
    this.lossPercent = lossPercent;
    this.duplicatePercent = duplicatePercent;
    this.random = new Random(seed);
  }

  /** What to do with the next reliable message. */
  Verdict next() {
    if (lossPercent + duplicatePercent == 0) {
      return Verdict.SEND;
    }
    int roll = random.nextInt(PERCENT);
    if (roll < lossPercent) {
      dropped++;
      return Verdict.DROP;
    }
    if (roll - lossPercent < duplicatePercent) {
      duplicated++;
      return Verdict.DUPLICATE;
    }
    return Verdict.SEND;
  }

  /** Messages sent twice so far. */
  long duplicated() {
    return duplicated;
  }

  /** Messages dropped so far. */
  long dropped() {
    return dropped;
  }
}
