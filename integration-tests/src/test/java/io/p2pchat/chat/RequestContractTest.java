package io.p2pchat.chat;

import static io.p2pchat.node.TestNet.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.p2pchat.node.TestNet;
import io.p2pchat.node.TestNet.Events;
import io.p2pchat.node.TestNet.Node;
import io.p2pchat.rendezvous.RendezvousVerticle;
import io.vertx.core.Vertx;
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

/**
 * Issue 14, contracts: every request address of a node checks its body the same way (a JSON
 * object, known fields only, the right types), answering each refusal with its documented code and
 * message; a misspelled {@code to} sends nothing to anyone.
 */
@ExtendWith(VertxExtension.class)
@Timeout(60)
class RequestContractTest {

  /** Every request address of a node, relative to its prefix (the README table's requests). */
  private static final List<String> ADDRESSES =
    List.of("chat.send", "history", "peers", "node", "peer.accept", "netcheck", "punch.stats");
  /** The addresses whose every field may be left out: a null body is {@code {}} there. */
  private static final List<String> NULL_BODY_FINE = List.of("history", "peers", "node", "netcheck", "punch.stats");
  private static final String NICK_RULE = "(1 to 32 letters, digits, '_', '.' or '-')";

  /** A request and the refusal it must get. */
  private record Case(String address, Object body, int code, String message) {
  }

  @Test
  void everyRequestAddressRefusesBadBodiesWithItsCodeAndMessage(Vertx vertx, @TempDir Path dir) throws Exception {
    TestNet net = new TestNet(vertx, dir);
    RendezvousVerticle r = net.rendezvous(new JsonObject());
    Node alice = net.node("alice", r.port());
    Node bob = net.node("bob", r.port());
    alice.awaitPeer("bob", "direct-lan");

    List<Case> cases = new ArrayList<>();
    for (String address : ADDRESSES) {
      cases.add(new Case(address, "hello", 400, "body must be a JSON object (got a string)"));
      cases.add(new Case(address, 42, 400, "body must be a JSON object (got a number)"));
      cases.add(new Case(address, new JsonArray().add("hi"), 400, "body must be a JSON object (got an array)"));
      cases.add(new Case(address, new JsonObject().put("bogus", 1), 400, "unknown field 'bogus'"));
    }
    cases.add(new Case("chat.send", null, 400, "body must be a JSON object (got nothing)"));
    cases.add(new Case("peer.accept", null, 400, "body must be a JSON object (got nothing)"));
    cases.add(new Case("chat.send", new JsonObject().put("text", 5), 400, "text must be a string"));
    cases.add(new Case("chat.send", new JsonObject().putNull("text"), 400, "text must be a string"));
    cases.add(new Case("chat.send", new JsonObject().put("text", "hi").put("to", 7), 400, "to must be a nick " + NICK_RULE));
    cases.add(new Case("chat.send", new JsonObject().put("text", "hi").put("to", "bob smith"), 400, "to must be a nick " + NICK_RULE));
    cases.add(new Case("chat.send", new JsonObject().put("texts", "hi"), 400, "texts must be an array of 1 to 1000 strings"));
    cases.add(new Case("chat.send", new JsonObject().put("texts", new JsonArray()), 400, "texts must be an array of 1 to 1000 strings"));
    cases.add(new Case("chat.send", new JsonObject().put("texts", new JsonArray().add("a").add(2)), 400, "texts[1] must be a string"));
    cases.add(new Case("chat.send", new JsonObject(), 400, "text or texts is required"));
    cases.add(new Case("chat.send", new JsonObject().put("text", "a").put("texts", new JsonArray().add("b")), 400,
      "give text or texts, not both"));
    cases.add(new Case("chat.send", new JsonObject().put("text", "  "), 400, "empty text: nothing to send"));
    cases.add(new Case("chat.send", new JsonObject().put("texts", new JsonArray().add("a").add(" ")), 400,
      "texts[1]: empty text: nothing to send"));
    cases.add(new Case("chat.send", new JsonObject().put("text", "hi").put("to", "alice"), 400, "that is you: pick another peer"));
    cases.add(new Case("chat.send", new JsonObject().put("text", "hi").put("to", "nobody"), 404, "unknown nick: nobody"));
    cases.add(new Case("chat.send", new JsonObject().put("text", "x".repeat(70_000)), 413,
      "text of 70000 bytes is longer than 65236"));
    cases.add(new Case("history", new JsonObject().put("limit", 0), 400, "limit must be a positive integer"));
    cases.add(new Case("history", new JsonObject().put("limit", "10"), 400, "limit must be a positive integer"));
    cases.add(new Case("history", new JsonObject().put("peer", 3), 400, "peer must be a nick " + NICK_RULE));
    cases.add(new Case("peer.accept", new JsonObject(), 400, "nick is required"));
    cases.add(new Case("peer.accept", new JsonObject().put("nick", false), 400, "nick must be a nick " + NICK_RULE));
    cases.add(new Case("peer.accept", new JsonObject().put("nick", "carol"), 400, "fingerprint is required"));
    cases.add(new Case("peer.accept", new JsonObject().put("nick", "carol").put("fingerprint", 7), 400,
      "fingerprint must be a string"));
    cases.add(new Case("peer.accept", new JsonObject().put("nick", "carol").put("fingerprint", "1a2b 3c4d"), 404,
      "no changed key waiting for carol"));
    cases.add(new Case("peers", new JsonObject().put("verbose", true), 400, "unknown field 'verbose'"));

    for (Case c : cases) {
      String what = c.address + " " + c.body;
      try {
        await(vertx.eventBus().request(alice.prefix + "." + c.address, c.body));
        fail("accepted: " + what);
      } catch (ExecutionException e) {
        ReplyException refusal = (ReplyException) e.getCause();
        assertEquals(c.code, refusal.failureCode(), what + ": " + refusal.getMessage());
        assertEquals(c.message, refusal.getMessage(), what);
      }
    }
    // Where every field is optional, nothing is a fine body; and {} is fine everywhere it takes no field.
    for (String address : NULL_BODY_FINE) {
      assertTrue(await(vertx.eventBus().<JsonObject>request(alice.prefix + "." + address, null)).body() != null, address);
      assertTrue(await(vertx.eventBus().<JsonObject>request(alice.prefix + "." + address, new JsonObject())).body() != null,
        address);
    }
    // Every refused chat.send sent nothing: no chat.sent event, no history line, nothing at bob.
    String marker = alice.sendTo("bob", "the only message");
    bob.awaitReceived("alice", "the only message");
    assertEquals(List.of(marker), alice.events.all(Events.SENT).stream().map(e -> e.getString("id")).toList());
    assertEquals(1, bob.events.all(Events.RECEIVED).size(), bob.events.all(Events.RECEIVED).toString());
    JsonArray history = alice.history();
    assertEquals(1, history.size(), history.encodePrettily());
  }

  @Test
  void aMisspelledToIsRefusedAndNothingIsSent(Vertx vertx, @TempDir Path dir) throws Exception {
    TestNet net = new TestNet(vertx, dir);
    RendezvousVerticle r = net.rendezvous(new JsonObject());
    Node alice = net.node("alice", r.port());
    Node bob = net.node("bob", r.port());
    Node carol = net.node("carol", r.port());
    alice.awaitPeer("bob", "direct-lan");
    alice.awaitPeer("carol", "direct-lan");

    try {
      alice.send(new JsonObject().put("text", "for bob only").put("ot", "bob"));
      fail("a misspelled 'to' was accepted");
    } catch (ExecutionException e) {
      ReplyException refusal = (ReplyException) e.getCause();
      assertEquals(400, refusal.failureCode());
      assertEquals("unknown field 'ot'", refusal.getMessage());
    }
    // Each peer's stream is in order: once the next room message arrived, an earlier leak would have too.
    String next = alice.send("for everyone");
    bob.awaitReceived("alice", "for everyone");
    carol.awaitReceived("alice", "for everyone");
    for (Node peer : List.of(bob, carol)) {
      assertEquals(List.of("for everyone"),
        peer.events.all(Events.RECEIVED).stream().map(e -> e.getString("text")).toList(), peer.nick);
    }
    assertEquals(List.of(next), alice.events.all(Events.SENT).stream().map(e -> e.getString("id")).toList());
    JsonArray history = alice.history();
    assertEquals(1, history.size(), history.encodePrettily());
    assertEquals("for everyone", history.getJsonObject(0).getString("text"));
  }
}
