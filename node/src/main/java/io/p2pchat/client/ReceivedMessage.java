package io.p2pchat.client;

import io.p2pchat.client.impl.Checks;
import io.vertx.core.json.JsonObject;

/**
 * A message this node received: the {@code <prefix>.chat.received} event
 * {@code {"id", "from", "to"?, "text", "ts"}}.
 *
 * @param id   the sender's id for the message, unique per sender run
 * @param from the sender's nick
 * @param to   this node's nick for a direct message, null for a room message
 * @param text the text
 * @param ts   when the sender sent it, in milliseconds since the epoch: the sender's time, never later than when
 *             this node received it plus 60 s (a clock far ahead must not keep its lines below later ones)
 */
public record ReceivedMessage(String id, String from, String to, String text, long ts) {

  /** From the event's JSON. */
  public ReceivedMessage(JsonObject json) {
    this(json.getString("id"), json.getString("from"), json.getString("to"), json.getString("text"),
      json.getLong("ts", 0L));
  }

  /** True for a direct message, false for a room message. */
  public boolean direct() {
    return to != null;
  }

  /** The event's JSON. */
  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("id", id).put("from", from);
    return Checks.putIfSet(json, "to", to).put("text", text).put("ts", ts);
  }
}
