package io.p2pchat.rendezvous;

import java.util.Random;

/**
 * A test-only impairment: drops the given percentage of the control messages that must arrive
 * ({@code introduce}, {@code gone}: those with a message id) as they leave, first sends and
 * retransmissions alike (config {@code impair.lossPercent}, {@code impair.seed}), so that reliable
 * control can be tested on loopback without iptables. Off (0) unless a test configures it.
 */
final class ControlLoss {

  /** Percent: the roll is a number in [0, 100). */
  private static final int PERCENT = 100;

  private final int lossPercent;
  private final Random random;
  private long dropped;

  ControlLoss(int lossPercent, long seed) {
    this.lossPercent = lossPercent;
    this.random = new Random(seed);
  }

  /** Whether to drop the next reliable message. */
  boolean drop() {
    if (lossPercent > 0 && random.nextInt(PERCENT) < lossPercent) {
      dropped++;
      return true;
    }
    return false;
  }

  /** Messages dropped so far. */
  long dropped() {
    return dropped;
  }
}
