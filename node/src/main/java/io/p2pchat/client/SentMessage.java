package io.p2pchat.client;

import io.p2pchat.client.impl.Checks;
import io.vertx.core.json.JsonObject;

/**
 * A message a front end of this node (any client, the console, the web UI) sent: the
 * {@code <prefix>.chat.sent} event {@code {"id", "to"?, "text", "ts"}}.
 *
 * @param id   the message's id, as {@link ChatClient#send(String)} returned it
 * @param to   the peer of a direct message, null for a room message
 * @param text the text
 * @param ts   when it was sent, in milliseconds since the epoch
 */
public record SentMessage(String id, String to, String text, long ts) {

  /** From the event's JSON. */
  public SentMessage(JsonObject json) {
    this(json.getString("id"), json.getString("to"), json.getString("text"), json.getLong("ts", 0L));
  }

  /** The event's JSON. */
  public JsonObject toJson() {
    return Checks.putIfSet(new JsonObject().put("id", id), "to", to).put("text", text).put("ts", ts);
  }
}
