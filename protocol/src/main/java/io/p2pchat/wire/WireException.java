package io.p2pchat.wire;

/**
 * A datagram that does not parse. Carries the {@link DropReason} it is counted under, so the
 * socket owner can drop and count it without knowing which parser refused it.
 */
public final class WireException extends Exception {

  private final DropReason reason;
  private final boolean expected;

  public WireException(DropReason reason, String message) {
    this(reason, message, false);
  }

  /**
   * @param expected a refusal that normal operation produces (a slow answer that crossed our re-send):
   *     counted under {@code reason} like any other, but logged at DEBUG, not as a warning
   */
  public WireException(DropReason reason, String message, boolean expected) {
    super(message, null, false, false);
    this.reason = reason;
    this.expected = expected;
  }

  /** True when the drop is part of normal operation: count it, log it quietly. */
  public boolean expected() {
    return expected;
  }

  public DropReason reason() {
    return reason;
  }
}
