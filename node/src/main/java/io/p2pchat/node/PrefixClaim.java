package io.p2pchat.node;

import io.p2pchat.chat.ChatAddresses;
import io.p2pchat.common.ConfigException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.core.shareddata.Lock;

/**
 * One node per {@code eventBusPrefix}: a node holds its prefix from before its verticles register
 * any address until it is undeployed, so a second node on the same prefix fails its deploy with
 * one line naming the prefix and the node holding it, instead of splitting every request with it.
 *
 * <p>Two claims, taken in this order:
 * <ol>
 *   <li><b>This Vert.x instance</b>: an entry in a local shared map, taken with
 *   {@code putIfAbsent} (atomic, so two deploys racing in one instance cannot both win) and
 *   removed on release.</li>
 *   <li><b>The cluster</b>, when the event bus is clustered: a cluster-wide lock named after the
 *   prefix, held for the node's life. Under Hazelcast it is an {@code IMap} lock, which the
 *   cluster releases when the member holding it leaves or dies, so the claim of a crashed JVM
 *   does not outlive it. Two JVMs deploying one prefix in the same instant: one gets the lock,
 *   the other is refused.</li>
 * </ol>
 * A refused cluster claim asks the prefix's public {@code node} address who holds it, for the
 * message.
 */
final class PrefixClaim {

  /** The local shared map of claimed prefixes: prefix → nick of the node holding it. */
  static final String LOCAL_MAP = "io.p2pchat.node.prefixes";
  /** Cluster-wide lock names: this + the prefix. */
  static final String LOCK_PREFIX = "io.p2pchat.node.prefix:";
  /**
   * How long a claim waits for the cluster lock: a node undeployed a moment ago releases its lock
   * within a cluster round trip (milliseconds); a prefix still held after this is in use.
   */
  static final long LOCK_WAIT_MS = 1_000;
  /** How long a refused claim waits for the holder's {@code node} answer: a few cluster round trips. */
  static final long ASK_HOLDER_MS = 2_000;

  private final LocalMap<String, String> local;
  private final String prefix;
  private final String nick;
  /** The cluster-wide lock, or null when the event bus is not clustered. */
  private final Lock lock;
  private boolean released;

  private PrefixClaim(LocalMap<String, String> local, String prefix, String nick, Lock lock) {
    this.local = local;
    this.prefix = prefix;
    this.nick = nick;
    this.lock = lock;
  }

  /**
   * Claims {@code prefix} for the node {@code nick}; fails with a {@link ConfigException} naming
   * the holder when another node has it, in this instance or on the cluster.
   */
  static Future<PrefixClaim> claim(Vertx vertx, String prefix, String nick) {
    LocalMap<String, String> local = vertx.sharedData().getLocalMap(LOCAL_MAP);
    String holder = local.putIfAbsent(prefix, nick);
    if (holder != null) {
      return Future.failedFuture(inUse(prefix, "node " + holder + " (in this Vert.x instance)"));
    }
    if (!vertx.isClustered()) {
      return Future.succeededFuture(new PrefixClaim(local, prefix, nick, null));
    }
    return vertx.sharedData().getLockWithTimeout(LOCK_PREFIX + prefix, LOCK_WAIT_MS)
      .map(lock -> new PrefixClaim(local, prefix, nick, lock))
      .recover(notLocked -> {
        local.remove(prefix, nick);
        return holderOnCluster(vertx, prefix)
          .compose(who -> Future.failedFuture(inUse(prefix, who)));
      });
  }

  /** Gives the prefix back (idempotent): another node may then take it. */
  void release() {
    if (!released) {
      released = true;
      if (lock != null) {
        lock.release();
      }
      local.remove(prefix, nick);
    }
  }

  /** Who holds the prefix on the cluster, as the refusal names it; asks its {@code node} address. */
  private static Future<String> holderOnCluster(Vertx vertx, String prefix) {
    String address = new ChatAddresses(prefix).node();
    return vertx.eventBus().<JsonObject>request(address, null, new DeliveryOptions().setSendTimeout(ASK_HOLDER_MS))
      .map(reply -> "node " + reply.body().getString("nick") + " (on the cluster)")
      .otherwise(e -> e instanceof ReplyException r && r.failureType() == ReplyFailure.NO_HANDLERS
        ? "a node that is still starting (on the cluster)"
        : "a node that does not answer on " + address + " (on the cluster)");
  }

  private static ConfigException inUse(String prefix, String holder) {
    return new ConfigException("eventBusPrefix '" + prefix + "' is already used by " + holder
      + ": give this node its own eventBusPrefix");
  }
}
