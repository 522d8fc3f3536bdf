package io.p2pchat.control;

import java.util.concurrent.TimeUnit;

/**
 * The client's resumption ticket: the latest one a rendezvous gave it (in the RESPONSE of a full
 * handshake, or in the RESUMED of a resumption), with the secret that goes with it. One wallet is shared
 * by the {@link ControlClient}s of every server of one list, so that a client failing over to another
 * instance of the cluster resumes there with the ticket its last instance gave it. Held in memory only:
 * a restarted node runs one full handshake, then resumes again. Not thread-safe: the owner of the
 * control clients calls it from their thread.
 */
public final class TicketWallet {
  /**
   * A ticket is used until this long before the end of its life ({@link ResumptionTicket#LIFETIME_MILLIS},
   * counted by our monotonic clock from the full handshake): 10 min, so that a server whose clock runs
   * up to that much ahead of ours never refuses it as expired, which would cost
   * {@link ControlClient#MAX_RESUME_ATTEMPTS} unanswered tries before the full handshake.
   */
  static final long RENEW_BEFORE_END_NANOS = TimeUnit.MINUTES.toNanos(10);

  /** The ticket, its secret, when its chain's full handshake completed, and the key of the server that ran it. */
  record Held(byte[] ticket, byte[] secret, long chainStartNanos, byte[] issuerKey) {
  }

  private Held held;

  /** The ticket to resume with at {@code nowNanos}, or null (none, or too near the end of its life). */
  Held usable(long nowNanos) {
    if (held != null && nowNanos - held.chainStartNanos() >= TimeUnit.MILLISECONDS.toNanos(ResumptionTicket.LIFETIME_MILLIS)
        - RENEW_BEFORE_END_NANOS) {
      held = null;
    }
    return held;
  }

  /** Keeps a new ticket (it replaces the previous one: each resumption gets a fresh one). */
  void keep(Held ticket) {
    this.held = ticket;
  }

  /** Drops the ticket: it was not accepted, so the next session starts with a full handshake. */
  void forget() {
    held = null;
  }

  /** True while a ticket is held (for tests and logs). */
  public boolean holdsTicket() {
    return held != null;
  }
}
