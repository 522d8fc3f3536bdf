package io.p2pchat.mailbox;

import io.p2pchat.wire.MailboxControl;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The deposits this node owes the rendezvous, a pure state machine (time passed in, no timers): one queue per
 * recipient, <b>one deposit in flight per recipient</b>, the recipients in parallel. A deposit's parts go one at a
 * time; each is sent again with back-off until the rendezvous answers it, always under the same deposit id (the
 * rendezvous stores a retried id once: {@code UNIQUE (depositor, deposit_id)} in its database).
 *
 * <p>One in flight keeps the recipient's mailbox order ({@code seq}) equal to our counter order, and the recipient
 * depends on that: its {@code MailOrder} sorts each sender's mail by counter only within one release, and releases
 * on a whole pick-up window held, on the count {@code registered} announced, when the pick-up settles (2.5 s quiet)
 * or after 10 s, each assuming that mail not yet arrived was stored later, so is later in its sender's order. With
 * several deposits in flight a later one is stored first whenever an earlier one's answer is lost, and an earlier
 * one can be stored any time later (a back-off of up to 5 s, or a pause until we register again): shown after the
 * later one whenever a release falls between them ({@code MailOrderTest
 * .aLaterMessageStoredBeforeAnEarlierOneIsShownFirstWhenAReleaseFallsBetweenThem}). So deposits to one recipient
 * are not pipelined; that would take the sender's order across releases on the wire (say, the previous counter
 * in the envelope), which the receiver could then wait for.
 * <pre>
 *   queued ──head of its recipient──▶ in flight (part k) ──deposited part k──▶ part k+1 … ──deposited seq──▶ done
 *                                         │  no answer: the same part again after 250 ms, doubling to 5 s
 *                                         └──refused──▶ done (refused)
 * </pre>
 * While the node is not registered ({@link #pause}) nothing is due; {@link #resume} makes every head due at once.
 *
 * @param <T> what the owner keeps with a deposit (its message), handed back when it ends
 */
public final class DepositQueue<T> {

  /** First wait for an answer: the control channel's round trip is a few ms; as {@code register}'s first retry. */
  public static final long FIRST_RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(250);
  /** Longest wait between two tries: as {@code register}'s cap, so a rendezvous back from a restart is found soon. */
  public static final long MAX_RETRY_NANOS = TimeUnit.SECONDS.toNanos(5);
  /**
   * Deposits held in all: the rendezvous keeps 10 000 per depositor by default ({@code maxPerDepositor}); more
   * than that would only be refused there. A {@link #add} over it is refused at once.
   */
  public static final int MAX_PENDING = 10_000;
  /** The reason of a deposit given up by {@link #unanswered}. */
  public static final String NO_ANSWER = "no-answer";

  /** A deposit: its id, its recipient's identity key (the mailbox), its parts, and the owner's tag. */
  public record Deposit<T>(String did, String recipient, List<MailboxControl.DepositPart> parts, T tag) {
  }

  /** A deposit that ended: stored ({@code seq} > 0) or refused ({@code reason}). */
  public record Outcome<T>(Deposit<T> deposit, long seq, String reason) {
    public boolean stored() {
      return reason == null;
    }
  }

  /** One recipient's queue: its head is in flight. */
  private static final class Lane<T> {
    private final ArrayDeque<Deposit<T>> waiting = new ArrayDeque<>();
    /** Index of the head's part in flight. */
    private int part;
    private long dueNanos;
    private long backoffNanos = FIRST_RETRY_NANOS;
    /** Since when the head waits for an answer while registered: progress or a new registration restarts it. */
    private long sinceNanos;
  }

  /** By recipient (base64 of its key). */
  private final Map<String, Lane<T>> lanes = new HashMap<>();
  private int pending;
  private boolean paused = true;

  /** Queues {@code deposit} behind its recipient's earlier ones; false when {@link #MAX_PENDING} are held already. */
  public boolean add(Deposit<T> deposit, long nowNanos) {
    if (pending >= MAX_PENDING) {
      return false;
    }
    Lane<T> lane = lanes.computeIfAbsent(deposit.recipient(), r -> new Lane<>());
    lane.waiting.addLast(deposit);
    pending++;
    if (lane.waiting.size() == 1) {
      startHead(lane, nowNanos);
    }
    return true;
  }

  /** Not registered: nothing is sent until {@link #resume}. */
  public void pause() {
    paused = true;
  }

  /** Registered (again): every recipient's head is due now, from the part it was at. */
  public void resume(long nowNanos) {
    paused = false;
    for (Lane<T> lane : lanes.values()) {
      lane.dueNanos = nowNanos;
      lane.backoffNanos = FIRST_RETRY_NANOS;
      lane.sinceNanos = nowNanos;
    }
  }

  /**
   * Ends every head that had no answer for {@code limitNanos} while registered (a rendezvous from before the
   * mailbox drops the unknown message): they come back refused with reason {@link #NO_ANSWER}.
   */
  public List<Outcome<T>> unanswered(long nowNanos, long limitNanos) {
    List<Outcome<T>> out = new ArrayList<>();
    if (paused) {
      return out;
    }
    for (Lane<T> lane : new ArrayList<>(lanes.values())) {
      if (nowNanos - lane.sinceNanos >= limitNanos) {
        out.add(finish(lane.waiting.peekFirst(), 0, NO_ANSWER, nowNanos));
      }
    }
    return out;
  }

  /** The parts to send now (each head's part whose wait is over); each is due again after its back-off. */
  public List<MailboxControl.DepositPart> due(long nowNanos) {
    List<MailboxControl.DepositPart> out = new ArrayList<>();
    if (paused) {
      return out;
    }
    for (Lane<T> lane : lanes.values()) {
      if (nowNanos - lane.dueNanos >= 0) {
        out.add(lane.waiting.peekFirst().parts().get(lane.part));
        lane.dueNanos = nowNanos + lane.backoffNanos;
        lane.backoffNanos = Math.min(MAX_RETRY_NANOS, lane.backoffNanos * 2);
      }
    }
    return out;
  }

  /** When {@link #due} has something next (nanoTime), or -1 when nothing is waiting or paused. */
  public long nextDueNanos() {
    if (paused) {
      return -1;
    }
    long next = -1;
    for (Lane<T> lane : lanes.values()) {
      if (next == -1 || lane.dueNanos - next < 0) {
        next = lane.dueNanos;
      }
    }
    return next;
  }

  /**
   * The rendezvous stored part {@code part} of deposit {@code did} ({@code seq} > 0: the whole envelope).
   * Returns the finished deposit, or null (more parts to go, or an answer to nothing in flight: a late copy).
   */
  public Outcome<T> deposited(String did, int part, long seq, long nowNanos) {
    for (Lane<T> lane : lanes.values()) {
      Deposit<T> head = lane.waiting.peekFirst();
      if (head.did().equals(did)) {
        if (seq > 0) {
          return finish(head, seq, null, nowNanos);
        }
        if (part == lane.part + 1 && lane.part + 1 < head.parts().size()) {
          lane.part++;
          lane.sinceNanos = nowNanos;
          lane.dueNanos = nowNanos;
          lane.backoffNanos = FIRST_RETRY_NANOS;
        }
        return null;
      }
    }
    return null;
  }

  /** The rendezvous refused deposit {@code did}: it ends, the recipient's next one starts; null when not in flight. */
  public Outcome<T> refused(String did, String reason, long nowNanos) {
    for (Lane<T> lane : lanes.values()) {
      if (lane.waiting.peekFirst().did().equals(did)) {
        return finish(lane.waiting.peekFirst(), 0, reason, nowNanos);
      }
    }
    return null;
  }

  /** Ends every held deposit (the rendezvous keeps no mailbox): they are returned, oldest of each recipient first. */
  public List<Deposit<T>> drain() {
    List<Deposit<T>> out = new ArrayList<>();
    for (Lane<T> lane : lanes.values()) {
      out.addAll(lane.waiting);
    }
    lanes.clear();
    pending = 0;
    return out;
  }

  /** True when deposits for {@code recipient} are still held: a later message for it must follow them. */
  public boolean holds(String recipient) {
    return lanes.containsKey(recipient);
  }

  /** Deposits held (in flight and waiting). */
  public int pending() {
    return pending;
  }

  private Outcome<T> finish(Deposit<T> head, long seq, String reason, long nowNanos) {
    Iterator<Map.Entry<String, Lane<T>>> it = lanes.entrySet().iterator();
    while (it.hasNext()) {
      Lane<T> lane = it.next().getValue();
      if (lane.waiting.peekFirst() == head) {
        lane.waiting.removeFirst();
        pending--;
        if (lane.waiting.isEmpty()) {
          it.remove();
        } else {
          startHead(lane, nowNanos);
        }
        break;
      }
    }
    return new Outcome<>(head, seq, reason);
  }

  private static <T> void startHead(Lane<T> lane, long nowNanos) {
    lane.part = 0;
    lane.sinceNanos = nowNanos;
    lane.dueNanos = nowNanos;
    lane.backoffNanos = FIRST_RETRY_NANOS;
  }
}
