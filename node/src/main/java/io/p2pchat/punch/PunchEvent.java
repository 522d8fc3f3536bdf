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
   * @param held 0: recorded and shown now; else recorded now (the history journals it as any message) and shown
   *             (published as {@code chat.received}) when the {@link Shown} of this number follows: it waits behind
   *             the mailbox's pick-up, whose mail of that peer is older (docs/PROTOCOL.md, "Mailbox", Pick-up)
   */
  record Received(String from, byte[] payload, long held) implements PunchEvent {
    public Received(String from, byte[] payload) {
      this(from, payload, 0);
    }
  }

  /**
   * PunchVerticle is stopping (the node is being undeployed): every {@link OutboundChat} it is handed from now is
   * {@link Rejected} ({@code UNAVAILABLE}, {@link #REASON}), and ChatVerticle refuses {@code chat.send} the same way.
   */
  record Stopping() implements PunchEvent {
    /** Why a message handed over from then on is not sent. */
    public static final String REASON = "the node is stopping";
  }

  /** The live message received with {@code held} is shown now: after the mail of its peer the pick-up brought. */
  record Shown(long held) implements PunchEvent {
  }

  /** The peer is offline: the message is stored in its mailbox at the rendezvous (docs/PROTOCOL.md, "Mailbox"). */
  record Queued(OutboundChat chat, String peer) implements PunchEvent {
  }

  /**
   * A message from {@code from}'s mailbox deposit, opened and its sender trusted: a chat line to show, or a
   * receipt for our messages. ChatVerticle records it, then names {@code seq} on
   * {@link io.p2pchat.chat.ChatAddresses#punchMailRecorded()} (only then is it acknowledged to the rendezvous).
   */
  record Mail(String from, long seq, io.p2pchat.mailbox.MailPlaintext mail) implements PunchEvent {
  }

  /**
   * Our message {@code id} to {@code peer} ({@code direct}: in a direct conversation) did not reach it through
   * the mailbox, and it will not: expired there, or refused after a restart (no {@link OutboundChat} left).
   */
  record MailFailed(String id, String peer, boolean direct, String reason) implements PunchEvent {
  }
}
