package io.p2pchat.control;

import static io.p2pchat.node.TestNet.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.p2pchat.node.TestNet;
import io.p2pchat.node.TestNet.Events;
import io.p2pchat.node.TestNet.Node;
import io.p2pchat.rendezvous.RendezvousVerticle;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.datagram.DatagramSocket;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15, the sealed control channel between nodes and a real rendezvous on loopback: forged and
 * replayed control from the rendezvous's address is dropped and counted while a chat goes on; a
 * changed or mismatching rendezvous key is refused and reported; a first start pins the key by itself.
 */
@ExtendWith(VertxExtension.class)
@Timeout(90)
class SealedControlTest {

  /** Polling step while waiting for a counter (the node's stats are read over the event bus). */
  private static final long POLL_MS = 50;
  /** alice's keep-alives to the rendezvous: one a second, so the restarted server hears from her at once. */
  private static final int KEEP_ALIVE_S = 1;
  /** Long enough that missed keep-alives cannot be what brings alice back within the bound. */
  private static final int DOWN_AFTER_S = 60;
  /** A keep-alive, the reset, a handshake and a registration on loopback: a few seconds on a loaded machine. */
  private static final int REREGISTER_BOUND_S = 10;

  @Test
  void forgedAndReplayedControlFromTheRendezvousAddressChangesNothing(Vertx vertx, @TempDir Path dir) throws Exception {
    TestNet net = new TestNet(vertx, dir);
    RendezvousVerticle r = net.rendezvous(new JsonObject());
    // alice reaches the rendezvous through a tap: to alice, the tap's address IS the rendezvous's.
    Tap tap = Tap.start(vertx, r.port());
    Node alice = net.node("alice", tap.port());
    Node bob = net.node("bob", r.port());
    alice.awaitPeer("bob", "direct-lan");
    bob.awaitPeer("alice", "direct-lan");
    alice.send("before");
    bob.awaitReceived("alice", "before");
    int aliceStates = alice.events.all(Events.PEER_STATE).size();
    JsonObject before = alice.stats().getJsonObject("drops");

    // Protocol 1's cleartext control, as an off-path spoofer of the rendezvous's address would send it.
    List<JsonObject> forged = CleartextForgeries.forms("bob", "mallory", "alice", "127.0.0.1:9");
    for (JsonObject m : forged) {
      await(tap.asRendezvous(io.p2pchat.wire.ControlCodec.encode(m, 1)));
    }
    // A genuine sealed control datagram alice already opened, sent to her again.
    Buffer genuine = tap.lastSealedFromRendezvous();
    assertNotNull(genuine, "the rendezvous sent alice sealed control");
    await(tap.asRendezvous(genuine));

    waitFor(() -> drops(alice, "unauthenticated") >= before.getLong("unauthenticated", 0L) + forged.size()
      && drops(alice, "replayed") >= before.getLong("replayed", 0L) + 1, "each forgery and the replay counted");
    // No path change, no departure, no new peer; the chat goes on both ways, each message once.
    assertEquals(aliceStates, alice.events.all(Events.PEER_STATE).size(), alice.events.all(Events.PEER_STATE).toString());
    JsonArray peers = alice.peers().getJsonArray("peers");
    assertEquals(1, peers.size(), peers.encode());
    assertEquals("direct-lan", peers.getJsonObject(0).getString("state"));
    assertEquals("127.0.0.1:" + bob.port(), peers.getJsonObject(0).getString("address"));
    String after = alice.send("after");
    bob.awaitReceived("alice", "after");
    alice.awaitDelivered(after, "bob");
    bob.send("still here");
    alice.awaitReceived("bob", "still here");
    assertEquals(1, bob.events.matching(Events.RECEIVED, e -> "after".equals(e.getString("text"))).size());
    assertTrue(alice.events.all(Events.FAILED).isEmpty(), alice.events.all(Events.FAILED).toString());
    assertTrue(alice.events.matching(Events.RENDEZVOUS_STATE, e -> !"up".equals(e.getString("state"))).isEmpty());
  }

  @Test
  void firstStartPinsTheKeyWithNothingTyped(Vertx vertx, @TempDir Path dir) throws Exception {
    TestNet net = new TestNet(vertx, dir);
    RendezvousVerticle r = net.rendezvous(new JsonObject());
    Node alice = net.node("alice", r.port());
    alice.events.await(Events.RENDEZVOUS_STATE, e -> "up".equals(e.getString("state")));
    Path known = dir.resolve("data-alice").resolve("known_servers");
    waitFor(() -> Files.exists(known), "known_servers written");
    String line = "127.0.0.1:" + r.port() + " " + r.identity().publicKeyText();
    waitFor(() -> read(known).contains(line), "the rendezvous's key remembered under its address");
    assertEquals(EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE),
      Files.getPosixFilePermissions(known));
    // The rendezvous's key file: created on first start, owner-only.
    assertEquals(EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE),
      Files.getPosixFilePermissions(dir.resolve("logs").resolve("rendezvous.key")));
    // A configured key, in either printed form, is used as is and not written down.
    Node bob = net.node(net.nodeConfig("bob", r.port()).put("rendezvous",
      new JsonObject().put("host", "127.0.0.1").put("port", r.port()).put("key", r.identity().fingerprint())));
    bob.events.await(Events.RENDEZVOUS_STATE, e -> "up".equals(e.getString("state")));
    assertFalse(Files.exists(dir.resolve("data-bob").resolve("known_servers")));
  }

  @Test
  void aRendezvousRestartedWithAnotherKeyIsRefused(Vertx vertx, @TempDir Path dir) throws Exception {
    TestNet net = new TestNet(vertx, dir);
    RendezvousVerticle first = net.rendezvous(new JsonObject());
    int port = first.port();
    JsonObject config = net.nodeConfig("alice", port);
    config.getJsonObject("rendezvous").put("downAfterSeconds", 3);
    Node alice = net.node(config);
    alice.events.await(Events.RENDEZVOUS_STATE, e -> "up".equals(e.getString("state")));
    waitFor(() -> Files.exists(dir.resolve("data-alice").resolve("known_servers")), "key pinned");
    await(vertx.undeploy(first.deploymentID()));
    // Same address, a new data directory: a new key, as an impostor or a careless re-install would have.
    RendezvousVerticle second = net.rendezvous(new JsonObject().put("port", port).put("dataDir", dir.resolve("other").toString()));
    JsonObject refused = alice.events.await(Events.RENDEZVOUS_STATE, e -> "key changed".equals(e.getString("reason")));
    assertEquals("down", refused.getString("state"));
    assertTrue(refused.getString("error").contains(second.identity().fingerprint()), refused.encode());
    assertEquals(0, net.rendezvousStats().getInteger("clients"), "no registration with the refused key");
  }

  /**
   * A rendezvous restarted with the same key file (an upgrade, a crash) has lost every session and
   * registration; its stateless reset, which only the holder of that key can make, brings the client
   * back at its next keep-alive. Without it, the client waits until keep-alives go unanswered for
   * {@code downAfterSeconds} (here a minute, and about 30 s before the first miss counts).
   */
  @Test
  void aRendezvousRestartedWithTheSameKeyIsRegisteredWithAgainAtItsResetNotAfterMissedKeepAlives(Vertx vertx,
      @TempDir Path dir) throws Exception {
    TestNet net = new TestNet(vertx, dir);
    JsonObject sameKey = new JsonObject().put("dataDir", dir.resolve("rdv").toString());
    RendezvousVerticle first = net.rendezvous(sameKey);
    int port = first.port();
    JsonObject config = net.nodeConfig("alice", port).put("keepAliveSeconds", KEEP_ALIVE_S);
    config.getJsonObject("rendezvous").put("downAfterSeconds", DOWN_AFTER_S);
    Node alice = net.node(config);
    alice.events.await(Events.RENDEZVOUS_STATE, e -> "up".equals(e.getString("state")));

    await(vertx.undeploy(first.deploymentID()));
    long restarted = System.nanoTime();
    RendezvousVerticle second = net.rendezvous(sameKey.copy().put("port", port));
    assertEquals(first.identity().fingerprint(), second.identity().fingerprint(), "the same key file");
    alice.events.awaitCount(Events.RENDEZVOUS_STATE, e -> "up".equals(e.getString("state")), 2);
    long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - restarted);
    assertTrue(tookMs < TimeUnit.SECONDS.toMillis(REREGISTER_BOUND_S), "registered again after " + tookMs + " ms");
    assertEquals(1, net.rendezvousStats().getInteger("clients"));
    List<JsonObject> downs = alice.events.matching(Events.RENDEZVOUS_STATE, e -> "down".equals(e.getString("state")));
    assertEquals(1, downs.size(), "one outage reported: " + downs);
  }

  @Test
  void aConfiguredKeyThatDoesNotMatchIsRefused(Vertx vertx, @TempDir Path dir) throws Exception {
    TestNet net = new TestNet(vertx, dir);
    RendezvousVerticle r = net.rendezvous(new JsonObject());
    String other = RendezvousIdentity.generate().publicKeyText();
    JsonObject config = net.nodeConfig("alice", r.port());
    config.getJsonObject("rendezvous").put("key", other);
    Node alice = net.node(config);
    JsonObject refused = alice.events.await(Events.RENDEZVOUS_STATE, e -> "key changed".equals(e.getString("reason")));
    assertTrue(refused.getString("error").contains("rendezvous.key"), refused.encode());
    assertEquals(0, net.rendezvousStats().getInteger("clients"));
    assertFalse(Files.exists(dir.resolve("data-alice").resolve("known_servers")));
  }

  private static long drops(Node node, String reason) {
    try {
      return node.stats().getJsonObject("drops").getLong(reason, 0L);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (Exception e) {
      return "";
    }
  }

  private static void waitFor(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TestNet.WAIT_SECONDS);
    while (!condition.getAsBoolean()) {
      assertTrue(System.nanoTime() < deadline, "timed out waiting: " + what);
      Thread.sleep(POLL_MS);
    }
  }

  /**
   * A UDP hop between one node and the rendezvous: forwards both ways, keeps the sealed control the
   * rendezvous sent, and sends datagrams to the node from the address the node knows as the rendezvous.
   */
  private static final class Tap {
    private final DatagramSocket front;
    private final DatagramSocket back;
    private final List<Buffer> sealed = new CopyOnWriteArrayList<>();
    private volatile SocketAddress node;

    private Tap(DatagramSocket front, DatagramSocket back) {
      this.front = front;
      this.back = back;
    }

    static Tap start(Vertx vertx, int rendezvousPort) throws Exception {
      Tap tap = new Tap(vertx.createDatagramSocket(), vertx.createDatagramSocket());
      tap.front.handler(p -> {
        tap.node = p.sender();
        tap.back.send(p.data(), rendezvousPort, "127.0.0.1");
      });
      tap.back.handler(p -> {
        Buffer data = p.data();
        if (data.length() > 1 && data.getByte(0) == ControlCodec.MAGIC && data.getByte(1) == ControlCodec.Type.SEALED.code()) {
          tap.sealed.add(data);
        }
        SocketAddress to = tap.node;
        if (to != null) {
          tap.front.send(data, to.port(), to.host());
        }
      });
      await(tap.front.listen(0, "127.0.0.1"));
      await(tap.back.listen(0, "127.0.0.1"));
      return tap;
    }

    int port() {
      return front.localAddress().port();
    }

    Future<Void> asRendezvous(Buffer data) {
      return front.send(data, node.port(), node.host());
    }

    Buffer lastSealedFromRendezvous() {
      return sealed.isEmpty() ? null : sealed.get(sealed.size() - 1);
    }
  }
}
