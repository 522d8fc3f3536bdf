package io.p2pchat.rendezvous;

/**
 * One received datagram and what became of it: answered, handled without an answer by design
 * (a relayed frame, a {@code bye}), or dropped. Also the anti-amplification budget of its answers
 * (RFC 9000 section 8.1): to a sender whose address is not validated, the server sends at most
 * {@link #AMPLIFICATION_FACTOR} times the bytes it received, so a spoofed source cannot turn the
 * server into an amplifier against a victim.
 */
final class Exchange {

  /** QUIC's factor: a useful answer (challenge, STUN, error) fits; an attack gains nothing. */
  static final int AMPLIFICATION_FACTOR = 3;

  /** DEFERRED: its answer comes later (a handshake running on a worker), and it is counted then. */
  enum Outcome { PENDING, DEFERRED, ANSWERED, HANDLED, DROPPED }

  final io.p2pchat.wire.Endpoint from;
  final int bytesIn;
  private int bytesOut;
  private Outcome outcome = Outcome.PENDING;
  /** Set once its outcome was deferred: the deferred work's completion counts it, whatever it became. */
  private boolean wasDeferred;

  Exchange(io.p2pchat.wire.Endpoint from, int bytesIn) {
    this.from = from;
    this.bytesIn = bytesIn;
  }

  /** Bytes an answer to an unvalidated sender may still take. */
  int budget() {
    return Math.max(0, AMPLIFICATION_FACTOR * bytesIn - bytesOut);
  }

  /** Whether {@code bytes} more may go to the sender; records them if so. */
  boolean mayAnswer(int bytes, boolean validated) {
    if (!validated && bytes > budget()) {
      return false;
    }
    bytesOut += bytes;
    outcome = Outcome.ANSWERED;
    return true;
  }

  void handled() {
    if (outcome == Outcome.PENDING || outcome == Outcome.DEFERRED) {
      outcome = Outcome.HANDLED;
    }
  }

  void dropped() {
    if (outcome == Outcome.PENDING || outcome == Outcome.DEFERRED) {
      outcome = Outcome.DROPPED;
    }
  }

  /** Its outcome is decided later, off this call (answered or dropped when the deferred work is done). */
  void deferred() {
    if (outcome == Outcome.PENDING) {
      outcome = Outcome.DEFERRED;
      wasDeferred = true;
    }
  }

  boolean wasDeferred() {
    return wasDeferred;
  }

  Outcome outcome() {
    return outcome;
  }
}
