package io.p2pchat.portmap.impl;

/**
 * A gateway's reply we cannot use: either it is not a reply to our request at all (truncated, oversized,
 * wrong version, opcode or nonce: dropped and counted, and we keep waiting), or it is one that refuses
 * ({@link #resultCode()} at least 0: the request failed).
 */
public final class PortMapReplyException extends Exception {
  private final int resultCode;

  public PortMapReplyException(String message) {
    this(message, -1);
  }

  public PortMapReplyException(String message, int resultCode) {
    super(message, null, false, false);
    this.resultCode = resultCode;
  }

  /** The gateway's error code when it answered and refused, else -1. */
  public int resultCode() {
    return resultCode;
  }
}
