package io.p2pchat.client;

import io.p2pchat.client.impl.Checks;
import io.vertx.core.json.JsonObject;

/**
 * One message of the node's history: an entry of the {@code <prefix>.history} reply
 * {@code {"id", "from", "to"?, "text", "ts", "direction", "state"}}.
 *
 * @param id        the message's id
 * @param from      the sender's nick (this node's for an outgoing message)
 * @param to        the receiver of a direct message, null for a room message
 * @param text      the text
 * @param ts        when it was sent, in milliseconds since the epoch (a received message's as its
 *                  {@link ReceivedMessage#ts()} had it)
 * @param direction {@value #IN} (received) or {@value #OUT} (sent)
 * @param state     {@value #SENDING}, {@value #QUEUED}, {@value #DELIVERED} or {@value #FAILED}
 */
public record HistoryMessage(String id, String from, String to, String text, long ts, String direction,
                             String state) {

  /** A message this node received. */
  public static final String IN = "in";
  /** A message this node sent. */
  public static final String OUT = "out";
  /** Sent, not yet acknowledged by every peer it went to. */
  public static final String SENDING = "sending";
  /** Stored in the peer's mailbox at the rendezvous (the peer is offline), waiting for its receipt. */
  public static final String QUEUED = "queued";
  /** Acknowledged (a received message is always delivered). */
  public static final String DELIVERED = "delivered";
  /** Not acknowledged within the delivery deadline. */
  public static final String FAILED = "failed";

  /** From an entry of the reply. */
  public HistoryMessage(JsonObject json) {
    this(json.getString("id"), json.getString("from"), json.getString("to"), json.getString("text"),
      json.getLong("ts", 0L), json.getString("direction"), json.getString("state"));
  }

  /** True for a message this node received. */
  public boolean incoming() {
    return IN.equals(direction);
  }

  /** The entry's JSON. */
  public JsonObject toJson() {
    JsonObject json = Checks.putIfSet(new JsonObject().put("id", id).put("from", from), "to", to);
    return json.put("text", text).put("ts", ts).put("direction", direction).put("state", state);
  }
}
