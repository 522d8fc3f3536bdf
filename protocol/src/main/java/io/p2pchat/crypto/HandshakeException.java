package io.p2pchat.crypto;

/** A handshake message or payload that is malformed, forged or from the wrong room: drop it. */
public final class HandshakeException extends Exception {
  private static final long serialVersionUID = 1L;

  public HandshakeException(String message) {
    super(message);
  }

  public HandshakeException(String message, Throwable cause) {
    super(message, cause);
  }
}
