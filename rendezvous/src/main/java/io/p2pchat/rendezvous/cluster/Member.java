package io.p2pchat.rendezvous.cluster;

import io.p2pchat.wire.Endpoint;
import io.p2pchat.wire.WireException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/**
 * A client registered somewhere in the cluster, as the other instances see it: enough to list it,
 * introduce it and route to it. {@code key} is the client's public key (base64) to which the nick is bound, {@code owner} is the Vert.x node id of the instance it is registered with.
 */
public record Member(String nick, String room, String key, String instance, Endpoint address,
                     List<Endpoint> local, long relayId, String owner) {

  public Member {
    local = List.copyOf(local);
  }

  /** The same client, now owned by {@code newOwner} (it re-registered there). */
  public Member ownedBy(String newOwner) {
    return new Member(nick, room, key, instance, address, local, relayId, newOwner);
  }

  /** Field order is fixed, so the same member always encodes to the same text (map compare-and-set). */
  public JsonObject toJson() {
    JsonArray locals = new JsonArray();
    local.forEach(e -> locals.add(e.toString()));
    return new JsonObject().put("nick", nick).put("room", room).put("key", key).put("instance", instance)
      .put("address", address.toString()).put("local", locals).put("relayId", relayId).put("owner", owner);
  }

  public String encode() {
    return toJson().encode();
  }

  /** Parses what {@link #toJson} wrote; another instance's bug or version skew gives an exception. */
  public static Member fromJson(JsonObject json) {
    try {
      List<Endpoint> local = new ArrayList<>();
      for (Object item : json.getJsonArray("local", new JsonArray())) {
        local.add(Endpoint.parse((String) item));
      }
      return new Member(json.getString("nick"), json.getString("room"), json.getString("key"),
        json.getString("instance"), Endpoint.parse(json.getString("address")), local, json.getLong("relayId"),
        json.getString("owner"));
    } catch (WireException | RuntimeException e) {
      throw new IllegalArgumentException("bad cluster member record: " + e.getMessage(), e);
    }
  }

  public static Member decode(String text) {
    return fromJson(new JsonObject(text));
  }
}
