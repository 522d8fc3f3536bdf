package io.p2pchat.punch;

import io.p2pchat.mailbox.MailPlaintext;
import io.p2pchat.wire.MailboxControl;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
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
 *       unacknowledged, oldest first, and held mail is not acknowledged, so nothing earlier can still be missing;
 *   <li>no new mail was opened for {@link #SETTLE_NANOS} (the pick-up went quiet: retransmissions of a lost one
 *       would have come by then);
 *   <li>the oldest held has waited {@link #MAX_HOLD_NANOS} (a steady stream is not held forever).
 * </ul>
 * A message that still arrives after a later one of its sender was shown (lost past the bounds) is shown at once
 * and counted ({@link #outOfOrder}) so the log can say so. A pure state machine: time is passed in, the caller
 * arms one timer at {@link #nextDueNanos}. State: {@code IDLE} (nothing held) or {@code HOLDING}.
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

  /** One message held: its sender, counter and the caller's record. */
  record Held<T>(String sender, long counter, T value) {
  }

  private final List<Held<T>> held = new ArrayList<>();
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
    return held.size() >= PICKUP_WINDOW ? release() : List.of();
  }

  /** What is due at {@code now} (settled or held too long), in order; empty if nothing is. */
  List<Held<T>> due(long now) {
    long next = nextDueNanos();
    return next != -1 && now - next >= 0 ? release() : List.of();
  }

  /** When {@link #due} next has something, or -1 when nothing is held. */
  long nextDueNanos() {
    if (held.isEmpty()) {
      return -1;
    }
    long settled = lastHeldAt + SETTLE_NANOS;
    long tooLong = firstHeldAt + MAX_HOLD_NANOS;
    return settled - tooLong < 0 ? settled : tooLong;
  }

  /** Messages held now. */
  int held() {
    return held.size();
  }

  /** Messages that arrived after a later one of their sender had been shown, since start. */
  long outOfOrder() {
    return outOfOrder;
  }

  /** Everything held: each sender's messages by counter, in the slots its messages arrived in. */
  private List<Held<T>> release() {
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
