package io.p2pchat.common;

/** A configuration value that stops start-up. Its message is the one line the user sees. */
public final class ConfigException extends RuntimeException {

  public ConfigException(String message) {
    super(message, null, false, false);
  }
}
