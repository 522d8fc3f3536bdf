package io.p2pchat.rendezvous;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * What the mailbox sent one client and the client has not acknowledged yet ({@code mail} by {@code seq},
 * {@code expired} by {@code nid}): a pure state machine, time passed in. Each item is sent again on the
 * {@link Retransmits} schedule (250 ms doubling to 1 s) until acknowledged; after {@link Retransmits#MAX_TRIES}
 * sends it goes dormant, and is sent again only at the client's next keep-alive (a client that stops
 * acknowledging costs one window per keep-alive, never a timer per millisecond), never given up:
 *
 * <pre>
 * SENT ──ack(id)──────────────────────────────────────▶ done
 *   └─deadline: sent again, back-off doubled to the cap
 *        └─after MAX_TRIES sends ─▶ DORMANT ──keep-alive──▶ SENT (schedule restarted)
 * </pre>
 *
 * Bounded by its owner ({@link #size}, {@link #bytes}); lives on the rendezvous verticle's event loop.
 *
 * @param <T> the item sent
 */
final class ResendWindow<T> {

  /** One item in flight. */
  private static final class Entry<T> {
    final T item;
    final int bytes;
    int tries = 1;
    long interval = Retransmits.FIRST_RETRY_NANOS;
    long nextAt;
    boolean dormant;

    Entry(T item, int bytes, long nextAt) {
      this.item = item;
      this.bytes = bytes;
      this.nextAt = nextAt;
    }
  }

  /**
   * By id, in the order sent (oldest first); null while nothing is in flight, as for almost every client
   * (an empty LinkedHashMap with its values view is ~90 bytes, and the rendezvous keeps two windows per
   * registration).
   */
  private LinkedHashMap<Long, Entry<T>> entries;
  private long bytes;
  private long resent;

  /** Records {@code item}, of {@code bytes}, as sent for the first time at {@code now}. */
  void add(long id, T item, int bytes, long now) {
    if (entries == null) {
      entries = new LinkedHashMap<>();
    }
    if (entries.put(id, new Entry<>(item, bytes, now + Retransmits.FIRST_RETRY_NANOS)) != null) {
      throw new IllegalStateException("BUG: id " + id + " sent twice in one window");
    }
    this.bytes += bytes;
  }

  /** The client acknowledged {@code id}: true when it was in flight (else a duplicate or a forgery). */
  boolean ack(long id) {
    Entry<T> e = entries == null ? null : entries.remove(id);
    if (e == null) {
      return false;
    }
    if (entries.isEmpty()) {
      entries = null;
    }
    bytes -= e.bytes;
    return true;
  }

  boolean contains(long id) {
    return entries != null && entries.containsKey(id);
  }

  /** The items due at {@code now}, each moved to its next deadline, or made dormant after its last try. */
  List<T> due(long now) {
    List<T> out = new ArrayList<>();
    for (Entry<T> e : inFlight()) {
      if (e.dormant || now - e.nextAt < 0) {
        continue;
      }
      if (e.tries >= Retransmits.MAX_TRIES) {
        e.dormant = true;
        continue;
      }
      e.tries++;
      e.interval = Math.min(e.interval * 2, Retransmits.MAX_RETRY_NANOS);
      e.nextAt = now + e.interval;
      resent++;
      out.add(e.item);
    }
    return out;
  }

  /** The dormant items, woken at {@code now} (the client's keep-alive): sent again on a fresh schedule. */
  List<T> wake(long now) {
    List<T> out = new ArrayList<>();
    for (Entry<T> e : inFlight()) {
      if (e.dormant) {
        e.dormant = false;
        e.tries = 1;
        e.interval = Retransmits.FIRST_RETRY_NANOS;
        e.nextAt = now + e.interval;
        resent++;
        out.add(e.item);
      }
    }
    return out;
  }

  /** The earliest deadline of an item that is not dormant, or {@link Long#MAX_VALUE}. */
  long nextDeadline() {
    long next = Long.MAX_VALUE;
    for (Iterator<Entry<T>> it = inFlight().iterator(); it.hasNext(); ) {
      Entry<T> e = it.next();
      if (!e.dormant && (next == Long.MAX_VALUE || e.nextAt - next < 0)) {
        next = e.nextAt;
      }
    }
    return next;
  }

  int size() {
    return entries == null ? 0 : entries.size();
  }

  private Collection<Entry<T>> inFlight() {
    return entries == null ? List.of() : entries.values();
  }

  long bytes() {
    return bytes;
  }

  /** Items sent again so far (on the schedule or at a keep-alive). */
  long resent() {
    return resent;
  }
}
