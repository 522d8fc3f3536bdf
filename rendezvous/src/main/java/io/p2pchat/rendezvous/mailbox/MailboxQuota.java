package io.p2pchat.rendezvous.mailbox;

import java.util.HashMap;
import java.util.Map;

/**
 * What the store holds, counted per recipient, per depositor and in total (messages and envelope bytes),
 * and whether one more deposit fits. A deposit counts from the moment it is accepted (before its commit),
 * so a burst waiting for one commit cannot overshoot a bound; it stops counting when it is deleted, expires,
 * turns out to be a retry of a stored one, or its commit fails. Pure and single-threaded (the store's
 * event loop); rebuilt from the database on open.
 */
final class MailboxQuota {
  /** Counts of one key; removed from its map at zero, so memory follows who has messages waiting. */
  private static final class Usage {
    private int count;
    private long bytes;
  }

  private final MailboxOptions options;
  private final Map<MailboxKey, Usage> byRecipient = new HashMap<>();
  private final Map<MailboxKey, Usage> byDepositor = new HashMap<>();
  private long totalCount;
  private long totalBytes;

  MailboxQuota(MailboxOptions options) {
    this.options = options;
  }

  /** Why a deposit of {@code bytes} from {@code depositor} to {@code recipient} does not fit, or null when it does. */
  Refusal check(MailboxKey recipient, MailboxKey depositor, int bytes) {
    if (bytes > options.getMaxEnvelopeBytes()) {
      return Refusal.TOO_LARGE;
    }
    Usage r = byRecipient.get(recipient);
    if (r != null && r.count >= options.getMaxPerRecipient()) {
      return Refusal.RECIPIENT_COUNT;
    }
    if ((r == null ? 0 : r.bytes) + bytes > options.getMaxBytesPerRecipient()) {
      return Refusal.RECIPIENT_BYTES;
    }
    Usage d = byDepositor.get(depositor);
    if (d != null && d.count >= options.getMaxPerDepositor()) {
      return Refusal.DEPOSITOR_COUNT;
    }
    if ((d == null ? 0 : d.bytes) + bytes > options.getMaxBytesPerDepositor()) {
      return Refusal.DEPOSITOR_BYTES;
    }
    if (totalCount >= options.getMaxTotal()) {
      return Refusal.TOTAL_COUNT;
    }
    if (totalBytes + bytes > options.getMaxTotalBytes()) {
      return Refusal.TOTAL_BYTES;
    }
    return null;
  }

  /** Counts {@code n} messages of {@code bytes} in all (negative: uncounts them). */
  void add(MailboxKey recipient, MailboxKey depositor, int n, long bytes) {
    change(byRecipient, recipient, n, bytes);
    change(byDepositor, depositor, n, bytes);
    totalCount += n;
    totalBytes += bytes;
    if (totalCount < 0 || totalBytes < 0) {
      throw new IllegalStateException("BUG: mailbox quota below zero (" + totalCount + ", " + totalBytes + ")");
    }
  }

  /** Uncounts one message. */
  void remove(MailboxKey recipient, MailboxKey depositor, int bytes) {
    add(recipient, depositor, -1, -bytes);
  }

  private static void change(Map<MailboxKey, Usage> map, MailboxKey key, int n, long bytes) {
    Usage u = map.computeIfAbsent(key, k -> new Usage());
    u.count += n;
    u.bytes += bytes;
    if (u.count < 0 || u.bytes < 0) {
      throw new IllegalStateException("BUG: mailbox quota of " + key + " below zero");
    }
    if (u.count == 0) {
      map.remove(key);
    }
  }

  int recipientCount(MailboxKey recipient) {
    Usage u = byRecipient.get(recipient);
    return u == null ? 0 : u.count;
  }

  long recipientBytes(MailboxKey recipient) {
    Usage u = byRecipient.get(recipient);
    return u == null ? 0 : u.bytes;
  }

  int depositorCount(MailboxKey depositor) {
    Usage u = byDepositor.get(depositor);
    return u == null ? 0 : u.count;
  }

  long totalCount() {
    return totalCount;
  }

  long totalBytes() {
    return totalBytes;
  }

  /** Recipients with messages waiting: the size of the per-recipient map. */
  int recipients() {
    return byRecipient.size();
  }

  /** Depositors with messages waiting. */
  int depositors() {
    return byDepositor.size();
  }
}
