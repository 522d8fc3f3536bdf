package io.p2pchat.rendezvous;

import io.p2pchat.common.NodeLog;
import io.p2pchat.rendezvous.cluster.RendezvousDirectory;
import io.p2pchat.wire.Control;
import io.p2pchat.wire.ControlType;
import io.vertx.core.json.JsonObject;

import java.security.SecureRandom;
import java.util.Base64;

/**
 * What the rendezvous tells clients about the other members of their room: introductions (both
 * peers at once, so they punch simultaneously) and departures. The one owner of "what we told
 * whom": acknowledgements and retransmission of these messages belong here. A client of another
 * instance of the cluster is told through that instance.
 */
final class Introductions {

  /** Bytes of random secret per introduction: the key of the peers' probe MACs (256 bits, as HMAC-SHA256's). */
  private static final int SECRET_SIZE = 32;

  private final Registry registry;
  private final RendezvousDirectory directory;
  private final Outbox outbox;
  private final NodeLog log;
  private final SecureRandom random = new SecureRandom();

  Introductions(Registry registry, RendezvousDirectory directory, Outbox outbox, NodeLog log) {
    this.registry = registry;
    this.directory = directory;
    this.outbox = outbox;
    this.log = log;
  }

  /** Introduces {@code r} and every other member of its room to each other, on behalf of {@code ex} (or null). */
  void introduceToRoom(Exchange ex, Registration r) {
    for (Registration peer : registry.room(r.room)) {
      if (peer != r) {
        introduce(ex, r, peer);
      }
    }
  }

  /**
   * Tells both peers about each other at the same moment, with a fresh id and probe secret, on
   * behalf of {@code ex} (null for the cluster's news).
   */
  void introduce(Exchange ex, Registration a, Registration b) {
    if (a.orphaned || b.orphaned) {
      // One of them is a client of a departed instance: it hears nothing until it registers again
      // (with another instance), and then both are introduced anew.
      log.info("not introducing {} and {}: {}'s instance left the cluster", a.nick, b.nick, a.orphaned ? a.nick : b.nick);
      if (ex != null) {
        ex.handled();
      }
      return;
    }
    byte[] secret = new byte[SECRET_SIZE];
    random.nextBytes(secret);
    String introId = Long.toHexString(random.nextLong());
    String secretText = Base64.getEncoder().encodeToString(secret);
    // Both are registered (validated) addresses: no amplification budget applies.
    tell(ex, a, introduction(introId, secretText, b));
    tell(ex, b, introduction(introId, secretText, a));
    log.info("introduced {} ({}) and {} ({})", a.nick, a.address, b.nick, b.address);
  }

  /**
   * Tells our own clients of the room of {@code gone} that it left; each instance of a cluster tells
   * its own. On behalf of {@code ex}, or null for expiry and the cluster's news.
   */
  void announceGone(Exchange ex, Registration gone) {
    for (Registration peer : registry.room(gone.room)) {
      if (peer.isLocal()) {
        outbox.tell(ex, peer.address, Control.of(ControlType.GONE).put(Control.NICK, gone.nick));
      }
    }
  }

  /** A control message to a client of ours, or through the instance it is registered with. */
  private void tell(Exchange ex, Registration to, JsonObject msg) {
    if (to.isLocal()) {
      outbox.tell(ex, to.address, msg);
    } else {
      directory.deliver(to.owner, to.nick, msg);
    }
  }

  private static JsonObject introduction(String introId, String secret, Registration peer) {
    return Control.of(ControlType.INTRODUCE)
      .put(Control.INTRO_ID, introId)
      .put(Control.SECRET, secret)
      .put(Control.PEER, new JsonObject()
        .put(Control.NICK, peer.nick)
        .put(Control.KEY, Control.base64(peer.key))
        .put(Control.INSTANCE, peer.instance)
        .put(Control.RELAY_ID, peer.relayId)
        .put(Control.PUBLIC, peer.address.toString())
        .put(Control.LOCAL, Control.toJson(peer.local)));
  }
}
