package io.p2pchat.client;

import io.vertx.core.json.JsonObject;

/**
 * The node itself: the {@code <prefix>.node} reply
 * {@code {"nick", "room", "fingerprint", "rendezvous": {"state", "address"}}}.
 *
 * @param nick               the node's nick
 * @param room               its room
 * @param fingerprint        its key fingerprint, to compare out of band
 * @param rendezvousState    {@value #UP}, {@value #DOWN} or {@value #REGISTERING} (the first answer is on its way)
 * @param rendezvousAddress  the rendezvous instance it registers with ({@code host:port})
 */
public record NodeInfo(String nick, String room, String fingerprint, String rendezvousState, String rendezvousAddress) {

  /** Registered with the rendezvous. */
  public static final String UP = "up";
  /** Registrations went unanswered. */
  public static final String DOWN = "down";
  /** Since start-up, the first answer is on its way. */
  public static final String REGISTERING = "registering";

  /** From the reply's JSON. */
  public NodeInfo(JsonObject json) {
    this(json.getString("nick"), json.getString("room"), json.getString("fingerprint"),
      json.getJsonObject("rendezvous", new JsonObject()).getString("state"),
      json.getJsonObject("rendezvous", new JsonObject()).getString("address"));
  }

  /** True when the node is registered with its rendezvous ({@value #UP}): peers can be introduced to it. */
  public boolean registered() {
    return UP.equals(rendezvousState);
  }

  /** The reply's JSON. */
  public JsonObject toJson() {
    return new JsonObject().put("nick", nick).put("room", room).put("fingerprint", fingerprint)
      .put("rendezvous", new JsonObject().put("state", rendezvousState).put("address", rendezvousAddress));
  }
}
