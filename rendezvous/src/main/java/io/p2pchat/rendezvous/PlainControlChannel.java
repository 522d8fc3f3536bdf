package io.p2pchat.rendezvous;

import io.p2pchat.wire.ControlCodec;
import io.p2pchat.wire.Endpoint;
import io.p2pchat.wire.WireException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

/**
 * Control messages in clear ({@link ControlCodec}): trusted by source address, as the protocol's
 * version 1 does. The counter in the header numbers what this rendezvous sends, across all clients.
 */
final class PlainControlChannel implements ControlChannel {

  private long counter;

  @Override
  public JsonObject open(Endpoint from, Buffer datagram) throws WireException {
    return ControlCodec.decode(datagram);
  }

  @Override
  public Buffer seal(Endpoint to, JsonObject message) {
    return ControlCodec.encode(message, ++counter);
  }
}
