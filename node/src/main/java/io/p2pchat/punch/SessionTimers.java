package io.p2pchat.punch;

import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * The timers of every session in one place: the flush at the end of an event-loop turn, and one
 * timer per session armed at its earliest deadline ({@link PeerSession#nextDeadline()}). A timer
 * or flush of a session that has left the {@link PeerTable} meanwhile does nothing. Lives on
 * PunchVerticle's event loop only.
 */
final class SessionTimers {

  /** The timer state of one session, kept in the session itself: no look-up per packet. */
  static final class Slot {
    private long timerId = -1;
    private long armedAt = Long.MAX_VALUE;
    private boolean flushScheduled;
  }

  private final Vertx vertx;
  private final Context context;
  private final PeerTable peers;

  SessionTimers(Vertx vertx, Context context, PeerTable peers) {
    this.vertx = vertx;
    this.context = context;
    this.peers = peers;
  }

  /** Flushes a session at the end of this event-loop turn, so a burst of messages shares packets. */
  void scheduleFlush(PeerSession session) {
    Slot slot = session.timers;
    if (!slot.flushScheduled) {
      slot.flushScheduled = true;
      context.runOnContext(v -> {
        slot.flushScheduled = false;
        if (peers.contains(session)) {
          session.flush(System.nanoTime());
          reschedule(session);
        }
      });
    }
  }

  /**
   * Keeps one timer per session, armed no later than its earliest deadline. A timer armed earlier
   * than needed is kept (it fires, finds nothing due, and re-arms): every packet moves the
   * deadlines, and cancelling and re-creating a timer per packet was a visible share of the CPU.
   */
  void reschedule(PeerSession session) {
    Slot slot = session.timers;
    long deadline = session.nextDeadline();
    if (deadline >= slot.armedAt) {
      return;
    }
    vertx.cancelTimer(slot.timerId);
    slot.armedAt = deadline;
    slot.timerId = vertx.setTimer(Timing.timerDelayMs(deadline, System.nanoTime()), id -> {
      slot.armedAt = Long.MAX_VALUE;
      slot.timerId = -1;
      if (!peers.contains(session)) {
        return;
      }
      long now = System.nanoTime();
      session.onTimer(now);
      session.flush(now);
      reschedule(session);
    });
  }

  /** Flushes at the end of this turn and re-arms the timer: after anything that may have made work for the session. */
  void touched(PeerSession session) {
    scheduleFlush(session);
    reschedule(session);
  }

  /** Cancels the session's timer (it left, or the node stops). */
  void cancel(PeerSession session) {
    vertx.cancelTimer(session.timers.timerId);
  }
}
