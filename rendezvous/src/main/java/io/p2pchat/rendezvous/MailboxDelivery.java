package io.p2pchat.rendezvous;

import io.p2pchat.common.NodeLog;
import io.p2pchat.common.Plural;
import io.p2pchat.rendezvous.mailbox.ExpiryNotice;
import io.p2pchat.rendezvous.mailbox.Mailbox;
import io.p2pchat.rendezvous.mailbox.MailboxKey;
import io.p2pchat.rendezvous.mailbox.StoredMessage;
import io.p2pchat.wire.MailboxControl;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The pick-up sender (docs/PROTOCOL.md, "Mailbox", Pick-up): for each client registered here, its mailbox
 * sent oldest first as {@code mail} (in parts), at most {@link #WINDOW_MESSAGES} messages or
 * {@link #WINDOW_BYTES} unacknowledged, each sent again until its {@code mail-ack} ({@link ResendWindow}),
 * and deleted from the {@link Mailbox} on that ack; the same for its expiry notices ({@code expired},
 * {@code notice-ack}). One state per registered recipient, a state machine driven by these events:
 *
 * <pre>
 *            registered (new or moved)                 a deposit for it / an ack / a keep-alive
 *   none ──────────────────────────────▶ SENDING ◀──────────────────────────────────┐
 *     ▲                                  │  window has room, not exhausted: pickUp(after the last sent) ─┘
 *     │                                  │  a page shorter than asked: EXHAUSTED until the next deposit
 *     └──registration ended (bye, expiry, another instance of the client)──┘
 * </pre>
 *
 * A state is held only while its client has mail or notices to send or in flight: a registration starts one
 * (its first pick-up), which is retired once that finds the mailbox empty and nothing is in flight or being
 * deleted; a deposit or notice for a client registered here starts it again ({@code registeredHere} finds the
 * registration by key). A rendezvous whose clients mostly have no mail holds no pick-up state for them (the
 * state with its windows and key was ~250 bytes per registration). Memory per client with mail: the
 * window's messages (at most {@link #WINDOW_BYTES} plus one envelope) and {@link #NOTICE_WINDOW} notices. Runs on the verticle's event loop; the {@link Mailbox}'s Futures complete
 * there too. The verticle's one retransmission timer is armed through the {@link Introductions.Scheduler}.
 */
final class MailboxDelivery {

  /** Unacknowledged messages per client: the design's window (PROTOCOL.md), one {@code mail-ack}'s worth of seqs. */
  static final int WINDOW_MESSAGES = MailboxControl.MAX_ACK_IDS;
  /**
   * Unacknowledged envelope bytes per client (one message at least, whatever its size): 64 KiB, about 100
   * control datagrams in flight, so a recipient's pick-up never floods its path with a burst of the 32
   * largest envelopes (3136 parts).
   */
  static final int WINDOW_BYTES = 64 * 1024;
  /**
   * The window is refilled once this many messages are acknowledged, in one page: a recipient acking each
   * message costs a store read per quarter window, not per message, and a new deposit for a recipient with
   * a full window waits for a quarter window of acks at most.
   */
  static final int REFILL_MESSAGES = WINDOW_MESSAGES / 4;
  /** Unacknowledged expiry notices per client: one {@code notice-ack}'s worth. */
  static final int NOTICE_WINDOW = MailboxControl.MAX_ACK_IDS;

  /** What is sent to one registered recipient, and what it has not acknowledged. */
  private final class Recipient {
    final Registration registration;
    /** Its process when this pick-up began: a new one (a restart) begins a new pick-up. */
    final String instance;
    final MailboxKey key;
    final ResendWindow<StoredMessage> mail = new ResendWindow<>();
    final ResendWindow<ExpiryNotice> notices = new ResendWindow<>();
    /** The highest seq sent: the next page starts after it. */
    long afterSeq;
    boolean fetching;
    /** The last page was shorter than asked: nothing more until a deposit arrives for it. */
    boolean exhausted;
    /** Deposits for it since the pick-up began: a page fetched before the latest one does not exhaust. */
    long deposits;
    boolean fetchingNotices;
    /** There may be notices in the store not sent yet. */
    boolean noticesWaiting = true;
    /** Acknowledged seqs waiting for the deletion in progress to end: deleted together, one commit. */
    List<Long> toDelete = new ArrayList<>();
    boolean deleting;

    Recipient(Registration registration, MailboxKey key) {
      this.registration = registration;
      this.instance = registration.instance;
      this.key = key;
    }

    /**
     * The earliest resend deadline of this recipient's two windows, or {@link Long#MAX_VALUE}. After a change
     * to one recipient's windows only its deadlines can have become earlier, and the {@link Introductions.Scheduler}
     * keeps the earliest it was given: waking at this one is enough (a timer that fires for deadlines that moved
     * later finds nothing due and re-arms). Scanning every recipient on each keep-alive and each registration
     * made both O(recipients): 68% of the rendezvous's CPU at 20,000 registrations (docs/BENCH.md).
     */
    long nextDeadline() {
      return earliest(mail.nextDeadline(), notices.nextDeadline());
    }

    /** Still the client's registration here, in the same process. */
    boolean current() {
      return registry.byNick(registration.nick) == registration && registration.isLocal()
        && registration.instance.equals(instance);
    }

    /** Nothing to send, in flight, being read or being deleted: the state may go (a deposit starts it again). */
    boolean idle() {
      return exhausted && !noticesWaiting && !fetching && !fetchingNotices && mail.size() == 0
        && notices.size() == 0 && !deleting && toDelete.isEmpty();
    }
  }

  private final Mailbox mailbox;
  private final Registry registry;
  private final Outbox outbox;
  private final Introductions.Scheduler scheduler;
  private final MailboxCounters counters;
  private final NodeLog log;
  /** Our registration holding a key (of this process, registered here), or null: whom a deposit starts a state for. */
  private final Function<MailboxKey, Registration> registeredHere;
  /** The states of clients with mail (see the class comment): most registered clients have none. */
  private final Map<MailboxKey, Recipient> byKey = new HashMap<>();
  /** Sends again counted for states already forgotten, so the total never goes backwards. */
  private long resentBefore;

  MailboxDelivery(Mailbox mailbox, Registry registry, Outbox outbox, Introductions.Scheduler scheduler,
                  MailboxCounters counters, NodeLog log, Function<MailboxKey, Registration> registeredHere) {
    this.registeredHere = registeredHere;
    this.mailbox = mailbox;
    this.registry = registry;
    this.outbox = outbox;
    this.scheduler = scheduler;
    this.counters = counters;
    this.log = log;
  }

  /**
   * {@code r} registered here; returns how many messages wait for it ({@link Mailbox#waitingFor}, -1 when the
   * mailbox cannot tell without a read): {@code registered}'s {@code mail}. When the registration is {@code anew}
   * (new, or moved: another address or process, not a repeat), its pick-up starts from the oldest, unless the
   * mailbox knows without a read that it holds nothing for {@code r} (none waiting, and {@link Mailbox#mayHoldFor}
   * says no notice either: a single instance counts what it holds in memory; a cluster always reads). Then no
   * state and no read (two store reads were ~8% of the server's CPU per registration, docs/BENCH.md): a deposit
   * or expiry notice for {@code r} made afterwards starts its state as for any client registered here
   * ({@link #deposited}, {@link #noticesFor}). The pick-up's reads complete on a later turn of the event loop,
   * so its first {@code mail} follows the {@code registered} the caller sends after this. One key for all of it.
   */
  int registered(Registration r, boolean anew) {
    MailboxKey key = MailboxKey.of(r.key);
    int waiting = mailbox.waitingFor(key);
    if (!anew) {
      return waiting;
    }
    // A count above 0 or unknown (-1) means it may hold some: asking mayHoldFor too would only say so again.
    if (waiting == 0 && !mailbox.mayHoldFor(key)) {
      forget(byKey.remove(key)); // a state of its previous registration: nothing in flight, or it would hold some
      counters.pickUpSkipped();
    } else {
      start(r, key);
    }
    return waiting;
  }

  /** A pick-up state for {@code r}, whose mailbox is {@code key} (replacing any), its first page and notices asked for. */
  private Recipient start(Registration r, MailboxKey key) {
    Recipient st = new Recipient(r, key);
    forget(byKey.put(key, st));
    fillMail(st);
    fillNotices(st);
    return st;
  }

  /** {@code key}'s state, or a new one when it has none and is registered here (it has mail now), else null. */
  private Recipient currentOrStarted(MailboxKey key) {
    Recipient st = current(key);
    if (st != null) {
      return st;
    }
    Registration r = registeredHere.apply(key);
    return r != null && r.isLocal() ? start(r, key) : null;
  }

  /** A deposit for {@code recipient} is on disk: sent at once when it is registered here and its window has room. */
  void deposited(MailboxKey recipient) {
    Recipient st = current(recipient);
    if (st == null) {
      currentOrStarted(recipient); // a new state reads the mailbox from the oldest: this deposit included
      return;
    }
    st.deposits++;
    st.exhausted = false;
    fillMail(st);
  }

  /** Expiry notices were made for {@code depositor}: sent when it is registered here. */
  void noticesFor(MailboxKey depositor) {
    Recipient st = currentOrStarted(depositor);
    if (st != null) {
      st.noticesWaiting = true;
      fillNotices(st);
    }
  }

  /** {@code client}'s keep-alive: what went dormant is sent again, and a pick-up that stalled on an error resumes. */
  void keepAlive(Registration client) {
    Recipient st = current(MailboxKey.of(client.key));
    if (st == null || st.registration != client) {
      return;
    }
    long now = System.nanoTime();
    st.mail.wake(now).forEach(m -> sendMail(st, m));
    st.notices.wake(now).forEach(n -> sendNotice(st, n));
    fillMail(st);
    fillNotices(st);
    scheduler.wakeAt(st.nextDeadline());
  }

  /**
   * {@code mail-ack} ({@code type} MAIL_ACK) or {@code notice-ack} of {@code client}, whose session's identity is
   * {@code key}: what was in flight is deleted from the mailbox (or the notices forgotten), and the next sent.
   */
  void acked(Registration client, MailboxKey key, MailboxControl.Type type, List<Long> ids) {
    boolean mail = type == MailboxControl.Type.MAIL_ACK;
    Recipient st = current(key);
    if (st == null || st.registration != client) {
      counters.dropped(type.wireName() + "-without-pick-up");
      return;
    }
    ResendWindow<?> window = mail ? st.mail : st.notices;
    List<Long> acked = new ArrayList<>(ids.size());
    for (long id : ids) {
      if (window.ack(id)) {
        acked.add(id);
      } else {
        counters.dropped(type.wireName() + "-not-in-flight"); // a repeat (it was sent twice), or a made-up id
      }
    }
    if (acked.isEmpty()) {
      return;
    }
    if (mail) {
      counters.mailAcked(acked.size());
      st.toDelete.addAll(acked);
      deleteNext(st);
      fillMail(st);
    } else {
      counters.noticesAcked(acked.size());
      mailbox.acknowledgeNotices(st.key, acked).onFailure(e -> log.warn("mailbox: an acknowledgement of {} "
        + "of {} failed: {}", Plural.of(acked.size(), "notice"), st.key, e.toString()));
      fillNotices(st);
    }
    retireIfIdle(st);
  }

  /** Sends again what is due at {@code now}, forgets the states of registrations that ended, re-arms the timer. */
  void retransmit(long now) {
    for (Iterator<Recipient> it = byKey.values().iterator(); it.hasNext(); ) {
      Recipient st = it.next();
      if (!st.current()) {
        it.remove();
        forget(st);
        continue;
      }
      st.mail.due(now).forEach(m -> sendMail(st, m));
      st.notices.due(now).forEach(n -> sendNotice(st, n));
    }
    scheduler.wakeAt(nextDeadline());
  }

  /** Forgets the states of registrations that ended (bye, expiry) even when nothing was in flight, and idle ones. */
  void sweep() {
    for (Iterator<Recipient> it = byKey.values().iterator(); it.hasNext(); ) {
      Recipient st = it.next();
      if (!st.current() || st.idle()) {
        it.remove();
        forget(st);
      }
    }
  }

  /** The counters with the sender's state: {@code resent}, {@code inFlight} and {@code recipients}. */
  JsonObject toJson() {
    long resent = resentBefore;
    int inFlight = 0;
    for (Recipient st : byKey.values()) {
      resent += st.mail.resent() + st.notices.resent();
      inFlight += st.mail.size() + st.notices.size();
    }
    return counters.toJson(resent, inFlight, byKey.size());
  }

  private Recipient current(MailboxKey key) {
    Recipient st = byKey.get(key);
    return st != null && st.current() ? st : null;
  }

  private void forget(Recipient st) {
    if (st != null) {
      resentBefore += st.mail.resent() + st.notices.resent();
    }
  }

  /** Drops {@code st} once it is {@link Recipient#idle}: a client without mail holds no state here. */
  private void retireIfIdle(Recipient st) {
    if (st.idle() && byKey.remove(st.key, st)) {
      forget(st);
    }
  }

  /**
   * Deletes what was acknowledged, the acks that came while a deletion ran together in the next (group commit
   * of deletions: a recipient acking each message costs one fsync per batch, not per message). Runs on even
   * after the state was replaced: an acknowledged message is deleted whatever the client does next.
   */
  private void deleteNext(Recipient st) {
    if (st.deleting || st.toDelete.isEmpty()) {
      return;
    }
    List<Long> batch = st.toDelete;
    st.toDelete = new ArrayList<>();
    st.deleting = true;
    mailbox.acknowledge(st.key, batch).onComplete(ar -> {
      st.deleting = false;
      if (ar.failed()) {
        log.warn("mailbox: an acknowledgement of {} of {} failed (they will be sent again at its next "
          + "pick-up): {}", Plural.of(batch.size(), "message"), st.key, ar.cause().toString());
      }
      deleteNext(st);
      retireIfIdle(st);
    });
  }

  private void fillMail(Recipient st) {
    if (st.fetching || st.exhausted || WINDOW_MESSAGES - st.mail.size() < REFILL_MESSAGES
        || st.mail.bytes() >= WINDOW_BYTES) {
      return;
    }
    st.fetching = true;
    long deposits = st.deposits;
    int room = WINDOW_MESSAGES - st.mail.size();
    mailbox.pickUp(st.key, st.afterSeq, room).onComplete(ar -> {
      st.fetching = false;
      if (byKey.get(st.key) != st || !st.current()) {
        return;
      }
      if (ar.failed()) {
        // Resumed at the client's next keep-alive, ack or deposit.
        log.warn("mailbox: the pick-up of {} failed: {}", st.key, ar.cause().toString());
        return;
      }
      List<StoredMessage> page = ar.result();
      long now = System.nanoTime();
      int sent = 0;
      for (StoredMessage m : page) {
        int bytes = m.envelope().length;
        if (st.mail.size() > 0 && st.mail.bytes() + bytes > WINDOW_BYTES) {
          break; // the rest of the page comes again once acks make room
        }
        st.mail.add(m.seq(), m, bytes, now);
        st.afterSeq = m.seq();
        sendMail(st, m);
        sent++;
      }
      counters.mailSent(sent);
      if (sent == page.size() && page.size() < room && deposits == st.deposits) {
        st.exhausted = true;
      }
      scheduler.wakeAt(st.nextDeadline());
      if (!st.exhausted && sent == page.size()) {
        fillMail(st);
      }
      retireIfIdle(st);
    });
  }

  private void fillNotices(Recipient st) {
    if (st.fetchingNotices || !st.noticesWaiting || st.notices.size() > 0) {
      return;
    }
    st.fetchingNotices = true;
    st.noticesWaiting = false;
    mailbox.notices(st.key, NOTICE_WINDOW).onComplete(ar -> {
      st.fetchingNotices = false;
      if (byKey.get(st.key) != st || !st.current()) {
        return;
      }
      if (ar.failed()) {
        st.noticesWaiting = true;
        log.warn("mailbox: the expiry notices of {} could not be read: {}", st.key, ar.cause().toString());
        return;
      }
      long now = System.nanoTime();
      for (ExpiryNotice n : ar.result()) {
        st.notices.add(n.noticeSeq(), n, 0, now);
        sendNotice(st, n);
      }
      counters.noticesSent(ar.result().size());
      st.noticesWaiting |= ar.result().size() == NOTICE_WINDOW;
      scheduler.wakeAt(st.nextDeadline());
      retireIfIdle(st);
    });
  }

  private void sendMail(Recipient st, StoredMessage m) {
    byte[] envelope = m.envelope();
    int parts = (envelope.length + MailboxControl.PART_BYTES - 1) / MailboxControl.PART_BYTES;
    byte[] from = m.depositor().raw();
    for (int i = 0; i < parts; i++) {
      byte[] part = Arrays.copyOfRange(envelope, i * MailboxControl.PART_BYTES,
        Math.min(envelope.length, (i + 1) * MailboxControl.PART_BYTES));
      outbox.tellMailbox(null, st.registration.address,
        new MailboxControl.MailPart(m.seq(), from, m.depositedAtMillis(), i + 1, parts, part).toJson());
    }
  }

  private void sendNotice(Recipient st, ExpiryNotice n) {
    outbox.tellMailbox(null, st.registration.address, new MailboxControl.Expired(n.noticeSeq(), n.depositId(),
      n.recipient().raw(), n.depositedAtMillis(), n.expiredAtMillis()).toJson());
  }

  /** The earliest deadline of every recipient: once per retransmission timer, which visits each of them anyway. */
  private long nextDeadline() {
    long next = Long.MAX_VALUE;
    for (Recipient st : byKey.values()) {
      next = earliest(next, st.nextDeadline());
    }
    return next;
  }

  /** The earlier of two {@link System#nanoTime} deadlines ({@link Long#MAX_VALUE}: none), by wrap-safe difference. */
  private static long earliest(long a, long b) {
    if (a == Long.MAX_VALUE) {
      return b;
    }
    return b == Long.MAX_VALUE || a - b <= 0 ? a : b;
  }
}
