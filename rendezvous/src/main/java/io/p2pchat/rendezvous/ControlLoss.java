package io.p2pchat.rendezvous;

import java.util.Random;

/**
 * A test-only impairment: drops, or sends twice, the given percentages of the control messages that
 * must arrive ({@code introduce}, {@code gone}: those with a message id) as they leave, first sends
 * and retransmissions alike (config {@code impair.lossPercent}, {@code impair.duplicatePercent},
 * {@code impair.seed}), so that reliable control can be tested on loopback without iptables; and drops
 * the first {@code impair.dropFirstMail} {@code mail} messages (a pick-up whose oldest message is lost once).
 * Off (0) unless a test configures it.
 */
final class ControlLoss {

  /** Percent: the roll is a number in [0, 100). */
  private static final int PERCENT = 100;
  /** The {@code t} of a pick-up message ({@code MailboxControl.Type.MAIL}'s wire name). */
  private static final String MAIL = io.p2pchat.wire.MailboxControl.Type.MAIL.wireName();

  /** What to do with one reliable message. */
  enum Verdict { SEND, DROP, DUPLICATE }

  private final int lossPercent;
  private final int duplicatePercent;
  private final Random random;
  /** {@code mail} messages still to drop, before the dice. */
  private int dropMail;
  private long dropped;
  private long duplicated;

  ControlLoss(int lossPercent, int duplicatePercent, long seed, int dropFirstMail) {
    this.dropMail = dropFirstMail;
    this.lossPercent = lossPercent;
    this.duplicatePercent = duplicatePercent;
    this.random = new Random(seed);
  }

  /** What to do with the next reliable message, of type {@code type}. */
  Verdict next(String type) {
    if (dropMail > 0 && MAIL.equals(type)) {
      dropMail--;
      dropped++;
      return Verdict.DROP;
    }
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
