package io.p2pchat.rendezvous.cluster;

import io.p2pchat.rendezvous.TicketKeyStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.AsyncMap;

/**
 * The ticket keys of a cluster, one entry of a cluster-wide map (Hazelcast's, as the directory's): every
 * instance reads the same set, so a client whose instance died resumes at another with its ticket instead
 * of a full handshake. Hazelcast keeps a backup of each entry on another member, so the keys outlive the
 * death of the instance that holds the entry; if every instance dies, new keys are made and clients fall
 * back to one full handshake. Replacement is compare-and-set: two instances rotating at once agree on one set.
 */
public final class ClusterTicketKeys implements TicketKeyStore {
  /** The cluster-wide map, apart from the directory's. */
  static final String MAP = "p2pchat.rendezvous.ticket-keys";
  /** Its one entry. */
  static final String ENTRY = "keys";

  private final Future<AsyncMap<String, String>> map;

  public ClusterTicketKeys(Vertx vertx) {
    this.map = vertx.sharedData().getClusterWideMap(MAP);
  }

  @Override
  public Future<String> read() {
    return map.compose(m -> m.get(ENTRY));
  }

  @Override
  public Future<Boolean> replace(String expected, String next) {
    return map.compose(m -> expected == null ? m.putIfAbsent(ENTRY, next).map(before -> before == null)
      : m.replaceIfPresent(ENTRY, expected, next));
  }

  @Override
  public String describe() {
    return "the cluster's map " + MAP;
  }
}
