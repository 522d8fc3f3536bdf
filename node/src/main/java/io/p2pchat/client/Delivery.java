package io.p2pchat.client;

import io.vertx.core.json.JsonObject;

/**
 * A peer acknowledged a message: the {@code <prefix>.chat.delivered} event {@code {"id", "peer"}}.
 * A room message is delivered once per member.
 *
 * @param id   the message's id
 * @param peer the nick of the peer that acknowledged it
 */
public record Delivery(String id, String peer) {

  /** From the event's JSON. */
  public Delivery(JsonObject json) {
    this(json.getString("id"), json.getString("peer"));
  }

  /** The event's JSON. */
  public JsonObject toJson() {
    return new JsonObject().put("id", id).put("peer", peer);
  }
}
