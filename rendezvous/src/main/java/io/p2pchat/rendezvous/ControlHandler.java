package io.p2pchat.rendezvous;

import io.p2pchat.wire.Control;
import io.p2pchat.wire.WireException;
import io.vertx.core.json.JsonObject;

/**
 * One control command of the rendezvous (vertx-stomp's one handler per frame command): the demux
 * has opened the datagram and read its type; the handler acts on it and leaves {@code ex}
 * answered or handled, or throws to have it dropped and counted.
 */
@FunctionalInterface
interface ControlHandler {

  /**
   * Acts on {@code msg}, a control message from {@code ex.from}.
   *
   * @throws WireException to drop the datagram with the exception's reason (counted, never answered)
   */
  void handle(Exchange ex, JsonObject msg) throws WireException;

  /** The answer to a command only a registered client may send. */
  static JsonObject notRegistered() {
    return Control.error("not-registered", "register first");
  }
}
