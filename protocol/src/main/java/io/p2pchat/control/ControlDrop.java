package io.p2pchat.control;

import io.p2pchat.wire.DropReason;

/**
 * Why a control-channel datagram was refused. Every refusal leaves the client, the server and every
 * session exactly as they were: the datagram is counted and forgotten, never acted on.
 */
public enum ControlDrop {
  /** Shorter than its header or the fixed part of its type. */
  TRUNCATED(DropReason.TRUNCATED),
  /** Longer than {@link ControlCodec#MAX_DATAGRAM}. */
  OVERSIZED(DropReason.OVERSIZED),
  /** Another version of the control channel. */
  BAD_VERSION(DropReason.BAD_VERSION),
  /** A message type this side does not take (unknown, or only the other side sends it). */
  UNKNOWN_TYPE(DropReason.UNKNOWN_TYPE),
  /** Framed well but a field makes no sense (a reserved byte set, a payload that does not parse). */
  MALFORMED(DropReason.MALFORMED),
  /** Failed authentication: a forged or corrupted handshake or sealed message, a wrong key. */
  UNAUTHENTICATED(DropReason.UNAUTHENTICATED),
  /** A sealed message or response for a session index this side does not have. */
  UNKNOWN_SESSION(DropReason.UNKNOWN_SESSION),
  /**
   * A counter already seen, or an initiation whose timestamp is not newer than the last one. A network
   * that duplicates datagrams makes these in normal operation (5% of them in the NAT lab's lossy runs),
   * so it is counted and logged at DEBUG only ({@link #expected()}): a flood of them shows in the counter.
   */
  REPLAYED(DropReason.REPLAYED),
  /** Not expected now: a cookie or response nobody asked for (e.g. a nonce the client never sent). */
  UNEXPECTED(DropReason.UNKNOWN_SESSION),
  /**
   * A response to an initiation we re-sent, after the handshake completed with the answer to another
   * initiation of the same attempt: a slow server, not an attacker. Counted like {@link #UNEXPECTED} but
   * logged at DEBUG only ({@link #expected()}).
   */
  LATE_RESPONSE(DropReason.UNKNOWN_SESSION),
  /** The session is too old to be used (see {@link ControlTiming#REJECT_AFTER_NANOS}): re-handshake. */
  EXPIRED(DropReason.UNKNOWN_SESSION),
  /**
   * The server presented a key other than the one pinned (configured or remembered): an impostor or a
   * re-keyed server. The client refuses it and stays refused until the user decides; report it loudly.
   */
  KEY_CHANGED(DropReason.UNAUTHENTICATED),
  /** The answer would exceed 3 times the bytes an unvalidated source sent: nothing was sent. */
  AMPLIFICATION(DropReason.AMPLIFICATION),
  /**
   * A RESUME whose ticket does not open here: sealed under a key this cluster does not hold (another
   * cluster's, or one rotated out), or changed in transit; or whose request part does not open under the
   * ticket's secret. Nothing is answered: the client falls back to the full handshake.
   */
  BAD_TICKET(DropReason.UNAUTHENTICATED),
  /** A RESUME whose ticket's chain began longer than {@code ResumptionTicket.LIFETIME_MILLIS} ago, or whose timestamp is far from our clock. */
  TICKET_EXPIRED(DropReason.UNKNOWN_SESSION),
  /** The server keeps no more sessions (bounded memory); the client retries later. */
  FULL(DropReason.RATE_LIMITED);

  private final DropReason dropReason;

  ControlDrop(DropReason dropReason) {
    this.dropReason = dropReason;
  }

  /** The socket owner's counter this refusal is counted under ({@code io.p2pchat.wire.DropCounters}). */
  public DropReason dropReason() {
    return dropReason;
  }

  /** True for a refusal that normal operation produces (a slow answer): log it quietly, still count it. */
  public boolean expected() {
    return this == LATE_RESPONSE || this == REPLAYED;
  }

  /** The name used in logs and counters: {@code key-changed}. */
  public String label() {
    return name().toLowerCase().replace('_', '-');
  }
}
