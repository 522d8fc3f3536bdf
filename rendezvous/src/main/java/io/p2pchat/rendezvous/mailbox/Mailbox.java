package io.p2pchat.rendezvous.mailbox;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * The rendezvous's mailboxes (issue 17) as its handlers see them: sealed envelopes kept per recipient, in
 * deposit order, within bounds, for a time to live. One instance keeps them in a {@link MailboxStore} on its
 * own disk; a cluster keeps them replicated on two instances (docs/PROTOCOL.md "Mailbox", "In a cluster").
 *
 * <p>Every method may be called from any thread and returns a Future; a deposit's Future completes only once
 * the deposit is durable (on disk; in a cluster, held by two instances), so an acknowledged deposit survives
 * the crash of any one process.
 */
public interface Mailbox {

  /**
   * Stores {@code deposit} for its recipient, deposited at {@code nowMillis}. Completes with its sequence
   * number once it is durable (the stored one's, for a retried id, even when the mailbox is full by now);
   * fails with a {@link MailboxRefusedException} naming the bound it would break, and then nothing was stored.
   */
  Future<Long> deposit(Deposit deposit, long nowMillis);

  /** The oldest {@code limit} messages of {@code recipient} after sequence number {@code afterSeq} (0: from the first). */
  Future<List<StoredMessage>> pickUp(MailboxKey recipient, long afterSeq, int limit);

  /**
   * Deletes the messages {@code seqs} of {@code recipient}, which it acknowledged having; another recipient's
   * or an unknown sequence number is ignored. Completes with how many were deleted.
   */
  Future<Integer> acknowledge(MailboxKey recipient, List<Long> seqs);

  /**
   * Removes the messages older than the time to live at {@code nowMillis} (at most {@code maxBatch} per call:
   * a full list means call again), each replaced by an {@link ExpiryNotice} for its depositor. Completes with
   * the notices made.
   */
  Future<List<ExpiryNotice>> expire(long nowMillis);

  /** The oldest {@code limit} expiry notices waiting for {@code depositor}. */
  Future<List<ExpiryNotice>> notices(MailboxKey depositor, int limit);

  /** Forgets the notices {@code noticeSeqs} of {@code depositor}, which it acknowledged. */
  Future<Integer> acknowledgeNotices(MailboxKey depositor, List<Long> noticeSeqs);

  /** What is held now and what happened since open, as a JSON object (see the implementation for the keys). */
  Future<JsonObject> stats();

  /**
   * False only when this mailbox knows, without reading its store, that {@code key} has no message waiting (as a
   * recipient) and no expiry notice (as a depositor): a registration's pick-up then reads nothing. True when it
   * may hold some or cannot tell: the default, and always in a cluster, where another instance may hold them. A
   * deposit or notice made after a false answer is announced as usual. Answers on the mailbox's context (true
   * from any other thread).
   */
  default boolean mayHoldFor(MailboxKey key) {
    return true;
  }

  /**
   * How many messages wait for the recipient {@code key}, when this mailbox knows without reading its store (a
   * single instance counts what it holds in memory, a deposit from its acceptance); -1 when it cannot tell: the
   * default, and always in a cluster, where another instance holds them too. What {@code registered}'s {@code mail}
   * says (docs/PROTOCOL.md, "Mailbox", Pick-up). Answers on the mailbox's context (-1 from any other thread).
   */
  default int waitingFor(MailboxKey key) {
    return -1;
  }

  /** Refuses new deposits, lets the accepted ones become durable, then releases what the mailbox holds open. */
  Future<Void> close();
}
