package io.p2pchat.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.p2pchat.node.TestNet;
import io.p2pchat.node.TestNet.Events;
import io.p2pchat.node.TestNet.Node;
import io.p2pchat.rendezvous.RendezvousVerticle;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Issue 3, test 9: the echo bot extension answers over real UDP, in the room or privately. */
@ExtendWith(VertxExtension.class)
@Timeout(30)
class EchoBotTest {

  @Test
  void pingPongAndEchoes(Vertx vertx, @TempDir Path dir) throws Exception {
    TestNet net = new TestNet(vertx, dir);
    RendezvousVerticle r = net.rendezvous(new JsonObject());
    Node bot = net.node(net.nodeConfig("echo", r.port())
      .put("extensions", new JsonArray().add(EchoBotVerticle.class.getName())));
    Node alice = net.node("alice", r.port());
    Node carol = net.node("carol", r.port());
    for (Node n : new Node[] {alice, carol}) {
      n.awaitPeer("echo", "direct-lan");
      bot.awaitPeer(n.nick, "direct-lan");
    }
    alice.awaitPeer("carol", "direct-lan");

    alice.send("!ping");
    JsonObject pong = alice.awaitReceived("echo", "pong");
    assertNull(pong.getString("to"), "asked in the room, answered in the room");
    carol.awaitReceived("echo", "pong");

    alice.send("hello there");
    alice.awaitReceived("echo", "echo: hello there");
    carol.awaitReceived("echo", "echo: hello there");

    alice.sendTo("echo", "just between us");
    JsonObject privately = alice.awaitReceived("echo", "echo: just between us");
    assertEquals("alice", privately.getString("to"));
    alice.sendTo("echo", " !ping ");
    alice.events.await(Events.RECEIVED, e -> "echo".equals(e.getString("from")) && "pong".equals(e.getString("text"))
      && "alice".equals(e.getString("to")));

    // Carol saw the room answers and nothing of alice's private exchange; the bot never answered itself.
    bot.awaitDelivered(bot.events.await(Events.SENT, e -> "alice".equals(e.getString("to"))
      && "pong".equals(e.getString("text"))).getString("id"), "alice");
    assertEquals(4, carol.events.all(Events.RECEIVED).size(), carol.events.all(Events.RECEIVED).toString());
    assertEquals(4, bot.events.all(Events.SENT).size(), bot.events.all(Events.SENT).toString());
  }
}
