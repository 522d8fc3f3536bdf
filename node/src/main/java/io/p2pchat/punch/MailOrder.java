package io.p2pchat.punch;

import io.p2pchat.mailbox.MailPlaintext;
import io.p2pchat.wire.MailboxControl;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Shows one sender's mailbox messages in that sender's order (its {@code counter}), although the pick-up
 * delivers them in the order their {@code mail} datagrams arrive: a lost, late or refused one comes again on the
 * rendezvous's retransmit schedule (250 ms doubling to 1 s), after later ones. Opened mail is held, and released
 * with each sender's messages sorted by counter (the senders' interleaving kept as it arrived), when:
 * <ul>
 *   <li>the held mail is a whole pick-up window ({@link #PICKUP_WINDOW}): the rendezvous has no more than that
 *       unacknowledged, oldest first, and held mail is not acknowledged, so nothing earlier can still be missing
 *       (earlier stored: a sender's storage order is its counter order, as its {@code DepositQueue} keeps one
 *       deposit per recipient in flight; every release here relies on that);
 *   <li>no new mail was opened for {@link #SETTLE_NANOS} (the pick-up went quiet: retransmissions of a lost one
 *       would have come by then), unless {@code registered} announced entries that are still missing: then not before
 *       {@link #MAX_HOLD_NANOS} from the registration, since one of them is on its way again;
 *   <li>the oldest held has waited {@link #MAX_HOLD_NANOS} (a steady stream is not held forever).
 * </ul>
 * A message that still arrives after a later one of its sender was shown (lost past the bounds) is shown at once
 * and counted ({@link #outOfOrder}) so the log can say so.
 *
 * <p>Across paths: {@code registered} says how many mailbox entries wait ({@link #pickUpStarted}). While a pick-up
 * of some is under way (fewer of them arrived, and a new one came within {@link #SETTLE_NANOS}), a message of a
 * sender's live session is held too ({@link #holdsLive}, {@link #holdLive}), and shown after the mail, so after that sender's mailbox
 * messages (older: deposited while we were away). It is released when every announced entry arrived, when the
 * pick-up is over (quiet for {@link #SETTLE_NANOS}, and {@link #MAX_HOLD_NANOS} since the registration when
 * entries are still missing), or when it waited {@link #MAX_HOLD_NANOS}, which also ends the pick-up's hold (later live
 * messages are shown at once); past {@link #MAX_LIVE} messages or {@link #MAX_LIVE_BYTES} held, everything held is
 * shown at once and counted. A node told 0 (or nothing: an older or clustered rendezvous) holds no live message,
 * unless mail of that sender is held right now. A pure state machine: time is passed in, the caller arms one timer
 * at {@link #nextDueNanos}. State: {@code IDLE} (nothing held) or {@code HOLDING}; {@code PICKING_UP} besides.
 *
 * @param <T> what is held with each message (the courier's record of it)
 */
final class MailOrder<T> {

  /** The rendezvous's window: {@code MailboxDelivery.WINDOW_MESSAGES}, the most {@code mail} unacknowledged at once. */
  static final int PICKUP_WINDOW = MailboxControl.MAX_ACK_IDS;
  /**
   * Quiet time after the last newly opened mail before what is held is shown: the rendezvous's retransmissions of
   * a lost {@code mail} come 250 ms, 750 ms and 1.75 s after its first send (then every 1 s), so 2.5 s covers two
   * lost copies with slack for a loaded machine, and costs a returning node that much before its mail shows.
   */
  static final long SETTLE_NANOS = TimeUnit.MILLISECONDS.toNanos(2_500);
  /** The longest any message is held: 4 settle times, so a steady trickle of mail still shows within 10 s. */
  static final long MAX_HOLD_NANOS = 4 * SETTLE_NANOS;
  /** Senders whose last shown counter is remembered (to notice a late one): one per peer, bounded. */
  static final int MAX_SENDERS = 1_024;
  /** Live messages held at most at once: then everything held is shown (a peer cannot grow this without bound). */
  static final int MAX_LIVE = 256;
  /** Payload bytes of the live messages held at most at once. */
  static final long MAX_LIVE_BYTES = 256 * 1024;
  /** Announced entries counted at most (the seqs seen are remembered until then): a larger pick-up settles. */
  static final int MAX_ANNOUNCED = 4_096;

  /** One message held: its sender, counter (-1 for a live message) and the caller's record. */
  record Held<T>(String sender, long counter, T value) {
  }

  private final List<Held<T>> held = new ArrayList<>();
  /** Live messages held, in arrival order, shown after {@link #held}. */
  private final List<Held<T>> live = new ArrayList<>();
  private long liveBytes;
  private long liveFirstAt;
  /** Entries {@code registered} announced that have not arrived yet; 0: no pick-up to wait for. */
  private int announced;
  /** The seqs of the announced entries that arrived (a copy resent is counted once). */
  private final HashSet<Long> arrived = new HashSet<>();
  /** The registration, or the last announced entry that arrived: the pick-up settles {@link #SETTLE_NANOS} later. */
  private long pickUpQuietSince;
  /** The registration that announced the entries: a pick-up missing some is not over before {@link #MAX_HOLD_NANOS}. */
  private long pickUpStartedAt;
  /** The highest counter shown per sender, least recently shown evicted past {@link #MAX_SENDERS}. */
  private final LinkedHashMap<String, Long> shownUpTo = new LinkedHashMap<>(16, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
      return size() > MAX_SENDERS;
    }
  };
  private long firstHeldAt;
  private long lastHeldAt;
  private long outOfOrder;

  /**
   * A newly opened message; returns what is to be shown now, in order (empty: held). A message whose sender
   * already had a later one shown is not held: it is shown at once, and counted.
   */
  List<Held<T>> add(String sender, MailPlaintext mail, T value, long now) {
    Held<T> h = new Held<>(sender, mail.counter(), value);
    Long shown = shownUpTo.get(sender);
    if (shown != null && mail.counter() < shown) {
      outOfOrder++;
      return List.of(h);
    }
    if (held.isEmpty()) {
      firstHeldAt = now;
    }
    lastHeldAt = now;
    held.add(h);
    if (held.size() < PICKUP_WINDOW) {
      return List.of();
    }
    return pickingUp(now) ? releaseMail() : release(); // live messages wait for the rest of the pick-up
  }

  /**
   * Registered: {@code mail} entries wait in our mailbox (-1: unknown, from a rendezvous that does not say); the
   * pick-up starts now. Returns what is to be shown now (nothing is held for a pick-up of none).
   */
  List<Held<T>> pickUpStarted(int mail, long now) {
    arrived.clear();
    announced = Math.min(Math.max(mail, 0), MAX_ANNOUNCED);
    pickUpQuietSince = now;
    pickUpStartedAt = now;
    return announced == 0 && held.isEmpty() ? release() : List.of();
  }

  /**
   * The entry {@code seq} of the pick-up arrived (shown, held, or dropped, after {@link #add} for chat mail):
   * returns what is to be shown now, everything held once the last announced entry is in.
   */
  List<Held<T>> arrived(long seq, long now) {
    if (announced > 0 && !pickingUp(now)) {
      // It settled with entries still missing (deposits not yet durable, or picked up elsewhere): it is over, and
      // mail arriving later must not start holding live messages again.
      endPickUp();
    }
    if (announced == 0 || !arrived.add(seq)) {
      return List.of();
    }
    pickUpQuietSince = now;
    if (arrived.size() < announced) {
      return List.of();
    }
    endPickUp();
    return release(); // every announced entry is in: nothing older can be missing
  }

  /** True while live messages wait for the pick-up: entries announced still missing, and it is not over. */
  boolean pickingUp(long now) {
    return announced > 0 && now - pickUpOverNanos() < 0;
  }

  /**
   * When a pick-up with announced entries still missing is over: quiet for {@link #SETTLE_NANOS}, and not before
   * {@link #MAX_HOLD_NANOS} from the registration. A quiet spell alone does not end it: an entry announced and not
   * yet here was lost on the way (the network's loss, not the end of the pick-up) and its retransmission, 1 s apart
   * after the first three, is worth the wait; a quiet spell that long ended a pick-up under 20% loss with a lost
   * entry shown after later ones of its sender (LossyMailboxIT, about one run in ten).
   */
  private long pickUpOverNanos() {
    long quiet = pickUpQuietSince + SETTLE_NANOS;
    long bound = pickUpStartedAt + MAX_HOLD_NANOS;
    return quiet - bound > 0 ? quiet : bound;
  }

  /**
   * A message of {@code sender}'s live session ({@code bytes} long) that {@link #holdsLive} just said is held (the
   * caller asks once, as it must tell the message's recorder whether it is held): held (empty) behind the mail the
   * pick-up brings, and released after it. Past {@link #MAX_LIVE} or {@link #MAX_LIVE_BYTES} held, everything
   * held is shown at once (with this one) and counted in {@link #outOfOrder}.
   */
  List<Held<T>> holdLive(String sender, T value, int bytes, long now) {
    Held<T> h = new Held<>(sender, -1, value);
    if (live.size() >= MAX_LIVE || liveBytes + bytes > MAX_LIVE_BYTES) {
      outOfOrder++;
      endPickUp();
      List<Held<T>> out = release();
      out.add(h);
      return out;
    }
    if (live.isEmpty()) {
      liveFirstAt = now;
    }
    live.add(h);
    liveBytes += bytes;
    return List.of();
  }

  /**
   * True when a live message of {@code sender} arriving now is held ({@link #holdLive}): a pick-up is under way,
   * live messages are held already (their order kept), or mail of {@code sender} is held.
   */
  boolean holdsLive(String sender, long now) {
    return pickingUp(now) || !live.isEmpty() || (!held.isEmpty() && holdsMailOf(sender));
  }

  private boolean holdsMailOf(String sender) {
    for (Held<T> h : held) {
      if (h.sender().equals(sender)) {
        return true;
      }
    }
    return false;
  }

  private void endPickUp() {
    announced = 0;
    arrived.clear();
  }

  /** What is due at {@code now} (settled or held too long), in order; empty if nothing is. */
  List<Held<T>> due(long now) {
    if (!live.isEmpty() && now - liveDueNanos() >= 0) {
      endPickUp(); // settled, or a live message waited the longest allowed: later ones are not held
      return release();
    }
    if (!held.isEmpty() && now - mailDueNanos() >= 0) {
      return pickingUp(now) ? releaseMail() : release();
    }
    return List.of();
  }

  /** When {@link #due} next has something, or -1 when nothing is held. */
  long nextDueNanos() {
    if (held.isEmpty() && live.isEmpty()) {
      return -1;
    }
    if (held.isEmpty()) {
      return liveDueNanos();
    }
    if (live.isEmpty()) {
      return mailDueNanos();
    }
    long m = mailDueNanos();
    long l = liveDueNanos();
    return m - l < 0 ? m : l;
  }

  private long mailDueNanos() {
    long settled = lastHeldAt + SETTLE_NANOS;
    if (announced > 0) {
      long over = pickUpOverNanos(); // an announced entry is missing: its sender's later ones wait for it
      settled = over - settled > 0 ? over : settled;
    }
    long tooLong = firstHeldAt + MAX_HOLD_NANOS;
    return settled - tooLong < 0 ? settled : tooLong;
  }

  /** Live messages go when the pick-up settles (or is over) or the oldest waited {@link #MAX_HOLD_NANOS}. */
  private long liveDueNanos() {
    long tooLong = liveFirstAt + MAX_HOLD_NANOS;
    if (announced == 0) {
      return held.isEmpty() ? liveFirstAt : mailDueNanos(); // held behind its sender's mail: shown with it
    }
    long settled = pickUpOverNanos();
    return settled - tooLong < 0 ? settled : tooLong;
  }

  /** Live messages held now. */
  int heldLive() {
    return live.size();
  }

  /** Messages held now. */
  int held() {
    return held.size();
  }

  /** Messages that arrived after a later one of their sender had been shown, since start. */
  long outOfOrder() {
    return outOfOrder;
  }

  /** Everything held: the mail (see {@link #releaseMail}), then the live messages in their order. */
  private List<Held<T>> release() {
    List<Held<T>> out = releaseMail();
    out.addAll(live);
    live.clear();
    liveBytes = 0;
    return out;
  }

  /** The mail held: each sender's messages by counter, in the slots its messages arrived in. */
  private List<Held<T>> releaseMail() {
    Map<String, List<Held<T>>> bySender = new HashMap<>();
    for (Held<T> h : held) {
      bySender.computeIfAbsent(h.sender(), k -> new ArrayList<>()).add(h);
    }
    bySender.values().forEach(l -> l.sort(Comparator.comparingLong(Held::counter)));
    Map<String, Integer> next = new HashMap<>();
    List<Held<T>> out = new ArrayList<>(held.size());
    for (Held<T> slot : held) {
      int i = next.merge(slot.sender(), 1, Integer::sum) - 1;
      Held<T> h = bySender.get(slot.sender()).get(i);
      out.add(h);
      shownUpTo.merge(h.sender(), h.counter(), Math::max);
    }
    held.clear();
    return out;
  }
}
