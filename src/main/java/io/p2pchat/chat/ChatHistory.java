package io.p2pchat.chat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;

/**
 * The recent messages of a node, newest last, bounded in memory. Each sent message carries its
 * delivery state ({@code sending}, then {@code delivered} or {@code failed} per peer).
 */
final class ChatHistory {

  /** Messages returned when a query names no limit: a screenful or two. */
  static final int DEFAULT_LIMIT = 100;
  /** Messages kept in memory: a long conversation, bounded whatever peers send. */
  static final int CAPACITY = 5_000;

  private final ArrayDeque<JsonObject> entries = new ArrayDeque<>();

  void add(JsonObject entry) {
    entries.addLast(entry);
    if (entries.size() > CAPACITY) {
      entries.removeFirst();
    }
  }

  void outcome(String id, String peer, String state) {
    Iterator<JsonObject> it = entries.descendingIterator();
    while (it.hasNext()) {
      JsonObject entry = it.next();
      if (id != null && id.equals(entry.getString("id")) && "out".equals(entry.getString("direction"))) {
        JsonObject peers = entry.getJsonObject("peers");
        if (peers == null) {
          peers = new JsonObject();
          entry.put("peers", peers);
        }
        peers.put(peer, state);
        entry.put("state", peers.fieldNames().stream().anyMatch(p -> "failed".equals(entry.getJsonObject("peers").getString(p)))
          ? "failed" : state);
        return;
      }
    }
  }

  /** The newest {@code limit} messages, oldest first; with a peer, the direct conversation with it. */
  JsonArray recent(String peer, int limit, String self) {
    List<JsonObject> out = new ArrayList<>();
    Iterator<JsonObject> it = entries.descendingIterator();
    while (it.hasNext() && out.size() < limit) {
      JsonObject entry = it.next();
      if (peer == null || peer.equals(entry.getString("to")) && self.equals(entry.getString("from"))
        || peer.equals(entry.getString("from")) && entry.getString("to") != null) {
        out.add(entry.copy());
      }
    }
    Collections.reverse(out);
    return new JsonArray(new ArrayList<>(out));
  }
}
