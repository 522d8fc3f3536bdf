package io.p2pchat.chat;

import static io.p2pchat.node.TestNet.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.p2pchat.node.TestNet;
import io.p2pchat.node.TestNet.Events;
import io.p2pchat.node.TestNet.Node;
import io.p2pchat.rendezvous.RendezvousVerticle;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Issue 3, test 1: a rendezvous and two clients on loopback register, punch, and chat both ways. */
@ExtendWith(VertxExtension.class)
@Timeout(30)
class TwoNodeChatTest {

  @Test
  void registerIntroducePunchAndChatBothWays(Vertx vertx, @TempDir Path dir) throws Exception {
    TestNet net = new TestNet(vertx, dir);
    RendezvousVerticle r = net.rendezvous(new JsonObject());
    Node alice = net.node("alice", r.port());
    Node bob = net.node("bob", r.port());

    // Both registered with the rendezvous.
    for (Node n : new Node[] {alice, bob}) {
      JsonObject up = n.events.await(Events.RENDEZVOUS_STATE, e -> "up".equals(e.getString("state")));
      assertEquals("127.0.0.1:" + r.port(), up.getString("address"));
    }
    // Introduced and punched: everything is on 127.0.0.1, so the path is the LAN one.
    JsonObject bobSeen = alice.awaitPeer("bob", "direct-lan");
    assertEquals("127.0.0.1:" + bob.port(), bobSeen.getString("address"));
    assertTrue(bobSeen.getDouble("rttMs") >= 0, bobSeen.encode());
    JsonObject aliceSeen = bob.awaitPeer("alice", "direct-lan");
    assertEquals("127.0.0.1:" + alice.port(), aliceSeen.getString("address"));
    // The first state each saw was connecting (introduced, no path yet).
    assertEquals("connecting", alice.events.all(Events.PEER_STATE).get(0).getString("state"));

    String hello = alice.send("hello bob, ça va? 👋");
    JsonObject atBob = bob.awaitReceived("alice", "hello bob, ça va? 👋");
    assertEquals(hello, atBob.getString("id"));
    assertNull(atBob.getString("to"), "a room message has no 'to'");
    assertTrue(Math.abs(atBob.getLong("ts") - System.currentTimeMillis()) < 60_000, atBob.encode());
    alice.awaitDelivered(hello, "bob");

    String reply = bob.send("hi alice");
    assertEquals(reply, alice.awaitReceived("bob", "hi alice").getString("id"));
    bob.awaitDelivered(reply, "alice");

    String secret = alice.sendTo("bob", "just for you");
    JsonObject direct = bob.awaitReceived("alice", "just for you");
    assertEquals("bob", direct.getString("to"));
    alice.awaitDelivered(secret, "bob");

    // What a front end sees of its own messages.
    JsonObject sent = alice.events.await(Events.SENT, e -> hello.equals(e.getString("id")));
    assertEquals("hello bob, ça va? 👋", sent.getString("text"));
    assertTrue(alice.events.all(Events.FAILED).isEmpty(), alice.events.all(Events.FAILED).toString());

    // The public request addresses.
    JsonArray peers = alice.peers().getJsonArray("peers");
    assertEquals(1, peers.size());
    assertEquals("bob", peers.getJsonObject(0).getString("nick"));
    assertEquals("direct-lan", peers.getJsonObject(0).getString("state"));
    // History: everything (room and direct) by default, or the direct conversation with a peer.
    JsonArray history = await(vertx.eventBus().<JsonObject>request("bob.history", new JsonObject()))
      .body().getJsonArray("messages");
    assertEquals(3, history.size(), history.encodePrettily());
    assertEquals("hello bob, ça va? 👋", history.getJsonObject(0).getString("text"));
    assertEquals("hi alice", history.getJsonObject(1).getString("text"));
    assertEquals("just for you", history.getJsonObject(2).getString("text"));
    JsonArray directOnly = await(vertx.eventBus().<JsonObject>request("bob.history",
      new JsonObject().put("peer", "alice"))).body().getJsonArray("messages");
    assertEquals(1, directOnly.size(), directOnly.encodePrettily());
    assertEquals("just for you", directOnly.getJsonObject(0).getString("text"));
  }

  @Test
  void badSendRequestsAreRefusedWithAReason(Vertx vertx, @TempDir Path dir) throws Exception {
    TestNet net = new TestNet(vertx, dir);
    RendezvousVerticle r = net.rendezvous(new JsonObject());
    Node alice = net.node("alice", r.port());
    assertEquals(400, refusal(alice, new JsonObject().put("text", "  ")));
    assertEquals(400, refusal(alice, new JsonObject()));
    assertEquals(400, refusal(alice, new JsonObject().put("text", "hi").put("to", "alice")));
    assertEquals(404, refusal(alice, new JsonObject().put("text", "hi").put("to", "nobody")));
    assertEquals(413, refusal(alice, new JsonObject().put("text", "x".repeat(70_000))));
    // Nobody else in the room: a room message is accepted, reaches nobody and is reported failed (RoomMessageTest).
    String anyone = alice.send("anyone?");
    assertFalse(anyone.isEmpty());
    alice.events.await(Events.FAILED, e -> anyone.equals(e.getString("id")));
  }

  @Test
  void aBatchOfTextsIsOneRequestAndArrivesInOrder(Vertx vertx, @TempDir Path dir) throws Exception {
    TestNet net = new TestNet(vertx, dir);
    RendezvousVerticle r = net.rendezvous(new JsonObject());
    Node alice = net.node("alice", r.port());
    Node bob = net.node("bob", r.port());
    alice.awaitPeer("bob", "direct-lan");
    int count = 300;
    JsonArray texts = new JsonArray();
    for (int i = 0; i < count; i++) {
      texts.add("batch message " + i + (i % 7 == 0 ? " — ünïcødé 🙂" : ""));
    }
    JsonArray ids = await(vertx.eventBus().<JsonObject>request(alice.prefix + ".chat.send",
      new JsonObject().put("to", "bob").put("texts", texts))).body().getJsonArray("ids");
    assertEquals(count, ids.size(), "one id per text, in order");

    // Every text arrives once, in the order of the batch, with the id the reply gave it.
    List<JsonObject> received = bob.events.awaitCount(Events.RECEIVED, e -> "alice".equals(e.getString("from")), count);
    for (int i = 0; i < count; i++) {
      assertEquals(texts.getString(i), received.get(i).getString("text"));
      assertEquals(ids.getString(i), received.get(i).getString("id"));
      assertEquals("bob", received.get(i).getString("to"));
    }
    // Each message has its own sent and delivered events, as if sent one by one.
    List<JsonObject> sent = alice.events.awaitCount(Events.SENT, e -> true, count);
    for (int i = 0; i < count; i++) {
      assertEquals(ids.getString(i), sent.get(i).getString("id"));
    }
    assertEquals(count, alice.events.awaitCount(Events.DELIVERED, e -> "bob".equals(e.getString("peer")), count).size());
    assertTrue(alice.events.all(Events.FAILED).isEmpty(), alice.events.all(Events.FAILED).toString());
    assertEquals(count, bob.events.all(Events.RECEIVED).size(), "each text received once");
    // The sender's history knows each one was delivered.
    JsonArray history = await(vertx.eventBus().<JsonObject>request(alice.prefix + ".history",
      new JsonObject().put("peer", "bob").put("limit", count))).body().getJsonArray("messages");
    assertEquals(count, history.size());
    for (int i = 0; i < count; i++) {
      assertEquals("delivered", history.getJsonObject(i).getString("state"), history.getJsonObject(i).encode());
    }
  }

  @Test
  void aBatchWithOneBadTextSendsNothing(Vertx vertx, @TempDir Path dir) throws Exception {
    TestNet net = new TestNet(vertx, dir);
    RendezvousVerticle r = net.rendezvous(new JsonObject());
    Node alice = net.node("alice", r.port());
    assertEquals(400, refusal(alice, new JsonObject().put("texts", new JsonArray().add("fine").add(" "))));
    assertEquals(413, refusal(alice, new JsonObject().put("texts", new JsonArray().add("fine").add("x".repeat(70_000)))));
    assertEquals(400, refusal(alice, new JsonObject().put("texts", new JsonArray())));
    assertEquals(400, refusal(alice, new JsonObject().put("texts", "not an array")));
    JsonArray tooMany = new JsonArray();
    for (int i = 0; i <= ChatVerticle.MAX_BATCH_TEXTS; i++) {
      tooMany.add("t" + i);
    }
    assertEquals(400, refusal(alice, new JsonObject().put("texts", tooMany)));
    assertEquals(404, refusal(alice, new JsonObject().put("texts", new JsonArray().add("hi")).put("to", "nobody")));
    // Nothing of the refused batches was sent: the next message is the first in the history.
    alice.send("the only one");
    JsonArray history = await(vertx.eventBus().<JsonObject>request("alice.history", new JsonObject()))
      .body().getJsonArray("messages");
    assertEquals(1, history.size(), history.encodePrettily());
    assertEquals(1, alice.events.all(Events.SENT).size(), alice.events.all(Events.SENT).toString());
  }

  @Test
  void aBatchThatOverflowsAPeersQueueIsRefusedFromTheTextThatDidNotFit(Vertx vertx, @TempDir Path dir) throws Exception {
    TestNet net = new TestNet(vertx, dir);
    RendezvousVerticle r = net.rendezvous(new JsonObject());
    // Nothing bob sends arrives: alice's send window to him fills and stays full.
    Node bob = net.node(net.nodeConfig("bob", r.port()).put("impair", new JsonObject().put("lossPercent", 100)));
    Node alice = net.node(net.nodeConfig("alice", r.port()).put("deliveryDeadlineSeconds", 600));
    alice.awaitPeer("bob", "connecting");
    // The window takes 1,024 messages and the queue behind it 10,000: batches 1-11 fit (replies
    // held by back-pressure), batch 12 fits for 24 texts and is refused from its 25th.
    int batches = 12;
    List<Future<Message<JsonObject>>> replies = new ArrayList<>();
    for (int b = 0; b < batches; b++) {
      JsonArray texts = new JsonArray();
      for (int i = 0; i < ChatVerticle.MAX_BATCH_TEXTS; i++) {
        texts.add("b" + b + " m" + i);
      }
      replies.add(vertx.eventBus().request(alice.prefix + ".chat.send", new JsonObject().put("to", "bob").put("texts", texts)));
    }
    ExecutionException refused = assertThrows(ExecutionException.class,
      () -> await(replies.get(batches - 1)));
    ReplyException cause = (ReplyException) refused.getCause();
    assertEquals(503, cause.failureCode());
    assertTrue(cause.getMessage().startsWith("texts[24] and after not accepted: send queue to bob is full"), cause.getMessage());
    assertTrue(cause.getMessage().endsWith("(the 24 before it are sent)"), cause.getMessage());
    assertEquals(ChatVerticle.MAX_BATCH_TEXTS, await(replies.get(0)).body().getJsonArray("ids").size());
    assertTrue(alice.events.all(Events.FAILED).isEmpty(), "queued messages wait for the window, they do not fail");
  }

  private static int refusal(Node node, JsonObject request) throws Exception {
    try {
      node.send(request);
      throw new AssertionError("accepted " + request);
    } catch (ExecutionException e) {
      return ((ReplyException) e.getCause()).failureCode();
    }
  }
}
