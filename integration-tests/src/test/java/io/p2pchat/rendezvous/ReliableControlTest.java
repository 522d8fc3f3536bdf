package io.p2pchat.rendezvous;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.p2pchat.node.TestNet;
import io.p2pchat.node.TestNet.Events;
import io.p2pchat.node.TestNet.Node;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15, reliable control: the rendezvous drops 40% of its {@code introduce} and {@code gone}
 * messages as they leave and sends 10% twice (the test-only {@code impair.*}); acks and
 * retransmissions still connect every pair of a room of five, copies received twice change nothing
 * (no message fails), every node's message reaches every other exactly once, and every member hears
 * that one left.
 */
@ExtendWith(VertxExtension.class)
@Timeout(90)
class ReliableControlTest {

  private static final int CLIENTS = 5;
  /** Percent of introductions and departures dropped: each pair's first introduction is lost for one side ~64% of the time. */
  private static final int LOSS_PERCENT = 40;
  /** Percent sent twice: each client gets some introductions twice, as when its ack is lost. */
  private static final int DUPLICATE_PERCENT = 10;

  @Test
  void aRoomConnectsAndHearsDeparturesDespiteLostIntroductions(Vertx vertx, @TempDir Path dir) throws Exception {
    TestNet net = new TestNet(vertx, dir);
    RendezvousVerticle r = net.rendezvous(new JsonObject()
      .put("impair", new JsonObject().put("lossPercent", LOSS_PERCENT)
        .put("duplicatePercent", DUPLICATE_PERCENT).put("seed", 15)));
    List<Node> room = new ArrayList<>();
    for (int i = 0; i < CLIENTS; i++) {
      room.add(net.node("n" + i, r.port()));
    }

    // Every pair connects: each side was introduced, however many of the introductions were lost.
    for (Node n : room) {
      for (Node peer : room) {
        if (peer != n) {
          n.awaitPeer(peer.nick, "direct-lan");
        }
      }
    }
    for (Node n : room) {
      n.send("hello from " + n.nick);
    }
    for (Node n : room) {
      n.events.awaitCount(Events.RECEIVED, e -> true, CLIENTS - 1);
      n.events.awaitCount(Events.DELIVERED, e -> true, CLIENTS - 1);
    }
    for (Node n : room) {
      List<String> got = n.events.all(Events.RECEIVED).stream().map(e -> e.getString("text")).sorted().toList();
      List<String> want = room.stream().filter(p -> p != n).map(p -> "hello from " + p.nick).sorted().toList();
      assertEquals(want, got, n.nick + " received each other node's message exactly once");
      assertTrue(n.events.all(Events.FAILED).isEmpty(), n.events.all(Events.FAILED).toString());
    }

    // One leaves: every other member hears it, though departures are lost too.
    Node leaver = room.remove(0);
    TestNet.await(leaver.undeploy());
    for (Node n : room) {
      n.awaitPeer(leaver.nick, "gone");
    }

    JsonObject reliable = net.rendezvousStats().getJsonObject("reliable");
    assertTrue(reliable.getLong("impaired") > 0, "the impairment dropped messages: " + reliable);
    assertTrue(reliable.getLong("retransmitted") > 0, "lost messages were sent again: " + reliable);
    assertTrue(reliable.getLong("acked") > 0, reliable.encode());
    assertTrue(reliable.getLong("duplicated") > 0, "some were received twice: " + reliable);
  }
}
