package io.p2pchat.rendezvous.cluster;


import io.p2pchat.common.NodeLog;
import io.p2pchat.common.Plural;

import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The directory of a clustered rendezvous. The cluster-wide map {@value #NICKS_MAP} binds each nick
 * to its member record (owner instance, public key, relay id), with a TTL as backstop: it is the
 * truth for who may hold a nick, and what a joining instance loads. Arrivals, departures and
 * refreshes are published on the event bus, so every instance keeps an in-memory view for the hot
 * path (a relay frame cannot wait for a map look-up). Instances that leave are seen through the
 * Hazelcast membership listener.
 */
final class ClusteredDirectory implements RendezvousDirectory {

  /** The rendezvous's logger: every line carries its name (MDC), so it lands in its log file. */
  private final NodeLog log;

  static final String NICKS_MAP = "p2pchat.rendezvous.nicks";
  /** The member attribute in which vertx-hazelcast keeps the Vert.x node id. */
  private static final String NODE_ID_ATTRIBUTE = "__vertx.nodeId";
  /**
   * A shared entry lives this many TTLs without a refresh: its owner re-puts it once per TTL, so
   * one slow refresh never drops a live client, and an entry no instance refreshes (all of the
   * cluster restarted) is gone within minutes.
   */
  private static final long MAP_TTL_FACTOR = 3;
  /** Map removals in flight at once when a departed instance's nicks are freed. */
  private static final int REMOVE_BATCH = 500;

  private final Vertx vertx;
  private final ClusterManager clusterManager;
  private final String self;
  private final long ttlMillis;
  private final Listener listener;
  private final ClusterBridge bridge;
  private final Context context;
  private AsyncMap<String, String> nicks;
  /** When each of our clients' shared entries was last written (ms). */
  private final Map<String, Long> putAt = new HashMap<>();
  private UUID membershipRegistration;
  /** The batched writes and arrivals (with Hazelcast); null: each write is its own map call. */
  private DirectoryWrites writes;

  private ClusteredDirectory(Vertx vertx, long ttlMillis, Listener listener, NodeLog log) {
    this.log = log;
    this.vertx = vertx;
    this.clusterManager = ((VertxInternal) vertx).clusterManager();
    this.self = clusterManager.getNodeId();
    this.ttlMillis = ttlMillis;
    this.listener = listener;
    this.bridge = new ClusterBridge(vertx, self);
    this.context = vertx.getOrCreateContext();
  }

  static Future<RendezvousDirectory> start(Vertx vertx, long ttlMillis, Listener listener, NodeLog log) {
    ClusteredDirectory directory = new ClusteredDirectory(vertx, ttlMillis, listener, log);
    return directory.bridge.listen(listener)
      .compose(v -> vertx.sharedData().<String, String>getAsyncMap(NICKS_MAP))
      .compose(map -> {
        directory.nicks = map;
        directory.watchMembership();
        directory.batchWrites();
        return map.values();
      })
      .map(values -> {
        int loaded = 0;
        for (String value : values) {
          Member member = directory.parse(value);
          if (member != null && !member.owner().equals(directory.self) && directory.alive(member.owner())) {
            listener.arrived(member, false);
            loaded++;
          }
        }
        log.info("rendezvous cluster: joined as {} ({}, {} registered elsewhere)",
          shortId(directory.self), Plural.of(directory.clusterManager.getNodes().size(), "instance"),
          Plural.of(loaded, "client"));
        return directory;
      });
  }

  private void watchMembership() {
    if (!(clusterManager instanceof HazelcastClusterManager)) {
      log.warn("cluster manager {} is not Hazelcast: departed instances are noticed by the TTL only",
        clusterManager.getClass().getSimpleName());
      return;
    }
    HazelcastInstance hazelcast = ((HazelcastClusterManager) clusterManager).getHazelcastInstance();
    membershipRegistration = hazelcast.getCluster().addMembershipListener(new MembershipListener() {
      @Override
      public void memberAdded(MembershipEvent event) {
        context.runOnContext(v -> log.info("rendezvous cluster: instance {} joined ({})",
          shortId(event.getMember().getAttribute(NODE_ID_ATTRIBUTE)), Plural.of(event.getMembers().size(), "instance")));
      }

      @Override
      public void memberRemoved(MembershipEvent event) {
        String node = event.getMember().getAttribute(NODE_ID_ATTRIBUTE);
        boolean oldest = !event.getMembers().isEmpty() && event.getMembers().iterator().next().localMember();
        context.runOnContext(v -> instanceLeft(node, oldest));
      }
    });
  }

  private void batchWrites() {
    if (clusterManager instanceof HazelcastClusterManager hz) {
      writes = new DirectoryWrites(vertx, context, hz.getHazelcastInstance().getMap(NICKS_MAP),
        clusterManager::getNodes, mapTtl(), bridge, log);
    }
  }

  private void instanceLeft(String node, boolean oldest) {
    if (node == null) {
      return;
    }
    log.info("rendezvous cluster: instance {} left", shortId(node));
    listener.instanceLeft(node);
    if (oldest) {
      // One survivor frees the departed instance's nicks now rather than at their TTL. The map holds
      // every registration of the cluster (100,000 in the bench): reading them all on the event loop
      // stalled this instance for seconds, just when the departed instance's clients fail over to it.
      nicks.entries()
        .compose(entries -> vertx.executeBlocking(() -> ownedBy(entries, node), false))
        .onSuccess(owned -> removeInBatches(new ArrayList<>(owned.entrySet()), 0));
    }
  }

  /** The entries of {@code node}'s clients (called off the event loop: it parses the whole map). */
  private Map<String, String> ownedBy(Map<String, String> entries, String node) {
    Map<String, String> owned = new HashMap<>();
    entries.forEach((nick, value) -> {
      Member member = parse(value);
      if (member != null && member.owner().equals(node)) {
        owned.put(nick, value);
      }
    });
    return owned;
  }

  /** Removes entries (unless re-claimed meanwhile) a batch at a time, never flooding the event loop. */
  private void removeInBatches(List<Map.Entry<String, String>> owned, int from) {
    if (from >= owned.size()) {
      return;
    }
    int to = Math.min(owned.size(), from + REMOVE_BATCH);
    List<Future<Boolean>> removed = new ArrayList<>();
    for (Map.Entry<String, String> e : owned.subList(from, to)) {
      removed.add(nicks.removeIfPresent(e.getKey(), e.getValue()));
    }
    Future.join(removed).onComplete(done -> removeInBatches(owned, to));
  }

  @Override
  public boolean clustered() {
    return true;
  }

  @Override
  public String self() {
    return self;
  }

  /**
   * Free, ours, held by the same key (the client moved here), or held by an instance that is gone:
   * bind it to this member. Held by another key on a live instance: refused.
   */
  @Override
  public Future<Void> claim(Member member) {
    if (writes != null) {
      return writes.claim(member).onSuccess(v -> putAt.put(member.nick(), System.currentTimeMillis()));
    }
    String value = member.encode();
    return nicks.get(member.nick()).compose(current -> {
      if (current == null) {
        return nicks.putIfAbsent(member.nick(), value, mapTtl())
          .compose(previous -> previous == null ? Future.succeededFuture() : claim(member));
      }
      Member held = parse(current);
      if (held != null && !held.key().equals(member.key()) && alive(held.owner())) {
        return Future.failedFuture(new NickTakenException("nick " + member.nick()
          + " is registered by another key at instance " + shortId(held.owner())));
      }
      // vertx-hazelcast has no compare-and-set with a TTL: swap, then put the same value with its TTL.
      return nicks.replaceIfPresent(member.nick(), current, value)
        .compose(replaced -> replaced ? nicks.put(member.nick(), value, mapTtl()) : claim(member));
    }).onSuccess(v -> putAt.put(member.nick(), System.currentTimeMillis()));
  }

  @Override
  public void announce(Member member) {
    putAt.put(member.nick(), System.currentTimeMillis());
    if (writes != null) {
      writes.put(member, true);
      return;
    }
    nicks.put(member.nick(), member.encode(), mapTtl());
    bridge.arrived(member);
  }

  @Override
  public void depart(Member member) {
    putAt.remove(member.nick());
    if (writes != null) {
      writes.remove(member);
    } else {
      nicks.removeIfPresent(member.nick(), member.encode());
    }
    bridge.departed(member.nick());
  }

  @Override
  public void recover(String nick) {
    nicks.get(nick).onSuccess(value -> {
      Member member = value == null ? null : parse(value);
      if (member != null && !member.owner().equals(self) && alive(member.owner())) {
        listener.arrived(member, true);
      }
    });
  }

  @Override
  public void refresh(Collection<Member> owned) {
    long now = System.currentTimeMillis();
    List<String> names = new ArrayList<>(owned.size());
    for (Member member : owned) {
      names.add(member.nick());
      Long at = putAt.get(member.nick());
      if (at == null || now - at >= ttlMillis) {
        putAt.put(member.nick(), now);
        if (writes != null) {
          writes.put(member, false);
        } else {
          nicks.put(member.nick(), member.encode(), mapTtl());
        }
      }
    }
    putAt.keySet().retainAll(new java.util.HashSet<>(names));
    bridge.refreshed(names);
  }

  @Override
  public void deliver(String owner, String nick, JsonObject control) {
    bridge.deliver(owner, nick, control);
  }

  @Override
  public void relay(String owner, long targetRelayId, Buffer frame) {
    bridge.relay(owner, targetRelayId, frame);
  }

  @Override
  public Future<Void> close() {
    if (writes != null) {
      writes.close();
    }
    if (membershipRegistration != null) {
      ((HazelcastClusterManager) clusterManager).getHazelcastInstance().getCluster()
        .removeMembershipListener(membershipRegistration);
    }
    return bridge.close();
  }

  private boolean alive(String node) {
    return node != null && clusterManager.getNodes().contains(node);
  }

  private long mapTtl() {
    return ttlMillis * MAP_TTL_FACTOR;
  }

  private Member parse(String value) {
    try {
      return io.p2pchat.rendezvous.cluster.Member.decode(value);
    } catch (IllegalArgumentException e) {
      log.warn("ignoring a bad entry in {}: {}", NICKS_MAP, e.getMessage());
      return null;
    }
  }

  /** The first 8 characters of a node id tell instances apart in a log line. */
  static String shortId(String node) {
    return node == null ? "?" : node.length() > 8 ? node.substring(0, 8) : node;
  }
}
