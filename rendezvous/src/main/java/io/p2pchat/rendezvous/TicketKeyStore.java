package io.p2pchat.rendezvous;

import io.vertx.core.Future;

/**
 * Where the resumption ticket keys ({@link io.p2pchat.control.TicketKeys#encode()}) live between
 * rotations: a file of one instance ({@link FileTicketKeys}), or the cluster's map
 * ({@link io.p2pchat.rendezvous.cluster.ClusterTicketKeys}), so that every instance opens every instance's
 * tickets. {@link TicketKeyRotation} reads it and, when a rotation is due, replaces what it read.
 */
public interface TicketKeyStore {
  /** The stored set's text, or null when none is stored yet. */
  Future<String> read();

  /**
   * Stores {@code next} if what is stored is still {@code expected} (null: nothing): true if stored,
   * false if another instance changed it meanwhile (read again and adopt theirs).
   */
  Future<Boolean> replace(String expected, String next);

  /** For logs: where the keys live. */
  String describe();
}
