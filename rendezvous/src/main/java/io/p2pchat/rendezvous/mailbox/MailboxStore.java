package io.p2pchat.rendezvous.mailbox;

import io.p2pchat.common.NodeLog;
import io.p2pchat.common.Plural;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.function.Supplier;

/**
 * The rendezvous's mailboxes (issue 17): sealed envelopes kept per recipient, in deposit order, within
 * bounds ({@link MailboxOptions}), for a time to live, on disk ({@link MailboxDatabase}, SQLite).
 *
 * <p><b>Group commit.</b> A {@link #deposit} is checked against the bounds at once on the caller's event
 * loop, counted, and queued; the store's one worker thread commits what is queued in one transaction (one
 * fsync) while new deposits queue for the next, and each deposit's Future completes only after the
 * transaction holding it is on disk. So a crash (kill -9, power cut) can lose only deposits whose Future had
 * not completed: nothing acknowledged. A deposit whose Future failed with {@link Refusal#UNAVAILABLE} may or
 * may not be stored (a commit that failed late); the depositor retries with the same id, which the store
 * answers with the stored sequence number, never a second copy.
 *
 * <p><b>Threads.</b> Every method may be called from any thread and returns a Future completed on the
 * store's context (the one {@link #open} was called on); the counters live on that context; only the worker
 * touches the database, one call at a time, so reads see every commit before them. Never blocks an event loop.
 */
public final class MailboxStore implements Mailbox {
  /** The rendezvous's logger: every line carries its name (MDC), so it lands in its log file. */
  private final NodeLog log;
  /** One thread: SQLite serialises writers anyway, and one thread keeps the calls in the order they were made. */
  private static final int WORKER_THREADS = 1;
  /** Milliseconds per second, for the time-to-live arithmetic. */
  private static final long MILLIS_PER_SECOND = 1000L;

  /** A deposit accepted and counted, waiting for its commit. */
  private record Pending(Deposit deposit, long depositedAt, Promise<Long> promise) {
  }

  private final Context context;
  private final WorkerExecutor worker;
  private final MailboxDatabase db;
  private final MailboxOptions options;
  private final MailboxQuota quota;
  private final NoticeBound noticeBound = new NoticeBound();
  private List<Pending> queue = new ArrayList<>();
  private boolean committing;
  /** No new deposits (close() was called). */
  private boolean closed;
  /** The database's close is on the worker's queue: nothing more may follow it there. */
  private boolean databaseClosing;
  private Promise<Void> closing;
  private long deposited;
  private long duplicates;
  private long commits;
  private long largestBatch;
  private long acknowledged;
  private long expired;
  private final Map<Refusal, Long> refused = new EnumMap<>(Refusal.class);

  private MailboxStore(Context context, WorkerExecutor worker, MailboxDatabase db, MailboxOptions options,
      List<MailboxDatabase.Usage> usage, Map<MailboxKey, Integer> notices, NodeLog log) {
    this.log = log;
    this.context = context;
    this.worker = worker;
    this.db = db;
    this.options = new MailboxOptions(options);
    this.quota = new MailboxQuota(this.options);
    for (MailboxDatabase.Usage u : usage) {
      quota.add(u.recipient(), u.depositor(), u.count(), u.bytes());
    }
    notices.forEach(noticeBound::add);
  }

  /**
   * Opens (creating owner-only) the mailbox database {@code options.file} in {@code dataDir} on a worker and
   * counts what it holds. The store's context is the caller's (a verticle's), or a new one.
   */
  public static Future<MailboxStore> open(Vertx vertx, Path dataDir, MailboxOptions options) {
    return open(vertx, dataDir, options, NodeLog.unstamped(MailboxStore.class));
  }

  /** {@link #open(Vertx, Path, MailboxOptions)}, logging to {@code log} (the rendezvous's, stamped with its name). */
  public static Future<MailboxStore> open(Vertx vertx, Path dataDir, MailboxOptions options, NodeLog log) {
    Context context = vertx.getOrCreateContext();
    WorkerExecutor worker = vertx.createSharedWorkerExecutor("p2pchat-mailbox-" + UUID.randomUUID(), WORKER_THREADS);
    Promise<MailboxStore> opened = Promise.promise();
    context.runOnContext(v -> worker.executeBlocking(() -> {
      MailboxDatabase db = MailboxDatabase.open(dataDir, options);
      try {
        return new MailboxStore(context, worker, db, options, db.usage(), db.noticeUsage(), log);
      } catch (RuntimeException | java.sql.SQLException e) {
        db.close();
        throw e;
      }
    }, true).onComplete(ar -> {
      if (ar.failed()) {
        worker.close();
      }
      opened.handle(ar);
    }));
    return opened.future();
  }

  // ---------------------------------------------------------------- deposits

  /**
   * Stores {@code deposit} for its recipient, deposited at {@code nowMillis}. Completes with its sequence
   * number once it is on disk (the stored one's, for a retried id, even when the mailbox is full by now);
   * fails with a {@link MailboxRefusedException} naming the bound it would break, and then nothing was stored.
   */
  @Override
  public Future<Long> deposit(Deposit deposit, long nowMillis) {
    return onContext(() -> {
      Refusal refusal = closed ? Refusal.UNAVAILABLE
          : !deposit.hasValidId() ? Refusal.BAD_ID
          : quota.check(deposit.recipient(), deposit.depositor(), deposit.bytes());
      if (refusal == Refusal.UNAVAILABLE || refusal == Refusal.BAD_ID) {
        return refuse(refusal, deposit);
      }
      if (refusal != null) {
        // Over a bound, unless it is a retry of one stored before (its answer was lost): that one is answered.
        return onWorker(() -> db.seqOf(deposit.depositor(), deposit.depositId())).compose(seq -> {
          if (seq == null) {
            return refuse(refusal, deposit);
          }
          duplicates++;
          return Future.succeededFuture(seq);
        });
      }
      quota.add(deposit.recipient(), deposit.depositor(), 1, deposit.bytes());
      Pending pending = new Pending(deposit, nowMillis, Promise.promise());
      queue.add(pending);
      commitNext();
      return pending.promise().future();
    });
  }

  private Future<Long> refuse(Refusal refusal, Deposit deposit) {
    refused.merge(refusal, 1L, Long::sum);
    return Future.failedFuture(new MailboxRefusedException(refusal, "deposit " + deposit.depositId() + " from "
        + deposit.depositor() + " for " + deposit.recipient()));
  }

  /** Starts the next group commit unless one is running: everything queued, up to {@code maxBatch}. */
  private void commitNext() {
    if (committing || queue.isEmpty()) {
      if (!committing && closing != null) {
        closeDatabase();
      }
      return;
    }
    List<Pending> batch;
    if (queue.size() <= options.getMaxBatch()) {
      batch = queue;
      queue = new ArrayList<>();
    } else {
      batch = new ArrayList<>(queue.subList(0, options.getMaxBatch()));
      queue = new ArrayList<>(queue.subList(options.getMaxBatch(), queue.size()));
    }
    List<Deposit> deposits = new ArrayList<>(batch.size());
    long[] times = new long[batch.size()];
    for (int i = 0; i < batch.size(); i++) {
      deposits.add(batch.get(i).deposit());
      times[i] = batch.get(i).depositedAt();
    }
    committing = true;
    worker.executeBlocking(() -> db.insert(deposits, times), true).onComplete(ar -> {
      committing = false;
      commits++;
      largestBatch = Math.max(largestBatch, batch.size());
      if (ar.succeeded()) {
        committed(batch, ar.result());
      } else {
        log.error("mailbox: a commit of {} failed: {}", Plural.of(batch.size(), "deposit"), ar.cause().toString());
        for (Pending p : batch) {
          uncount(p.deposit());
          p.promise().fail(new MailboxRefusedException(Refusal.UNAVAILABLE, "the mailbox could not store it: "
              + ar.cause().getMessage()));
        }
      }
      commitNext();
    });
  }

  private void committed(List<Pending> batch, List<MailboxDatabase.Inserted> outcomes) {
    for (int i = 0; i < batch.size(); i++) {
      Pending p = batch.get(i);
      MailboxDatabase.Inserted outcome = outcomes.get(i);
      if (outcome.duplicate()) {
        uncount(p.deposit()); // the stored copy is counted already
        duplicates++;
      } else {
        deposited++;
      }
      p.promise().complete(outcome.seq());
    }
  }

  private void uncount(Deposit d) {
    quota.remove(d.recipient(), d.depositor(), d.bytes());
  }

  // ---------------------------------------------------------------- pick-up

  /** The oldest {@code limit} messages of {@code recipient} after sequence number {@code afterSeq} (0: from the first). */
  @Override
  public Future<List<StoredMessage>> pickUp(MailboxKey recipient, long afterSeq, int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be at least 1 (got " + limit + ")");
    }
    return onWorker(() -> db.pickUp(recipient, afterSeq, limit));
  }

  /**
   * Deletes the messages {@code seqs} of {@code recipient}, which it acknowledged having; another recipient's
   * or an unknown sequence number is ignored. Completes with how many were deleted.
   */
  @Override
  public Future<Integer> acknowledge(MailboxKey recipient, List<Long> seqs) {
    List<Long> copy = List.copyOf(seqs);
    return onWorker(() -> db.delete(recipient, copy)).map(deleted -> {
      for (MailboxDatabase.Deleted d : deleted) {
        quota.remove(recipient, d.depositor(), d.bytes());
      }
      acknowledged += deleted.size();
      return deleted.size();
    });
  }

  /**
   * The oldest {@code limit} messages of every recipient after sequence number {@code afterSeq}: what a
   * clustered instance reloads into the cluster when it starts (not part of {@link Mailbox}).
   */
  public Future<List<StoredMessage>> held(long afterSeq, int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be at least 1 (got " + limit + ")");
    }
    return onWorker(() -> db.held(afterSeq, limit));
  }

  /** The oldest {@code limit} expiry notices of every depositor after {@code afterSeq} (not part of {@link Mailbox}). */
  public Future<List<ExpiryNotice>> heldNotices(long afterSeq, int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be at least 1 (got " + limit + ")");
    }
    return onWorker(() -> db.heldNotices(afterSeq, limit));
  }

  // ---------------------------------------------------------------- expiry

  /**
   * Removes the messages older than the time to live at {@code nowMillis} (at most {@code maxBatch} per call:
   * a full list means call again), each replaced by an {@link ExpiryNotice} for its depositor, kept until
   * acknowledged or {@code noticeTtlSeconds} old. Completes with the notices made: who deposited what, for whom.
   */
  @Override
  public Future<List<ExpiryNotice>> expire(long nowMillis) {
    long cutoff = nowMillis - options.getTtlSeconds() * MILLIS_PER_SECOND;
    long noticeCutoff = nowMillis - options.getNoticeTtlSeconds() * MILLIS_PER_SECOND;
    return onWorker(() -> db.expire(cutoff, nowMillis, noticeCutoff, options.getMaxNoticesPerDepositor(),
        options.getMaxBatch())).map(notices -> {
          for (ExpiryNotice n : notices) {
            quota.remove(n.recipient(), n.depositor(), n.bytes());
            noticeBound.add(n.depositor(), 1);
          }
          expired += notices.size();
          return notices;
        });
  }

  /** The oldest {@code limit} expiry notices waiting for {@code depositor}. */
  @Override
  public Future<List<ExpiryNotice>> notices(MailboxKey depositor, int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be at least 1 (got " + limit + ")");
    }
    return onWorker(() -> db.notices(depositor, limit)).map(found -> {
      noticeBound.read(depositor, found.size(), limit);
      return found;
    });
  }

  /** Forgets the notices {@code noticeSeqs} of {@code depositor}, which it acknowledged. */
  @Override
  public Future<Integer> acknowledgeNotices(MailboxKey depositor, List<Long> noticeSeqs) {
    List<Long> copy = List.copyOf(noticeSeqs);
    return onWorker(() -> db.deleteNotices(depositor, copy)).map(deleted -> {
      noticeBound.add(depositor, -deleted);
      return deleted;
    });
  }

  // ---------------------------------------------------------------- state

  /**
   * False when {@code key} has no message waiting and no expiry notice here, from the counts this store keeps
   * in memory (a deposit counts from its acceptance, before its commit; a notice from its expiry run, see
   * {@link NoticeBound}): no read needed. True from a thread other than the store's context, whose counts it
   * cannot read.
   */
  @Override
  public boolean mayHoldFor(MailboxKey key) {
    return Vertx.currentContext() != context || quota.recipientCount(key) > 0 || noticeBound.mayHold(key);
  }

  /** The messages waiting for {@code key} from the counts kept in memory; -1 from a thread other than the store's context. */
  @Override
  public int waitingFor(MailboxKey key) {
    return Vertx.currentContext() != context ? -1 : quota.recipientCount(key);
  }

  /**
   * {@code {messages, bytes, recipients, depositors, deposited, duplicates, commits, largestBatch,
   * acknowledged, expired, refused: {reason: n}}}: what is held now and what happened since open.
   */
  @Override
  public Future<JsonObject> stats() {
    return onContext(() -> {
      JsonObject byReason = new JsonObject();
      refused.forEach((r, n) -> byReason.put(r.code(), n));
      return Future.succeededFuture(new JsonObject().put("messages", quota.totalCount()).put("bytes", quota.totalBytes())
          .put("recipients", quota.recipients()).put("depositors", quota.depositors()).put("deposited", deposited)
          .put("duplicates", duplicates).put("commits", commits).put("largestBatch", largestBatch)
          .put("acknowledged", acknowledged).put("expired", expired).put("refused", byReason));
    });
  }

  /** Refuses new deposits, lets the queued ones commit, then closes the database and the worker. */
  @Override
  public Future<Void> close() {
    return onContext(() -> {
      if (closing == null) {
        closed = true;
        closing = Promise.promise();
        commitNext();
      }
      return closing.future();
    });
  }

  private void closeDatabase() {
    if (databaseClosing) {
      return;
    }
    databaseClosing = true;
    worker.executeBlocking(() -> {
      db.close();
      return null;
    }, true).<Void>mapEmpty().eventually(worker::close).onComplete(closing);
  }

  /** Runs {@code action} on the store's context: there the counters and the queue live. */
  private <T> Future<T> onContext(Supplier<Future<T>> action) {
    if (Vertx.currentContext() == context) {
      return action.get();
    }
    Promise<T> promise = Promise.promise();
    context.runOnContext(v -> action.get().onComplete(promise));
    return promise.future();
  }

  /** Runs blocking {@code call} on the worker, in order after every call before it; completes on the context. */
  private <T> Future<T> onWorker(Callable<T> call) {
    return onContext(() -> databaseClosing
        ? Future.failedFuture(new MailboxRefusedException(Refusal.UNAVAILABLE, "the mailbox is closed"))
        : worker.executeBlocking(call, true));
  }
}
