package io.p2pchat.ui;

import io.vertx.core.Vertx;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Test double of the node's event-bus API: several nicks, each on its own prefix (the nick), in one
 * Vert.x. {@code chat.send} on one node publishes {@code chat.sent} there, {@code chat.received} on
 * the targets and {@code chat.delivered} back, like the real node. Also answers {@code peers} and
 * {@code history}. Lets the UI be tested before (and independently of) the real node.
 */
final class FakeChatNetwork {

  /** Same bound as the node's (the UI must show its rejection, not enforce it). */
  static final int MAX_TEXT_CHARS = 4000;

  private final Vertx vertx;
  private final Map<String, List<JsonObject>> historyByNick = new LinkedHashMap<>();
  private final Map<String, JsonObject> peerState = new LinkedHashMap<>();
  private long lastTs;

  FakeChatNetwork(Vertx vertx, String... nicks) {
    this.vertx = vertx;
    for (String nick : nicks) {
      historyByNick.put(nick, new ArrayList<>());
      peerState.put(nick, new JsonObject().put("nick", nick).put("state", "direct-lan")
          .put("address", "127.0.0.1:" + (40000 + peerState.size())).put("rttMs", 1 + peerState.size())
          .put("fingerprint", fingerprintOf(nick)));
    }
    for (String nick : nicks) {
      register(nick);
    }
  }

  static String fingerprintOf(String nick) {
    String hex = Integer.toHexString(nick.hashCode() & 0x7fffffff) + "a3f09c4be1d2";
    return (hex + hex).substring(0, 16);
  }

  private void register(String nick) {
    EventBus bus = vertx.eventBus();
    bus.<JsonObject>consumer(nick + ".chat.send", msg -> {
      JsonObject body = msg.body();
      String text = body.getString("text", "");
      String to = body.getString("to");
      if (text.isBlank()) {
        msg.fail(400, "empty message");
        return;
      }
      if (text.length() > MAX_TEXT_CHARS) {
        msg.fail(413, "message too long: " + text.length() + " characters, at most " + MAX_TEXT_CHARS);
        return;
      }
      if (to != null && (!historyByNick.containsKey(to) || to.equals(nick))) {
        msg.fail(404, "unknown nick: " + to);
        return;
      }
      String id = UUID.randomUUID().toString();
      long ts = lastTs = Math.max(lastTs + 1, System.currentTimeMillis());
      msg.reply(new JsonObject().put("id", id));
      JsonObject sent = new JsonObject().put("id", id).put("text", text).put("ts", ts);
      if (to != null) {
        sent.put("to", to);
      }
      bus.publish(nick + ".chat.sent", sent);
      historyByNick.get(nick).add(sent.copy().put("from", nick).put("direction", "out").put("state", "delivered"));
      for (String target : historyByNick.keySet()) {
        if (target.equals(nick) || (to != null && !to.equals(target))) {
          continue;
        }
        JsonObject received = sent.copy().put("from", nick);
        historyByNick.get(target).add(received.copy().put("direction", "in"));
        bus.publish(target + ".chat.received", received);
        bus.publish(nick + ".chat.delivered", new JsonObject().put("id", id).put("peer", target));
      }
    });
    bus.<JsonObject>consumer(nick + ".peers", msg -> {
      JsonArray peers = new JsonArray();
      peerState.forEach((other, state) -> {
        if (!other.equals(nick)) {
          peers.add(state.copy());
        }
      });
      msg.reply(new JsonObject().put("peers", peers));
    });
    bus.<JsonObject>consumer(nick + ".history", msg -> {
      int limit = msg.body().getInteger("limit", 100);
      List<JsonObject> all = historyByNick.get(nick);
      JsonArray out = new JsonArray();
      all.subList(Math.max(0, all.size() - limit), all.size()).forEach(out::add);
      msg.reply(new JsonObject().put("messages", out));
    });
  }

  /** Changes how every other node sees {@code nick}, like a path change or a quit ("gone"). */
  void setPeerState(String nick, String state) {
    JsonObject updated = peerState.get(nick).put("state", state);
    for (String other : historyByNick.keySet()) {
      if (!other.equals(nick)) {
        vertx.eventBus().publish(other + ".peer.state", updated.copy());
      }
    }
  }

  void setRendezvous(String nick, boolean up) {
    vertx.eventBus().publish(nick + ".rendezvous.state",
        new JsonObject().put("state", up ? "up" : "down").put("address", "127.0.0.1:7000"));
  }
}
