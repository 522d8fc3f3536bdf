package io.p2pchat.rendezvous;

import io.p2pchat.common.NodeLog;
import io.p2pchat.common.Plural;
import io.p2pchat.rendezvous.mailbox.ExpiryNotice;
import io.p2pchat.rendezvous.mailbox.Mailbox;
import io.p2pchat.rendezvous.mailbox.MailboxKey;
import io.p2pchat.rendezvous.mailbox.MailboxOptions;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Removes the mailbox's messages older than its time to live ({@link Mailbox#expire}) every
 * {@link #INTERVAL_MS}, and has each depositor registered here told at once ({@link MailboxDelivery#noticesFor});
 * one registering later is told at its registration. The verticle calls {@link #run} on its timer.
 */
final class MailboxExpiry {

  /**
   * A minute: a message lives its week to within a minute, and an expiry run costs one indexed query when
   * nothing is due.
   */
  static final long INTERVAL_MS = TimeUnit.MINUTES.toMillis(1);
  /** Runs per time to live when the TTL is short (tests): expiry stays within a quarter TTL late. */
  private static final long RUNS_PER_TTL = 4;
  /** The shortest interval, so that a TTL of a second (tests) never makes the timer spin. */
  private static final long MIN_INTERVAL_MS = 250;

  private final Mailbox mailbox;
  private final MailboxDelivery delivery;
  private final NodeLog log;
  private final int maxBatch;
  private final long intervalMs;
  private boolean running;

  MailboxExpiry(Mailbox mailbox, MailboxOptions options, MailboxDelivery delivery, NodeLog log) {
    this.mailbox = mailbox;
    this.delivery = delivery;
    this.log = log;
    this.maxBatch = options.getMaxBatch();
    this.intervalMs = Math.max(MIN_INTERVAL_MS,
      Math.min(INTERVAL_MS, TimeUnit.SECONDS.toMillis(options.getTtlSeconds()) / RUNS_PER_TTL));
  }

  /** How often to {@link #run}: {@link #INTERVAL_MS}, or a quarter of a shorter time to live. */
  long intervalMillis() {
    return intervalMs;
  }

  /** Expires what is due now (in batches, until one is not full), unless a run is still going. */
  void run() {
    if (running) {
      return;
    }
    running = true;
    mailbox.expire(System.currentTimeMillis()).onComplete(ar -> {
      running = false;
      if (ar.failed()) {
        log.warn("mailbox: the expiry run failed (tried again in {} ms): {}", intervalMs, ar.cause().toString());
        return;
      }
      Set<MailboxKey> depositors = new LinkedHashSet<>();
      for (ExpiryNotice n : ar.result()) {
        depositors.add(n.depositor());
      }
      if (!ar.result().isEmpty()) {
        log.info("mailbox: {} expired unread, {} to tell", Plural.of(ar.result().size(), "message"),
          Plural.of(depositors.size(), "depositor"));
      }
      depositors.forEach(delivery::noticesFor);
      if (ar.result().size() >= maxBatch) {
        run();
      }
    });
  }
}
