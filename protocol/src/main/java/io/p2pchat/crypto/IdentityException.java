package io.p2pchat.crypto;

/**
 * A key file (the node identity or the known-peers file) that cannot be read, parsed or written.
 * The message is one line and names the path, so it can be shown to the user as is.
 */
public final class IdentityException extends Exception {
  private static final long serialVersionUID = 1L;

  public IdentityException(String message) {
    super(message);
  }

  public IdentityException(String message, Throwable cause) {
    super(message, cause);
  }
}
