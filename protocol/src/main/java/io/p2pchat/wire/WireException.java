package io.p2pchat.wire;

/**
 * A datagram that does not parse. Carries the {@link DropReason} it is counted under, so the
 * socket owner can drop and count it without knowing which parser refused it.
 */
public final class WireException extends Exception {

  private final DropReason reason;

  public WireException(DropReason reason, String message) {
    super(message, null, false, false);
    this.reason = reason;
  }

  public DropReason reason() {
    return reason;
  }
}
