package io.p2pchat.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.p2pchat.node.TestNet;
import io.p2pchat.node.TestNet.Events;
import io.p2pchat.node.TestNet.Node;
import io.p2pchat.rendezvous.RendezvousVerticle;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 3, test 2: five clients in one room; every message reaches every other client exactly
 * once and in order per sender; a client of another room sees none of it, nor any of them.
 */
@ExtendWith(VertxExtension.class)
@Timeout(30)
class RoomFanOutTest {

  private static final int CLIENTS = 5;
  private static final int MESSAGES_EACH = 5;

  @Test
  void everyMessageReachesEveryOtherClientOnceInOrder(Vertx vertx, @TempDir Path dir) throws Exception {
    TestNet net = new TestNet(vertx, dir);
    RendezvousVerticle r = net.rendezvous(new JsonObject());
    List<Node> room = new ArrayList<>();
    for (int i = 0; i < CLIENTS; i++) {
      room.add(net.node("n" + i, r.port()));
    }
    Node outsider = net.node(net.nodeConfig("outsider", r.port()).put("room", "elsewhere"));
    Node outsiderMate = net.node(net.nodeConfig("mate", r.port()).put("room", "elsewhere"));

    // Everyone has a direct path to everyone else of the room before anyone speaks.
    for (Node n : room) {
      for (Node peer : room) {
        if (peer != n) {
          n.awaitPeer(peer.nick, "direct-lan");
        }
      }
    }
    outsider.awaitPeer("mate", "direct-lan");

    List<String> ids = new ArrayList<>();
    for (int m = 0; m < MESSAGES_EACH; m++) {
      for (Node n : room) {
        ids.add(n.send(n.nick + " #" + m));
      }
    }
    outsider.send("outsider's own talk");

    // Each receiver gets (CLIENTS - 1) * MESSAGES_EACH messages.
    int expected = (CLIENTS - 1) * MESSAGES_EACH;
    for (Node n : room) {
      n.events.awaitCount(Events.RECEIVED, e -> true, expected);
    }
    // Every message delivered to each of the other four: waiting for that is the settle time
    // in which a duplicate would have shown up.
    for (Node n : room) {
      n.events.awaitCount(Events.DELIVERED, e -> true, MESSAGES_EACH * (CLIENTS - 1));
    }
    outsiderMate.awaitReceived("outsider", "outsider's own talk");

    for (Node n : room) {
      List<JsonObject> got = n.events.all(Events.RECEIVED);
      assertEquals(expected, got.size(), n.nick + " received " + got);
      for (Node sender : room) {
        List<String> texts = got.stream().filter(e -> sender.nick.equals(e.getString("from")))
          .map(e -> e.getString("text")).toList();
        List<String> want = new ArrayList<>();
        if (sender != n) {
          for (int m = 0; m < MESSAGES_EACH; m++) {
            want.add(sender.nick + " #" + m);
          }
        }
        assertEquals(want, texts, n.nick + " from " + sender.nick);
      }
      // Each delivered event names one message and one peer, never twice.
      List<JsonObject> delivered = n.events.all(Events.DELIVERED);
      assertEquals(delivered.size(), delivered.stream().map(e -> e.getString("id") + "/" + e.getString("peer"))
        .distinct().count(), n.nick + " delivered " + delivered);
      assertTrue(n.events.all(Events.FAILED).isEmpty(), n.events.all(Events.FAILED).toString());
    }
    assertEquals(CLIENTS * MESSAGES_EACH, ids.stream().distinct().count(), "message ids are unique: " + ids);

    // The other room: none of the messages, none of the peers; and the room never saw it.
    assertTrue(outsider.events.all(Events.RECEIVED).isEmpty(), outsider.events.all(Events.RECEIVED).toString());
    assertEquals(Set.of("mate"), outsider.events.all(Events.PEER_STATE).stream()
      .map(e -> e.getString("nick")).collect(java.util.stream.Collectors.toSet()));
    JsonArray outsiderPeers = outsider.peers().getJsonArray("peers");
    assertEquals(1, outsiderPeers.size(), outsiderPeers.encode());
    for (Node n : room) {
      assertTrue(n.events.matching(Events.PEER_STATE, e -> e.getString("nick").equals("outsider")
        || e.getString("nick").equals("mate")).isEmpty(), n.nick + " saw the other room");
      assertEquals(CLIENTS - 1, n.peers().getJsonArray("peers").size());
    }
  }
}
