package io.p2pchat.rendezvous;

import io.p2pchat.rendezvous.mailbox.MailboxKey;
import io.p2pchat.wire.DropReason;
import io.p2pchat.wire.WireException;
import io.vertx.core.json.JsonObject;
import java.security.MessageDigest;

/**
 * A mailbox command ({@code deposit}, {@code mail-ack}, {@code notice-ack}): only a registered client may
 * send one, and only in its own sealed session. The identity is the session's (the Noise handshake proved
 * it), never the address: a message sealed in another identity's session from a registered client's
 * address (a spoofed source) is dropped as {@code unauthenticated}, so nobody deposits as someone else or
 * acknowledges someone else's mail.
 */
abstract class MailboxCommandHandler {

  /** Where the sender is looked up. */
  protected final Registry registry;
  /** Where answers leave. */
  protected final Outbox outbox;

  MailboxCommandHandler(Registry registry, Outbox outbox) {
    this.registry = registry;
    this.outbox = outbox;
  }

  /**
   * Acts on {@code msg}, opened in the control session of the identity {@code sessionKey}.
   *
   * @throws WireException to drop the datagram with the exception's reason (counted, never answered)
   */
  final void handle(Exchange ex, JsonObject msg, byte[] sessionKey) throws WireException {
    Registration client = registry.byAddress(ex.from);
    if (client == null) {
      outbox.answer(ex, ControlHandler.notRegistered());
      return;
    }
    if (!MessageDigest.isEqual(client.key, sessionKey)) {
      throw new WireException(DropReason.UNAUTHENTICATED, "a mailbox message in another identity's session than "
        + "the registration at " + ex.from);
    }
    handle(ex, msg, client, MailboxKey.of(sessionKey));
  }

  /** Acts on {@code msg} from {@code client}, whose identity (its mailbox's address, or as a depositor) is {@code key}. */
  abstract void handle(Exchange ex, JsonObject msg, Registration client, MailboxKey key) throws WireException;
}
