package io.p2pchat.console;

import io.p2pchat.common.Plural;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What the console says about messages that wait in a peer's mailbox, one line per burst rather than one
 * per message:
 * <ul>
 *   <li>the first {@code chat.queued} for a peer prints {@code * bob is offline: queued at the rendezvous};
 *   the next ones for that peer print nothing until the burst ends: the peer comes online or a receipt for
 *   one of its queued messages arrives;</li>
 *   <li>receipts for queued messages ({@code chat.delivered} of an id that was queued) are counted per peer
 *   and summed up once they stop coming for a moment: {@code * bob picked up 100 queued messages}.</li>
 * </ul>
 * Pure bookkeeping: the console owns the timer and prints what this returns. Not thread-safe (the
 * console's event loop only).
 */
final class MailboxLines {
  /** Queued message ids remembered for their receipts: a larger backlog is summed up without the oldest. */
  static final int REMEMBERED_QUEUED = 10_000;

  /** Peers whose burst of queued messages was announced and has not ended. */
  private final Set<String> announced = new HashSet<>();
  /** Queued ids waiting for a receipt, with their peer (insertion order: the oldest forgotten first). */
  private final Map<String, String> queued = new LinkedHashMap<>(16, 0.75f, false) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
      return size() > REMEMBERED_QUEUED;
    }
  };
  /** Receipts of queued messages not summed up yet, per peer, in nick order for a stable output. */
  private final Map<String, Integer> pickedUp = new TreeMap<>();

  /** A message to {@code peer} was queued: the line to print, or null within a burst already announced. */
  String onQueued(String id, String peer) {
    queued.put(id, peer);
    return announced.add(peer) ? "* " + peer + " is offline: queued at the rendezvous" : null;
  }

  /**
   * A receipt or an acknowledgement: true when it was for a queued message, so the caller arms the
   * summary timer; a receipt ends the peer's burst.
   */
  boolean onDelivered(String id, String peer) {
    if (queued.remove(id) == null) {
      return false;
    }
    announced.remove(peer);
    pickedUp.merge(peer, 1, Integer::sum);
    return true;
  }

  /** The peer is online again: its next queued message starts a new burst. */
  void onOnline(String peer) {
    announced.remove(peer);
  }

  /** A failure ends the wait for that id (it is printed as {@code ! not delivered} by the console). */
  void onFailed(String id) {
    queued.remove(id);
  }

  /** The summary lines of the receipts counted since the last call, one per peer. */
  Iterable<String> summary() {
    var lines = new ArrayList<String>(pickedUp.size());
    pickedUp.forEach((peer, n) -> lines.add("* " + peer + " picked up " + Plural.of(n, "queued message")));
    pickedUp.clear();
    return lines;
  }
}
