package io.p2pchat.rendezvous;

import io.p2pchat.wire.Control;
import io.p2pchat.wire.WireException;
import io.vertx.core.json.JsonObject;

/** {@code ack}: a registered client received the {@code introduce} or {@code gone} with this message id. */
final class AckHandler extends ClientCommandHandler {

  private final Introductions introductions;

  AckHandler(Registry registry, Introductions introductions, Outbox outbox) {
    super(registry, outbox);
    this.introductions = introductions;
  }

  @Override
  void handle(Exchange ex, JsonObject msg, Registration client) throws WireException {
    introductions.acked(client, Control.number(msg, Control.MID));
    ex.handled();
  }
}
