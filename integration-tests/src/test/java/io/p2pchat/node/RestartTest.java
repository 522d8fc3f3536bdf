package io.p2pchat.node;

import static io.p2pchat.node.TestNet.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.p2pchat.node.TestNet.Events;
import io.p2pchat.node.TestNet.Node;
import io.p2pchat.rendezvous.RendezvousVerticle;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 3, test 5: a node restarted with the same data dir (same identity key) on a new port
 * keeps its nick and is introduced again; another install cannot take the nick meanwhile.
 */
@ExtendWith(VertxExtension.class)
@Timeout(30)
class RestartTest {

  @Test
  void restartOnANewPortIsReintroducedAndAnImpostorIsRefused(Vertx vertx, @TempDir Path dir) throws Exception {
    TestNet net = new TestNet(vertx, dir);
    RendezvousVerticle r = net.rendezvous(new JsonObject());
    Node alice = net.node("alice", r.port());
    JsonObject bobConfig = net.nodeConfig("bob", r.port());
    Node bob = net.node(bobConfig);
    alice.awaitPeer("bob", "direct-lan");
    String first = alice.send("before the restart");
    bob.awaitReceived("alice", "before the restart");
    alice.awaitDelivered(first, "bob");
    int oldPort = bob.port();

    await(bob.undeploy());
    alice.awaitPeer("bob", "gone");

    // The same install again (same dataDir), on whatever port the system gives now.
    Node bobAgain = net.node(bobConfig);
    bobAgain.events.await(Events.RENDEZVOUS_STATE, e -> "up".equals(e.getString("state")));
    JsonObject reconnected = alice.events.await(Events.PEER_STATE, e -> "bob".equals(e.getString("nick"))
      && "direct-lan".equals(e.getString("state")) && ("127.0.0.1:" + bobAgain.port()).equals(e.getString("address")));
    assertTrue(reconnected.getString("address").endsWith(":" + bobAgain.port()),
      "old port " + oldPort + ", new " + bobAgain.port() + ": " + reconnected);
    String hello = alice.send("welcome back");
    bobAgain.awaitReceived("alice", "welcome back");
    alice.awaitDelivered(hello, "bob");
    String back = bobAgain.send("glad to be back");
    alice.awaitReceived("bob", "glad to be back");
    bobAgain.awaitDelivered(back, "alice");

    // Another install (another dataDir, so another token) asks for the nick bob.
    JsonObject impostorConfig = net.nodeConfig("bob", r.port())
      .put("eventBusPrefix", "impostor")
      .put("dataDir", dir.resolve("impostor-data").toString());
    Node impostor = net.node(impostorConfig);
    JsonObject refused = impostor.events.await(Events.RENDEZVOUS_STATE, e -> e.getString("error") != null);
    assertEquals("down", refused.getString("state"));
    assertTrue(refused.getString("error").contains("bob"), refused.encode());
    assertTrue(impostor.events.matching(Events.RENDEZVOUS_STATE, e -> "up".equals(e.getString("state"))).isEmpty(),
      "the impostor was never registered");
    // Nobody was introduced to the impostor, and the real bob still chats.
    assertTrue(impostor.peers().getJsonArray("peers").isEmpty());
    String still = alice.send("are you the real bob?");
    bobAgain.awaitReceived("alice", "are you the real bob?");
    alice.awaitDelivered(still, "bob");
    assertTrue(impostor.events.all(Events.RECEIVED).isEmpty());
    assertEquals(3, alice.events.matching(Events.DELIVERED, e -> true).size());
  }
}
