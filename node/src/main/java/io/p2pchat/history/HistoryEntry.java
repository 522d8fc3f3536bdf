package io.p2pchat.history;

/**
 * One chat line in the history.
 *
 * @param id        message id (unique per sender)
 * @param direction IN (received) or OUT (sent by this node)
 * @param peer      the peer's nick for a direct conversation, null for the room
 * @param from      sender nick
 * @param to        recipient nick, or the room name
 * @param text      the text
 * @param ts        ms since the epoch, as stamped by the sender (a received one's capped at its receipt + 60 s)
 * @param state     delivery state (IN entries are DELIVERED)
 */
public record HistoryEntry(String id, Direction direction, String peer, String from, String to, String text,
                           long ts, State state) {

  public enum Direction { IN, OUT }

  /**
   * SENDING: handed to the peer's session (or waiting to be deposited); QUEUED: stored in the peer's
   * mailbox at the rendezvous, waiting for its receipt; DELIVERED: the peer has it; FAILED: it will not get it.
   */
  public enum State { SENDING, QUEUED, DELIVERED, FAILED }

  public HistoryEntry {
    if (id == null || direction == null || state == null) {
      throw new IllegalArgumentException("id, direction and state are required");
    }
  }

  public HistoryEntry withState(State newState) {
    return new HistoryEntry(id, direction, peer, from, to, text, ts, newState);
  }
}
