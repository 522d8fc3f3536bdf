package io.p2pchat.delivery;

/** Receives complete messages from a {@link ReceiveStream}, in seq order, each exactly once. */
@FunctionalInterface
public interface MessageSink {
  /** A complete message; the array is the stream's to give away (not reused). */
  void message(byte[] message);
}
