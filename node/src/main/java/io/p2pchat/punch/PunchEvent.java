package io.p2pchat.punch;

/**
 * What PunchVerticle tells ChatVerticle about chat messages: each outcome of an
 * {@link OutboundChat} and each message received. They travel in a {@link PunchEventBatch}.
 */
public sealed interface PunchEvent {

  /**
   * Every target took the message into its send window. {@code peers} is 0 for a room message
   * sent while the node knew no other member: it reached nobody (ChatVerticle reports it failed).
   */
  record Accepted(OutboundChat chat, int peers) implements PunchEvent {
  }

  /** No target could take the message; {@code code} is the event-bus failure code for the sender. */
  record Rejected(OutboundChat chat, int code, String reason) implements PunchEvent {
  }

  /** That peer acknowledged the message. */
  record Delivered(OutboundChat chat, String peer) implements PunchEvent {
  }

  /** The message could not be delivered to that peer. */
  record Failed(OutboundChat chat, String peer, String reason) implements PunchEvent {
  }

  /**
   * A whole chat message from a peer, in that peer's order.
   *
   * @param payload the encoded {@link io.p2pchat.wire.ChatPayload}
   */
  record Received(String from, byte[] payload) implements PunchEvent {
  }
}
