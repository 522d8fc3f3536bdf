package io.p2pchat.rendezvous;

import io.p2pchat.wire.Control;
import io.p2pchat.wire.WireException;
import io.vertx.core.json.JsonObject;

/** {@code connect}: a registered client asks to be introduced (again) to a member of its room. */
final class ConnectHandler implements ControlHandler {

  private final Registry registry;
  private final Introductions introductions;
  private final Outbox outbox;

  ConnectHandler(Registry registry, Introductions introductions, Outbox outbox) {
    this.registry = registry;
    this.introductions = introductions;
    this.outbox = outbox;
  }

  @Override
  public void handle(Exchange ex, JsonObject msg) throws WireException {
    String nick = Control.matching(msg, Control.NICK, Control.NICK_PATTERN);
    Registration r = registry.byAddress(ex.from);
    Registration peer = registry.byNick(nick);
    if (r == null) {
      outbox.answer(ex, ControlHandler.notRegistered());
    } else if (peer == null || !peer.room.equals(r.room)) {
      outbox.answer(ex, Control.error("unknown-nick", "no " + nick + " in the room").put(Control.NICK, nick));
    } else if (peer != r) {
      introductions.introduce(ex, r, peer);
    } else {
      ex.handled();
    }
  }
}
