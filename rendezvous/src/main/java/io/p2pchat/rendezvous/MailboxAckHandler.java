package io.p2pchat.rendezvous;

import io.p2pchat.rendezvous.mailbox.MailboxKey;
import io.p2pchat.wire.MailboxControl;
import io.p2pchat.wire.WireException;
import io.vertx.core.json.JsonObject;

/**
 * {@code mail-ack} and {@code notice-ack} (one codec, {@link MailboxControl#decodeAck}): the client recorded these
 * messages of its own mailbox, or saw these expiry notices of its deposits: they are deleted, and the pick-up
 * sends the next ones. Never answered. An id that was not in flight to this client (a repeat, someone else's,
 * a made-up one) deletes nothing and is counted ({@code mail-ack-not-in-flight}). With the mailbox off, ignored.
 */
final class MailboxAckHandler extends MailboxCommandHandler {

  /** Null when the mailbox is off. */
  private final MailboxDelivery delivery;

  MailboxAckHandler(Registry registry, Outbox outbox, MailboxDelivery delivery) {
    super(registry, outbox);
    this.delivery = delivery;
  }

  @Override
  void handle(Exchange ex, JsonObject msg, Registration client, MailboxKey key) throws WireException {
    MailboxControl.Ack ack = MailboxControl.decodeAck(msg);
    if (delivery != null) {
      delivery.acked(client, key, ack.type(), ack.ids());
    }
    ex.handled();
  }
}
