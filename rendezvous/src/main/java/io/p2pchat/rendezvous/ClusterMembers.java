package io.p2pchat.rendezvous;

import io.p2pchat.common.NodeLog;
import io.p2pchat.common.Plural;
import io.p2pchat.rendezvous.cluster.Member;
import io.p2pchat.rendezvous.cluster.RendezvousDirectory;
import io.p2pchat.wire.Control;
import io.p2pchat.wire.Endpoint;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

import java.util.Arrays;
import java.util.Base64;
import java.util.List;

/**
 * Keeps the clients of the other instances of a cluster in this instance's {@link Registry}
 * (with an {@link Registration#owner}), so listing, introductions, {@code connect} and relaying see
 * the whole cluster; and hands what other instances send for our own clients to the socket.
 * Runs on the rendezvous verticle's event loop, like everything that touches the registry.
 */
final class ClusterMembers implements RendezvousDirectory.Listener {

  /** What this needs of the verticle: its socket and its way of telling a room that someone left. */
  interface Host {
    void sendControl(Endpoint to, JsonObject message);

    void sendRaw(Endpoint to, Buffer datagram);

    void announceGone(Registration gone);

    /** Introduces our client {@code local} and another instance's {@code remote} to each other. */
    void introduce(Registration local, Registration remote);

    /** Asks the cluster for a member a refresh named but no announcement brought. */
    void recover(String nick);
  }

  /**
   * Two clients registering at two instances at once may each miss the other's announcement by a
   * few milliseconds, and then nobody introduces them: an instance that hears of an arrival
   * introduces it to its own clients that registered this recently (a repeated introduction is
   * harmless: the peers just punch again).
   */
  private static final long ARRIVAL_RACE_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(5);

  private final Registry registry;
  private final Host host;
  private final NodeLog log;

  ClusterMembers(Registry registry, Host host, NodeLog log) {
    this.registry = registry;
    this.host = host;
    this.log = log;
  }

  /** Our client {@code r} as the other instances see it. */
  static Member toMember(Registration r, String self) {
    return new Member(r.nick, r.room, Base64.getEncoder().encodeToString(r.key), r.instance, r.address, r.local,
      r.relayId, self);
  }

  @Override
  public void arrived(Member m, boolean missed) {
    Registration existing = registry.byNick(m.nick());
    byte[] key = Base64.getDecoder().decode(m.key());
    if (existing != null && existing.isLocal()) {
      if (!Arrays.equals(existing.key, key)) {
        // The map's claim makes this impossible short of a split brain healing: keep ours.
        log.warn("cluster: {} announced by another instance with another key; keeping ours", m.nick());
        return;
      }
      log.info("{} moved to instance {}", m.nick(), m.owner());
    }
    long now = System.nanoTime();
    Registration remote = new Registration(m.nick(), registry.canonicalRoom(m.room()), key, m.instance(), m.address(), m.local(), m.relayId(),
      m.owner(), now);
    registry.putRemote(remote);
    for (Registration peer : registry.room(m.room())) {
      if (peer.isLocal() && (missed || now - peer.sinceNanos < ARRIVAL_RACE_NANOS)) {
        host.introduce(peer, remote);
      }
    }
  }

  @Override
  public void departed(String nick, String owner) {
    Registration r = registry.byNick(nick);
    if (r != null && owner.equals(r.owner())) {
      registry.remove(r);
      host.announceGone(r);
    }
  }

  @Override
  public void refreshed(String owner, List<String> nicks) {
    long now = System.nanoTime();
    for (String nick : nicks) {
      Registration r = registry.byNick(nick);
      if (r != null && owner.equals(r.owner())) {
        r.lastSeenNanos = now;
        // Its instance refreshes it, so it is alive after all (evicted by a long pause, then back).
        r.orphaned(false);
      } else if (r == null) {
        host.recover(nick);
      }
    }
  }

  @Override
  public void instanceLeft(String owner) {
    List<Registration> orphans = registry.ownedBy(owner);
    // Not forgotten at once: their clients fail over within seconds and take their registrations
    // over with the same key (peers with a direct path never notice); the rest expire by the TTL.
    // Meanwhile nobody is introduced or relayed to them: it could only reach the dead instance.
    orphans.forEach(r -> r.orphaned(true));
    log.info("cluster: instance {} left; its {} until their TTL to re-register elsewhere",
      owner, Plural.of(orphans.size(), "client has", "clients have"));
  }

  @Override
  public void deliver(String nick, JsonObject control) {
    Registration r = registry.byNick(nick);
    if (r != null && r.isLocal() && control.getString(Control.TYPE) != null) {
      host.sendControl(r.address, control);
    }
  }

  @Override
  public void relay(long targetRelayId, Buffer frame) {
    Registration r = registry.byRelayId(targetRelayId);
    if (r != null && r.isLocal()) {
      host.sendRaw(r.address, frame);
    }
  }
}
