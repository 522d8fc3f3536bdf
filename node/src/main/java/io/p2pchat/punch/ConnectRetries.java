package io.p2pchat.punch;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The {@code connect} requests (asking the rendezvous for a fresh introduction to a nick) waiting for
 * their introduction: each is sent again with back-off until an introduction to that nick arrives,
 * the rendezvous says it has no such nick, or {@link #MAX_TRIES} sends went unanswered. A pure state
 * machine, time passed in; at most one request per nick.
 *
 * <pre>
 * WAITING ──introduced / unknown-nick──▶ done
 *    └──deadline: sent again, back-off doubled; after MAX_TRIES ──▶ given up (the path's next loss asks again)
 * </pre>
 */
final class ConnectRetries {

  /** First retry: an introduction comes back within one round trip to the rendezvous, well under this. */
  static final long FIRST_RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(250);
  /** Back-off cap: a fifth of the default punch window, like the rendezvous's retransmissions of introductions. */
  static final long MAX_RETRY_NANOS = TimeUnit.SECONDS.toNanos(1);
  /** Sends in all (the first included): about 8.75 s of asking, past which the rendezvous is likely down. */
  static final int MAX_TRIES = 10;
  /** Nicks asked for at once at most: bounded like a room, the oldest is given up beyond it. */
  static final int MAX_WAITING = 256;

  private static final class Waiting {
    int tries = 1;
    long interval = FIRST_RETRY_NANOS;
    long nextAt;

    Waiting(long nextAt) {
      this.nextAt = nextAt;
    }
  }

  private final Map<String, Waiting> waiting = new LinkedHashMap<>();

  /** A request for {@code nick} is sent now: returns false when one is already waiting (nothing to send). */
  boolean asked(String nick, long now) {
    if (waiting.containsKey(nick)) {
      return false;
    }
    if (waiting.size() >= MAX_WAITING) {
      Iterator<String> oldest = waiting.keySet().iterator();
      oldest.next();
      oldest.remove();
    }
    waiting.put(nick, new Waiting(now + FIRST_RETRY_NANOS));
    return true;
  }

  /** The introduction to {@code nick} arrived, or the rendezvous has no such nick: stop asking. */
  void answered(String nick) {
    waiting.remove(nick);
  }

  /** The nicks to ask for again at {@code now}; each moves to its next deadline, or is given up. */
  List<String> due(long now) {
    List<String> out = new ArrayList<>();
    for (Iterator<Map.Entry<String, Waiting>> it = waiting.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<String, Waiting> e = it.next();
      Waiting w = e.getValue();
      if (now - w.nextAt < 0) {
        continue;
      }
      if (w.tries >= MAX_TRIES) {
        it.remove();
        continue;
      }
      w.tries++;
      w.interval = Math.min(w.interval * 2, MAX_RETRY_NANOS);
      w.nextAt = now + w.interval;
      out.add(e.getKey());
    }
    return out;
  }

  /** The earliest deadline, or {@code fallback} when nothing waits. */
  long nextDeadline(long fallback) {
    long next = fallback;
    for (Waiting w : waiting.values()) {
      if (w.nextAt - next < 0) {
        next = w.nextAt;
      }
    }
    return next;
  }

  /** Whether a request for {@code nick} waits. */
  boolean waiting(String nick) {
    return waiting.containsKey(nick);
  }
}
