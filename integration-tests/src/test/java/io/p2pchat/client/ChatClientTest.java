package io.p2pchat.client;

import static io.p2pchat.node.TestNet.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.p2pchat.node.TestNet;
import io.p2pchat.rendezvous.RendezvousVerticle;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Issue 14: two nodes deployed and driven through the typed API only (ChatNode, ChatClient, the records). */
@ExtendWith(VertxExtension.class)
@Timeout(60)
class ChatClientTest {

  /** What a handler was given, in order; the test takes each with a deadline, never sleeping. */
  private static final class Recorded<T> {
    private final BlockingQueue<T> queue = new LinkedBlockingQueue<>();

    void add(T item) {
      queue.add(item);
    }

    T next() throws InterruptedException {
      T item = queue.poll(TestNet.WAIT_SECONDS, TimeUnit.SECONDS);
      assertNotNull(item, "nothing within " + TestNet.WAIT_SECONDS + " s");
      return item;
    }

    List<T> next(int n) throws InterruptedException {
      List<T> items = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        items.add(next());
      }
      return items;
    }
  }

  private static ChatNodeOptions options(TestNet net, String nick, int rendezvousPort) {
    return new ChatNodeOptions(net.nodeConfig(nick, rendezvousPort));
  }

  private static Throwable failure(Future<?> future) {
    return assertThrows(ExecutionException.class, () -> await(future)).getCause();
  }

  @Test
  void twoNodesChatThroughTheTypedApi(Vertx vertx, @TempDir Path dir) throws Exception {
    TestNet net = new TestNet(vertx, dir);
    RendezvousVerticle r = net.rendezvous(new JsonObject());
    ChatNode aliceNode = await(ChatNode.deploy(vertx, options(net, "alice", r.port())));
    ChatClient alice = aliceNode.client();
    Recorded<PeerState> alicePeers = new Recorded<>();
    Recorded<SentMessage> aliceSent = new Recorded<>();
    Recorded<Delivery> aliceDelivered = new Recorded<>();
    Recorded<DeliveryFailure> aliceFailed = new Recorded<>();
    alice.peerStateHandler(alicePeers::add).sentHandler(aliceSent::add).deliveredHandler(aliceDelivered::add)
      .failedHandler(aliceFailed::add);

    NodeInfo aliceInfo = await(alice.ready());
    assertTrue(aliceInfo.registered(), aliceInfo.toString());
    assertEquals("alice", aliceInfo.nick());
    assertEquals(ChatNodeOptions.DEFAULT_ROOM, aliceInfo.room());
    assertEquals("127.0.0.1:" + r.port(), aliceInfo.rendezvousAddress());
    assertNotNull(aliceInfo.fingerprint());

    ChatNode bobNode = await(ChatNode.deploy(vertx, options(net, "bob", r.port())));
    ChatClient bob = bobNode.client();
    Recorded<ReceivedMessage> bobReceived = new Recorded<>();
    bob.receivedHandler(bobReceived::add);
    assertTrue(await(bob.ready()).registered());

    PeerState bobSeen = await(alice.awaitPeer("bob"));
    assertEquals("bob", bobSeen.nick());
    assertTrue(bobSeen.reachable(), bobSeen.toString());
    assertEquals("127.0.0.1:" + bobNode.port(), bobSeen.address());
    await(bob.awaitPeer("alice"));
    // Already reachable: answered from the peer list at once.
    assertEquals("bob", await(alice.awaitPeer("bob")).nick());
    // The peer-state handler saw bob introduced, then reachable.
    assertEquals(PeerState.CONNECTING, alicePeers.next().state());
    PeerState reachable = alicePeers.next();
    assertEquals("bob", reachable.nick());
    assertTrue(reachable.reachable(), reachable.toString());

    String roomId = await(alice.send("hello room"));
    String directId = await(alice.send("bob", "just for you"));
    List<ReceivedMessage> atBob = bobReceived.next(2);
    assertEquals(new ReceivedMessage(roomId, "alice", null, "hello room", atBob.get(0).ts()), atBob.get(0));
    assertFalse(atBob.get(0).direct());
    assertEquals(new ReceivedMessage(directId, "alice", "bob", "just for you", atBob.get(1).ts()), atBob.get(1));
    assertTrue(atBob.get(1).direct());
    assertTrue(Math.abs(atBob.get(0).ts() - System.currentTimeMillis()) < 60_000, atBob.get(0).toString());
    assertEquals(Set.of(new Delivery(roomId, "bob"), new Delivery(directId, "bob")), Set.copyOf(aliceDelivered.next(2)));
    List<SentMessage> sent = aliceSent.next(2);
    assertEquals(new SentMessage(roomId, null, "hello room", sent.get(0).ts()), sent.get(0));
    assertEquals(new SentMessage(directId, "bob", "just for you", sent.get(1).ts()), sent.get(1));

    // Batches: the ids come back in order, the texts arrive in that order, each is delivered.
    List<String> directBatch = await(alice.send("bob", List.of("one", "two", "three")));
    List<String> roomBatch = await(alice.send(List.of("four", "five")));
    assertEquals(3, directBatch.size());
    assertEquals(2, roomBatch.size());
    List<String> ids = new ArrayList<>(directBatch);
    ids.addAll(roomBatch);
    assertEquals(5, Set.copyOf(ids).size(), ids.toString());
    List<ReceivedMessage> batchAtBob = bobReceived.next(5);
    assertEquals(ids, batchAtBob.stream().map(ReceivedMessage::id).toList());
    assertEquals(List.of("one", "two", "three", "four", "five"), batchAtBob.stream().map(ReceivedMessage::text).toList());
    assertEquals(List.of("bob", "bob", "bob"), batchAtBob.subList(0, 3).stream().map(ReceivedMessage::to).toList());
    assertNull(batchAtBob.get(3).to());
    assertEquals(Set.copyOf(ids), Set.copyOf(aliceDelivered.next(5).stream().map(Delivery::id).toList()));

    // Once each: the next messages bob gets are the two sent last, nothing of before in between.
    String lastRoom = await(alice.send("last in the room"));
    String lastDirect = await(alice.send("bob", "last for you"));
    assertEquals(Set.of(lastRoom, lastDirect), Set.copyOf(bobReceived.next(2).stream().map(ReceivedMessage::id).toList()));
    assertEquals(Set.of(lastRoom, lastDirect), Set.copyOf(aliceDelivered.next(2).stream().map(Delivery::id).toList()));

    // History: everything by default, the direct conversation with a peer, the last N.
    List<HistoryMessage> all = await(bob.history(HistoryQuery.all()));
    assertEquals(List.of("hello room", "just for you", "one", "two", "three", "four", "five", "last in the room",
      "last for you"), all.stream().map(HistoryMessage::text).toList());
    assertTrue(all.stream().allMatch(m -> m.incoming() && "alice".equals(m.from())), all.toString());
    assertEquals(List.of("just for you", "one", "two", "three", "last for you"),
      await(bob.history(HistoryQuery.with("alice"))).stream().map(HistoryMessage::text).toList());
    List<HistoryMessage> lastTwo = await(alice.history(HistoryQuery.all().limit(2)));
    assertEquals(List.of(lastRoom, lastDirect), lastTwo.stream().map(HistoryMessage::id).toList());
    assertTrue(lastTwo.stream().allMatch(m -> !m.incoming() && HistoryMessage.DELIVERED.equals(m.state())),
      lastTwo.toString());

    List<PeerInfo> peers = await(alice.peers());
    assertEquals(List.of("bob"), peers.stream().map(PeerInfo::nick).toList());
    assertTrue(peers.get(0).reachable(), peers.toString());
    assertNotNull(peers.get(0).fingerprint());
    assertEquals(new PeerInfo(peers.get(0).toJson()), peers.get(0));
    assertTrue(aliceFailed.queue.isEmpty(), aliceFailed.queue.toString());

    await(bobNode.undeploy());
    await(aliceNode.undeploy());
  }

  @Test
  void aRefusedRequestFailsWithTheNodesReplyException(Vertx vertx, @TempDir Path dir) throws Exception {
    TestNet net = new TestNet(vertx, dir);
    RendezvousVerticle r = net.rendezvous(new JsonObject());
    ChatClient alice = await(ChatNode.deploy(vertx, options(net, "alice", r.port()))).client();
    await(alice.ready());
    ReplyException unknown = assertInstanceOf(ReplyException.class, failure(alice.send("nobody", "hi")));
    assertEquals(404, unknown.failureCode());
    assertEquals("unknown nick: nobody", unknown.getMessage());
    assertEquals(400, assertInstanceOf(ReplyException.class, failure(alice.send("  "))).failureCode());
    assertEquals(400, assertInstanceOf(ReplyException.class, failure(alice.send(List.of()))).failureCode());
    assertEquals(413, assertInstanceOf(ReplyException.class, failure(alice.send("x".repeat(70_000)))).failureCode());
    assertTrue(await(alice.history(HistoryQuery.all())).isEmpty(), "nothing refused was sent");
  }

  @Test
  void readyWaitsForANodeDeployedLaterAndCloseEndsWhatIsPending(Vertx vertx, @TempDir Path dir) throws Exception {
    TestNet net = new TestNet(vertx, dir);
    RendezvousVerticle r = net.rendezvous(new JsonObject());
    ChatClient carol = ChatClient.create(vertx, "carol");
    Future<NodeInfo> ready = carol.ready();
    Future<PeerState> never = carol.awaitPeer("nobody");
    assertFalse(ready.isComplete());
    ChatNode node = await(ChatNode.deploy(vertx, options(net, "carol", r.port())));
    NodeInfo info = await(ready);
    assertEquals("carol", info.nick());
    assertTrue(info.registered(), info.toString());

    await(carol.close());
    assertEquals("client closed", assertInstanceOf(IllegalStateException.class, failure(never)).getMessage());
    assertInstanceOf(IllegalStateException.class, failure(carol.send("hi")));
    assertThrows(IllegalStateException.class, () -> carol.receivedHandler(m -> { }));
    // The node's own client is another one, still usable.
    assertEquals("carol", await(node.client().info()).nick());
  }
}
