package io.p2pchat.rendezvous;

import io.p2pchat.common.NodeLog;
import io.p2pchat.crypto.Keys;
import io.p2pchat.crypto.NodeIdentity;
import io.p2pchat.rendezvous.cluster.RendezvousDirectory;
import io.p2pchat.wire.Control;
import io.p2pchat.wire.ControlSigning;
import io.p2pchat.wire.DropReason;
import io.p2pchat.wire.WireException;
import io.vertx.core.json.JsonObject;

/**
 * A signed {@code bye}: only the holder of the nick's key, in its current process, can end a
 * registration; anything else is dropped without an answer. The room is told, never the sender.
 */
final class ByeHandler implements ControlHandler {

  private final Registry registry;
  private final RendezvousDirectory directory;
  private final Introductions introductions;
  private final NodeLog log;

  ByeHandler(Registry registry, RendezvousDirectory directory, Introductions introductions, NodeLog log) {
    this.registry = registry;
    this.directory = directory;
    this.introductions = introductions;
    this.log = log;
  }

  @Override
  public void handle(Exchange ex, JsonObject msg) throws WireException {
    String nick = Control.matching(msg, Control.NICK, Control.NICK_PATTERN);
    String instance = Control.string(msg, Control.INSTANCE);
    byte[] sig = Control.bytes(msg, Control.SIG, Keys.SIGNATURE_LENGTH);
    Registration r = registry.byNick(nick);
    if (r == null || !r.isLocal() || !r.instance.equals(instance)) {
      throw new WireException(DropReason.UNKNOWN_SESSION, "bye for a registration that does not exist");
    }
    if (!NodeIdentity.verify(r.key, ControlSigning.bye(r.key, nick, instance), sig)) {
      throw new WireException(DropReason.UNAUTHENTICATED, "bye for " + nick + " not signed by its key");
    }
    registry.remove(r);
    directory.depart(ClusterMembers.toMember(r, directory.self()));
    log.info("{} left room {}", r.nick, r.shortRoom());
    introductions.announceGone(ex, r);
    ex.handled();
  }
}
