package io.p2pchat.rendezvous.mailbox;

import java.util.HashMap;
import java.util.Map;

/**
 * How many expiry notices each depositor may have in the store: never fewer than it has (an upper bound), so
 * a depositor without one is known without a read ({@link MailboxStore#mayHoldFor}). Counted up by the notices
 * each expiry makes, down by each acknowledgement's deletions, and set to what a read found when that read
 * returned the depositor's last notices (fewer than asked). The database prunes a depositor's oldest notices and
 * forgets old ones unseen: the bound then stays above the truth until the depositor's next read, which costs a
 * read, never a notice. Each change is applied on the store's context in the order its call ran on the store's
 * one worker, so a read's count is followed by the changes made after it. Single-threaded; rebuilt on open.
 */
final class NoticeBound {
  private final Map<MailboxKey, Integer> byDepositor = new HashMap<>();

  /** {@code n} more notices for {@code depositor} (negative: that many deleted). */
  void add(MailboxKey depositor, int n) {
    Integer now = byDepositor.merge(depositor, n, Integer::sum);
    if (now <= 0) {
      byDepositor.remove(depositor);
    }
  }

  /** A read of at most {@code limit} notices of {@code depositor} found {@code found}: all of them when fewer. */
  void read(MailboxKey depositor, int found, int limit) {
    if (found >= limit) {
      return;
    }
    if (found == 0) {
      byDepositor.remove(depositor);
    } else {
      byDepositor.put(depositor, found);
    }
  }

  /** False when {@code depositor} has no notice in the store. */
  boolean mayHold(MailboxKey depositor) {
    return byDepositor.containsKey(depositor);
  }
}
