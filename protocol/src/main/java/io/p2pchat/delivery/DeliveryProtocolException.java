package io.p2pchat.delivery;

/**
 * The peer broke the delivery protocol (e.g. acknowledged a seq never sent, or sent fragments that do
 * not assemble). The session should be closed; the stream state is not changed by the offending frame
 * beyond what was already applied.
 */
public final class DeliveryProtocolException extends RuntimeException {

  public DeliveryProtocolException(String message) {
    super(message);
  }
}
