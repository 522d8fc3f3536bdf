package io.p2pchat.client;

import io.vertx.core.json.JsonObject;

/**
 * A message waits in a peer's mailbox at the rendezvous (the peer is offline): the {@code <prefix>.chat.queued}
 * event {@code {"id", "peer"}}. A {@link Delivery} follows when the peer picked it up and its receipt came back,
 * or a {@link DeliveryFailure} when the mailbox refused it or it expired there. A room message is queued once per
 * member who is away.
 *
 * @param id   the message's id
 * @param peer the nick of the peer whose mailbox holds it
 */
public record Queued(String id, String peer) {

  /** From the event's JSON. */
  public Queued(JsonObject json) {
    this(json.getString("id"), json.getString("peer"));
  }

  /** The event's JSON. */
  public JsonObject toJson() {
    return new JsonObject().put("id", id).put("peer", peer);
  }
}
