package io.p2pchat.client;

import io.p2pchat.client.impl.Checks;
import io.vertx.core.json.JsonObject;

/**
 * What {@link ChatClient#history(HistoryQuery)} asks for: the {@code <prefix>.history} request
 * {@code {"peer"?, "limit"?}}. Without a peer, every message (room and direct); with one, the direct
 * conversation with that peer. Without a limit, the node's default (the last 100).
 *
 * @param peer  the peer of a direct conversation, or null for everything
 * @param limit how many of the most recent messages, at least 1, or null for the node's default
 */
public record HistoryQuery(String peer, Integer limit) {

  /** Checks the limit. */
  public HistoryQuery {
    if (limit != null && limit < 1) {
      throw new IllegalArgumentException("limit must be a positive integer (got " + limit + ")");
    }
  }

  /** From the request's JSON. */
  public HistoryQuery(JsonObject json) {
    this(json.getString("peer"), json.getInteger("limit"));
  }

  /** Everything, up to the node's default limit. */
  public static HistoryQuery all() {
    return new HistoryQuery(null, null);
  }

  /** The direct conversation with {@code peer}, up to the node's default limit. */
  public static HistoryQuery with(String peer) {
    return new HistoryQuery(peer, null);
  }

  /** This query for at most the {@code limit} most recent messages. */
  public HistoryQuery limit(int limit) {
    return new HistoryQuery(peer, limit);
  }

  /** The request's JSON: only the fields that are set. */
  public JsonObject toJson() {
    return Checks.putIfSet(Checks.putIfSet(new JsonObject(), "peer", peer), "limit", limit);
  }
}
