package io.p2pchat.bench;

/** The bench cannot go on; the message is the one line (or few) a user needs to see. */
final class BenchException extends RuntimeException {

  BenchException(String message) {
    super(message);
  }
}
