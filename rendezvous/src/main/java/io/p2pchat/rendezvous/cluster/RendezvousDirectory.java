package io.p2pchat.rendezvous.cluster;

import io.p2pchat.common.NodeLog;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

import java.util.Collection;
import java.util.List;

/**
 * What a rendezvous instance shares with the others of its cluster: who is registered where, the
 * cluster-wide binding of nicks to keys, and messages for clients registered elsewhere. Alone
 * ({@link #local()}) every call is a no-op; clustered ({@link ClusteredDirectory}) it rides on the
 * Vert.x cluster manager's map and event bus. Every {@link Listener} call runs on the caller's context.
 */
public interface RendezvousDirectory {

  /** What the other instances tell this one. */
  interface Listener {
    /**
     * A client registered (or moved) at another instance; {@code missed}: we learn of it late (its
     * announcement was lost), so nobody here has been introduced to it.
     */
    void arrived(Member member, boolean missed);

    /** A client of instance {@code owner} left or expired there. */
    void departed(String nick, String owner);

    /** Instance {@code owner} still holds these clients (the backstop against lost departures). */
    void refreshed(String owner, List<String> nicks);

    /** Instance {@code owner} left the cluster (stopped, crashed or cut off). */
    void instanceLeft(String owner);

    /** A control message for our client {@code nick}, from another instance. */
    void deliver(String nick, JsonObject control);

    /** A relay frame (already rewritten to the source's relay id) for our client with {@code targetRelayId}. */
    void relay(long targetRelayId, Buffer frame);
  }

  /** Refused because another key holds the nick somewhere in the cluster. */
  final class NickTakenException extends Exception {
    public NickTakenException(String message) {
      super(message, null, false, false);
    }
  }

  /** An instance alone: nothing is shared, every claim succeeds. */
  static RendezvousDirectory local() {
    return LocalDirectory.INSTANCE;
  }

  /**
   * Clustered when {@code vertx} is (the launcher's {@code -cluster}), else {@link #local()}.
   * {@code ttlMillis} is the registration TTL: the backstop for shared entries; {@code log}: the rendezvous's.
   */
  static Future<RendezvousDirectory> create(Vertx vertx, long ttlMillis, Listener listener, NodeLog log) {
    return vertx.isClustered() ? ClusteredDirectory.start(vertx, ttlMillis, listener, log)
      : Future.succeededFuture(local());
  }

  boolean clustered();

  /** This instance's id as an {@link Member#owner()}. */
  String self();

  /** Binds {@code member.nick} to {@code member.key} cluster-wide; fails with {@link NickTakenException}. */
  Future<Void> claim(Member member);

  /** Our client registered or moved here: tell the others. */
  void announce(Member member);

  /** Our client left or expired: release its nick and tell the others. */
  void depart(Member member);

  /** Fetches a member we were never told about (its nick came in a refresh) and reports it as missed. */
  void recover(String nick);

  /** Periodically, every client we hold: refreshes the shared entries' TTL and the others' views. */
  void refresh(Collection<Member> owned);

  /** Sends a control message to client {@code nick} of instance {@code owner}. */
  void deliver(String owner, String nick, JsonObject control);

  /** Forwards a relay frame to instance {@code owner}, for its client with {@code targetRelayId}. Opaque. */
  void relay(String owner, long targetRelayId, Buffer frame);

  Future<Void> close();
}
