package io.p2pchat.rendezvous;

import io.p2pchat.wire.Control;
import io.p2pchat.wire.ControlType;
import io.p2pchat.wire.WireException;
import io.vertx.core.json.JsonObject;

/**
 * {@code keepalive}: a registered client is alive (its registration outlives the TTL); answered with
 * an ack. Its {@code view} (the digest of the members it knows) is compared with the room's, and a
 * difference repaired ({@link Introductions#repair}).
 */
final class KeepAliveHandler extends ClientCommandHandler {

  private final Introductions introductions;
  /** Told of each keep-alive after its answer: the mailbox sends again what went dormant. */
  private final java.util.function.Consumer<Registration> onKeepAlive;

  KeepAliveHandler(Registry registry, Introductions introductions, Outbox outbox,
                   java.util.function.Consumer<Registration> onKeepAlive) {
    super(registry, outbox);
    this.introductions = introductions;
    this.onKeepAlive = onKeepAlive;
  }

  @Override
  void handle(Exchange ex, JsonObject msg, Registration client) throws WireException {
    client.lastSeenNanos = System.nanoTime();
    outbox.answer(ex, Control.of(ControlType.KEEPALIVE_ACK));
    if (msg.getValue(Control.VIEW) != null) {
      introductions.repair(ex, client, Control.string(msg, Control.VIEW));
    }
    onKeepAlive.accept(client);
  }
}
