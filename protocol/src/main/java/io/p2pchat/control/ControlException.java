package io.p2pchat.control;

/** A control-channel datagram that was refused, with the {@link ControlDrop} the caller counts it under. */
public final class ControlException extends Exception {
  private static final long serialVersionUID = 1L;

  private final ControlDrop drop;

  /** A refusal for {@code drop}; {@code message} is one line for a debug log, never a secret. */
  public ControlException(ControlDrop drop, String message) {
    super(message, null, false, false);
    this.drop = drop;
  }

  /** Why the datagram was refused. */
  public ControlDrop drop() {
    return drop;
  }
}
