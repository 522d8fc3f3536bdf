package io.p2pchat.rendezvous;

import io.p2pchat.wire.Control;
import io.p2pchat.wire.ControlCodec;
import io.p2pchat.wire.ControlType;
import io.p2pchat.wire.PacketCodec;
import io.p2pchat.wire.WireException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** {@code list}: the members of a registered client's room (nick and address), as many as one datagram holds. */
final class ListHandler extends ClientCommandHandler {

  /** Room left below the datagram limit, so that the {@code peers} answer never comes near it. */
  private static final int HEADROOM_BYTES = 64;

  ListHandler(Registry registry, Outbox outbox) {
    super(registry, outbox);
  }

  @Override
  void handle(Exchange ex, JsonObject msg, Registration client) throws WireException {
    JsonArray peers = new JsonArray();
    for (Registration peer : registry.room(client.room)) {
      peers.add(new JsonObject().put(Control.NICK, peer.nick).put(Control.ADDRESS, peer.address.toString()));
      if (ControlCodec.encode(Control.of(ControlType.PEERS).put(Control.PEERS, peers), 0).length()
        > PacketCodec.MAX_DATAGRAM - HEADROOM_BYTES) {
        peers.remove(peers.size() - 1);
        break;
      }
    }
    outbox.answer(ex, Control.of(ControlType.PEERS).put(Control.PEERS, peers));
  }
}
