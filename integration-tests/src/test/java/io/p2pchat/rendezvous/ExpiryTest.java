package io.p2pchat.rendezvous;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.p2pchat.node.TestNet;
import io.p2pchat.node.TestNet.Events;
import io.p2pchat.node.TestNet.Node;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Issue 3, test 4: a client that stops sending keep-alives is gone after the TTL, for everyone. */
@ExtendWith(VertxExtension.class)
@Timeout(30)
class ExpiryTest {

  /** Short, so the test is quick; twice the live node's keep-alive, so only the silent one expires. */
  private static final int TTL_SECONDS = 2;
  private static final int KEEP_ALIVE_SECONDS = 1;

  @Test
  void silentClientExpires(Vertx vertx, @TempDir Path dir) throws Exception {
    TestNet net = new TestNet(vertx, dir);
    RendezvousVerticle r = net.rendezvous(new JsonObject().put("ttlSeconds", TTL_SECONDS));
    Node alice = net.node(net.nodeConfig("alice", r.port()).put("keepAliveSeconds", KEEP_ALIVE_SECONDS));
    alice.events.await(Events.RENDEZVOUS_STATE, e -> "up".equals(e.getString("state")));
    try (RawUdp ghost = new RawUdp(); RawUdp nc = new RawUdp()) {
      long silentSince = System.nanoTime();
      JsonObject registered = ghost.register("ghost", "lobby", r.port());
      assertEquals(TTL_SECONDS, registered.getInteger("ttl"));
      // Alice is introduced to the ghost and starts punching; the ghost never answers, never keeps alive.
      alice.awaitPeer("ghost", "connecting");
      nc.sendText(RawUdp.padded("list"), r.port());
      assertEquals(List.of("alice", "ghost"), List.of(nc.receiveText().split("\n")));

      alice.awaitPeer("ghost", "gone");
      double waitedSeconds = (System.nanoTime() - silentSince) / 1e9;
      assertTrue(waitedSeconds >= TTL_SECONDS, "expired after only " + waitedSeconds + " s");
      nc.sendText(RawUdp.padded("list"), r.port());
      assertEquals(List.of("alice"), List.of(nc.receiveText().split("\n")), "the ghost is no longer listed");
      assertFalse(alice.peers().getJsonArray("peers").encode().contains("ghost"));
      // Alice, who kept alive, was never expired: she never saw the rendezvous go down.
      assertTrue(alice.events.matching(Events.RENDEZVOUS_STATE, e -> "down".equals(e.getString("state"))).isEmpty());
    }
  }
}
