package io.p2pchat.client;

import io.vertx.core.json.JsonObject;

/**
 * A message could not be delivered to a peer: the {@code <prefix>.chat.failed} event
 * {@code {"id", "peer", "reason"}}.
 *
 * @param id     the message's id
 * @param peer   the nick of the peer it did not reach
 * @param reason why, for a person (e.g. {@code not acknowledged within 30 s})
 */
public record DeliveryFailure(String id, String peer, String reason) {

  /** From the event's JSON. */
  public DeliveryFailure(JsonObject json) {
    this(json.getString("id"), json.getString("peer"), json.getString("reason"));
  }

  /** The event's JSON. */
  public JsonObject toJson() {
    return new JsonObject().put("id", id).put("peer", peer).put("reason", reason);
  }
}
