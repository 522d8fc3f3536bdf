package io.p2pchat.rendezvous;

import io.p2pchat.wire.Control;
import io.p2pchat.wire.ControlType;
import io.p2pchat.wire.WireException;
import io.vertx.core.json.JsonObject;

/** {@code keepalive}: a registered client is alive (its registration outlives the TTL); answered with an ack. */
final class KeepAliveHandler extends ClientCommandHandler {

  KeepAliveHandler(Registry registry, Outbox outbox) {
    super(registry, outbox);
  }

  @Override
  void handle(Exchange ex, JsonObject msg, Registration client) throws WireException {
    client.lastSeenNanos = System.nanoTime();
    outbox.answer(ex, Control.of(ControlType.KEEPALIVE_ACK));
  }
}
