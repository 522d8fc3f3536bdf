package io.p2pchat.wire.frame;

/**
 * A DATA body that cannot be parsed: truncated frame, unknown frame type, a length beyond the bytes
 * present, inconsistent fragment numbers, or ACK ranges out of order or above the cap.
 *
 * <p>Checked on purpose: the packet handler must drop (and count) a malformed packet and never let the
 * exception escape the socket handler, and a checked exception makes that impossible to forget.
 */
public final class FrameException extends Exception {

  public FrameException(String message) {
    super(message, null, false, false); // no stack trace: hostile input is cheap to reject
  }
}
