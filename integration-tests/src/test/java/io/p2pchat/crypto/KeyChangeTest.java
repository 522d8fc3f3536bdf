package io.p2pchat.crypto;

import io.p2pchat.node.ChatNodeVerticle;
import io.p2pchat.node.TestNet;
import io.p2pchat.rendezvous.RendezvousVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * Trust on first use: when "bob" comes back with another key, alice refuses him loudly (event,
 * log) and nothing she sends reaches him, until she accepts the new key; then the chat goes on.
 */
class KeyChangeTest {

  private static final long TIMEOUT_S = 60;
  private final Vertx vertx = Vertx.vertx();

  @TempDir
  Path dir;

  @AfterEach
  void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @Test
  void aChangedKeyIsRefusedUntilTheUserAcceptsExactlyTheKeyTheyCompared() throws Exception {
    TestNet net = new TestNet(vertx, dir);
    RendezvousVerticle rendezvous = net.rendezvous(new JsonObject());
    CompletableFuture<String> firstKey = new CompletableFuture<>();
    BlockingQueue<JsonObject> alerts = new LinkedBlockingQueue<>();
    CompletableFuture<String> acceptedKey = new CompletableFuture<>();
    vertx.eventBus().<JsonObject>consumer("alice.peer.state", m -> {
      String fingerprint = m.body().getString("fingerprint");
      if (fingerprint != null && !firstKey.complete(fingerprint) && !fingerprint.equals(firstKey.getNow(null))) {
        acceptedKey.complete(fingerprint);
      }
    });
    vertx.eventBus().<JsonObject>consumer("alice.peer.untrusted", m -> alerts.add(m.body()));
    CompletableFuture<String> bobHeard = new CompletableFuture<>();
    vertx.eventBus().<JsonObject>consumer("bob.chat.received", m -> bobHeard.complete(m.body().getString("text")));

    await(vertx.deployVerticle(new ChatNodeVerticle(), new DeploymentOptions().setConfig(node("alice", rendezvous.port(), "alice.key"))));
    String bob = await(vertx.deployVerticle(new ChatNodeVerticle(),
      new DeploymentOptions().setConfig(node("bob", rendezvous.port(), "bob.key"))));
    String original = firstKey.get(TIMEOUT_S, TimeUnit.SECONDS);

    // bob leaves and someone comes back as "bob" with another key.
    await(vertx.undeploy(bob));
    String impostor = await(vertx.deployVerticle(new ChatNodeVerticle(),
      new DeploymentOptions().setConfig(node("bob", rendezvous.port(), "impostor.key"))));
    JsonObject warning = alerts.poll(TIMEOUT_S, TimeUnit.SECONDS);
    assertEquals("bob", warning.getString("nick"));
    assertEquals(original, warning.getString("knownFingerprint"));
    assertNotEquals(original, warning.getString("fingerprint"));

    // Until accepted, no session with the new key.
    JsonObject peers = await(vertx.eventBus().<JsonObject>request("alice.peers", new JsonObject())).body();
    assertFalse(peers.encode().contains(warning.getString("fingerprint")), "no session with the new key: " + peers);

    // The key changes again before the user accepts: a second alert, for the second key.
    await(vertx.undeploy(impostor));
    await(vertx.deployVerticle(new ChatNodeVerticle(),
      new DeploymentOptions().setConfig(node("bob", rendezvous.port(), "another.key"))));
    JsonObject second = alerts.poll(TIMEOUT_S, TimeUnit.SECONDS);
    assertNotNull(second, "a different key raises its own alert");
    assertNotEquals(warning.getString("fingerprint"), second.getString("fingerprint"));

    // A message to bob now is accepted for delivery but reaches nobody until the key is accepted.
    await(vertx.eventBus().request("alice.chat.send", new JsonObject().put("text", "are you bob?")));
    assertFalse(bobHeard.isDone(), "nothing reached the refused key");

    // Accepting the fingerprint compared first does not accept the key now waiting.
    ReplyException stale = assertThrows(ReplyException.class, () -> {
      try {
        await(vertx.eventBus().request("alice.peer.accept",
          new JsonObject().put("nick", "bob").put("fingerprint", warning.getString("fingerprint"))));
      } catch (ExecutionException e) {
        throw e.getCause();
      }
    });
    assertEquals(409, stale.failureCode(), stale.getMessage());
    assertFalse(acceptedKey.isDone(), "no session after a stale fingerprint");

    // The fingerprint of the key waiting, typed without its spaces, is accepted.
    String typed = second.getString("fingerprint").replace(" ", "").toUpperCase();
    await(vertx.eventBus().request("alice.peer.accept", new JsonObject().put("nick", "bob").put("fingerprint", typed)));
    assertEquals(second.getString("fingerprint"), acceptedKey.get(TIMEOUT_S, TimeUnit.SECONDS));
    assertEquals("are you bob?", bobHeard.get(TIMEOUT_S, TimeUnit.SECONDS), "held messages arrive once trusted");
  }

  private JsonObject node(String nick, int rendezvousPort, String keyFile) {
    return new TestNet(vertx, dir).nodeConfig(nick, rendezvousPort).put("keyFile", dir.resolve(keyFile).toString());
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(TIMEOUT_S, TimeUnit.SECONDS);
  }
}
