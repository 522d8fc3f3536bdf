package io.p2pchat.chat;

import static io.p2pchat.node.TestNet.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.p2pchat.node.TestNet;
import io.p2pchat.node.TestNet.Events;
import io.p2pchat.node.TestNet.Node;
import io.p2pchat.rendezvous.RendezvousVerticle;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14, room-message semantics: a room message goes to every member known when it is sent;
 * one whose path is still being set up gets it once the path is up; a message that reached nobody
 * is reported failed and never recorded as delivered.
 */
@ExtendWith(VertxExtension.class)
@Timeout(60)
class RoomMessageTest {

  @Test
  void aRoomMessageWithNobodyElseIsAcceptedThenReportedFailed(Vertx vertx, @TempDir Path dir) throws Exception {
    TestNet net = new TestNet(vertx, dir);
    RendezvousVerticle r = net.rendezvous(new JsonObject());
    Node alice = net.node("alice", r.port());

    String id = alice.send("anyone?");
    JsonObject failed = alice.events.await(Events.FAILED, e -> id.equals(e.getString("id")));
    assertEquals("nobody else in room lobby", failed.getString("reason"));
    assertFalse(failed.containsKey("peer"), "reached no peer: " + failed.encode());
    // What the front ends saw, in order: sent, then failed; never delivered.
    assertEquals(id, alice.events.await(Events.SENT, e -> true).getString("id"));
    assertTrue(alice.events.all(Events.DELIVERED).isEmpty(), alice.events.all(Events.DELIVERED).toString());
    JsonObject line = alice.history().getJsonObject(0);
    assertEquals(id, line.getString("id"));
    assertEquals("failed", line.getString("state"));
  }

  /**
   * bob's node runs on a Vert.x of one event loop that the test holds busy: alice is introduced to
   * bob and sees him connecting, but no path can come up until bob's loop runs again.
   */
  @Test
  void aMemberStillConnectingGetsTheMessageOnceThePathIsUp(Vertx vertx, @TempDir Path dir) throws Exception {
    TestNet net = new TestNet(vertx, dir);
    RendezvousVerticle r = net.rendezvous(new JsonObject());
    // One event loop, and no blocked-thread warnings for the hold, which is deliberate.
    Vertx bobVertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1)
      .setMaxEventLoopExecuteTime(TestNet.WAIT_SECONDS).setMaxEventLoopExecuteTimeUnit(TimeUnit.SECONDS));
    CountDownLatch held = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    try {
      Node bob = new TestNet(bobVertx, dir).node("bob", r.port());
      bob.events.await(Events.RENDEZVOUS_STATE, e -> "up".equals(e.getString("state")));
      bobVertx.runOnContext(v -> {
        held.countDown();
        try {
          release.await(TestNet.WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });
      assertTrue(held.await(TestNet.WAIT_SECONDS, TimeUnit.SECONDS));

      Node alice = net.node("alice", r.port());
      alice.awaitPeer("bob", "connecting");
      String id = alice.send("while you connect");
      // Accepted for bob, who has no path: neither delivered nor failed yet.
      List<JsonObject> states = alice.events.matching(Events.PEER_STATE, e -> "bob".equals(e.getString("nick")));
      assertEquals(List.of("connecting"), states.stream().map(e -> e.getString("state")).distinct().toList());
      assertTrue(alice.events.all(Events.FAILED).isEmpty(), alice.events.all(Events.FAILED).toString());
      assertEquals("sending", alice.history().getJsonObject(0).getString("state"));

      release.countDown();
      JsonObject received = bob.awaitReceived("alice", "while you connect");
      assertEquals(id, received.getString("id"));
      assertNull(received.getString("to"), "a room message");
      alice.awaitDelivered(id, "bob");
      assertEquals(1, bob.events.all(Events.RECEIVED).size(), "received once: " + bob.events.all(Events.RECEIVED));
      assertTrue(alice.events.all(Events.FAILED).isEmpty(), alice.events.all(Events.FAILED).toString());
      assertEquals("delivered", alice.history().getJsonObject(0).getString("state"));
    } finally {
      release.countDown();
      await(bobVertx.close());
    }
  }
}
