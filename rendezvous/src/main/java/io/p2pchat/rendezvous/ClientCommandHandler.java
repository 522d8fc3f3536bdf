package io.p2pchat.rendezvous;

import io.p2pchat.wire.WireException;
import io.vertx.core.json.JsonObject;

/**
 * A command only a registered client may send: the sender is looked up by its address once, and a
 * sender that is not registered is answered {@code not-registered}.
 */
abstract class ClientCommandHandler implements ControlHandler {

  /** Where the sender is looked up. */
  protected final Registry registry;
  /** Where answers leave. */
  protected final Outbox outbox;

  ClientCommandHandler(Registry registry, Outbox outbox) {
    this.registry = registry;
    this.outbox = outbox;
  }

  @Override
  public final void handle(Exchange ex, JsonObject msg) throws WireException {
    Registration client = registry.byAddress(ex.from);
    if (client == null) {
      outbox.answer(ex, ControlHandler.notRegistered());
      return;
    }
    handle(ex, msg, client);
  }

  /** Acts on {@code msg} from {@code client}, the registration at the sender's address. */
  abstract void handle(Exchange ex, JsonObject msg, Registration client) throws WireException;
}
