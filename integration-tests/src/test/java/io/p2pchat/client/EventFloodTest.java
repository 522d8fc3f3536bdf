package io.p2pchat.client;

import static io.p2pchat.node.TestNet.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.p2pchat.chat.ChatAddresses;
import io.p2pchat.chat.LocalEventBatch;
import io.p2pchat.node.TestNet;
import io.p2pchat.rendezvous.RendezvousVerticle;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 20: the per-message events are cheaper, never missing. A flood of 100,000 messages from alice to bob;
 * an application subscribed through the typed API ({@link ChatClient}, which rides the batched forms: its
 * per-message handlers and its batch handlers) and one subscribed to the raw per-message addresses each get every {@code chat.sent} and {@code chat.delivered} of
 * alice and every {@code chat.received} of bob: received in the order sent, sent in the order of the ids the
 * requests returned, each delivery once, and both applications the same events in the same order.
 */
@ExtendWith(VertxExtension.class)
@Timeout(300)
class EventFloodTest {

  /** The flood. */
  private static final int MESSAGES = 100_000;
  /** The flood with per-message events off: enough turns for any per-message event to show. */
  private static final int PER_MESSAGE_OFF_MESSAGES = 10_000;
  /** Texts per {@code chat.send} request: the batch form's largest. */
  private static final int BATCH = 1_000;
  /** Requests not yet answered: 4,000 messages, well under a peer's send queue of 10,000. */
  private static final int OUTSTANDING = 4;
  /** Base of the order hashes (a prime): ids folded in another order give another hash. */
  private static final long HASH_BASE = 1_000_003;
  /** How long the whole flood may take to be delivered on a loaded 2-core machine. */
  private static final long FLOOD_SECONDS = 240;

  /**
   * One application's view of one kind of event: counts, checks the order it expects, and folds every id in
   * arrival order into a hash, so two applications can be compared without keeping 100,000 events.
   */
  private static final class Seen {
    private final String what;
    private long count;
    private long orderHash;
    private long nextText;
    private String problem;

    Seen(String what) {
      this.what = what;
    }

    /** Any event of this kind: its id; {@code text} is checked to be {@code f<n>} in sequence when not null. */
    synchronized void add(String id, String text) {
      count++;
      orderHash = orderHash * HASH_BASE + id.hashCode();
      if (text != null && problem == null && !text.equals("f" + nextText++)) {
        problem = what + ": event " + count + " is '" + text + "', expected 'f" + (nextText - 1) + "'";
      }
      notifyAll();
    }

    /** Waits until {@code n} events came; asserts no event was out of sequence. */
    synchronized void awaitCount(long n) throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(FLOOD_SECONDS);
      while (count < n && System.nanoTime() < deadline) {
        wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
      }
      assertTrue(count >= n, what + ": " + count + " of " + n + " events within " + FLOOD_SECONDS + " s");
      assertEquals(null, problem);
    }

    synchronized long count() {
      return count;
    }

    synchronized long orderHash() {
      return orderHash;
    }
  }

  @Test
  void typedAndRawSubscribersGetEveryEventOfAFlood(Vertx vertx, @TempDir Path dir) throws Exception {
    TestNet net = new TestNet(vertx, dir);
    RendezvousVerticle r = net.rendezvous(new JsonObject());
    ChatNode aliceNode = await(ChatNode.deploy(vertx, new ChatNodeOptions(net.nodeConfig("alice", r.port()))));
    ChatNode bobNode = await(ChatNode.deploy(vertx, new ChatNodeOptions(net.nodeConfig("bob", r.port()))));

    // The typed application: its own clients, as any verticle of the Vert.x instance makes them.
    ChatClient aliceApp = ChatClient.create(vertx, "alice");
    ChatClient bobApp = ChatClient.create(vertx, "bob");
    Seen typedSent = new Seen("typed chat.sent");
    Seen typedDelivered = new Seen("typed chat.delivered");
    Seen typedReceived = new Seen("typed chat.received");
    aliceApp.sentHandler(m -> typedSent.add(m.id(), m.text()))
      .deliveredHandler(d -> typedDelivered.add(d.id(), null));
    bobApp.receivedHandler(m -> typedReceived.add(m.id(), m.text()));
    // The same through the batch handlers: a list per node turn.
    Seen listSent = new Seen("typed chat.sent.batch");
    Seen listDelivered = new Seen("typed chat.delivered.batch");
    Seen listReceived = new Seen("typed chat.received.batch");
    aliceApp.sentBatchHandler(list -> list.forEach(m -> listSent.add(m.id(), m.text())))
      .deliveredBatchHandler(list -> list.forEach(d -> listDelivered.add(d.id(), null)));
    bobApp.receivedBatchHandler(list -> list.forEach(m -> listReceived.add(m.id(), m.text())));

    // The raw application: consumers of the per-message addresses themselves.
    ChatAddresses alice = new ChatAddresses("alice");
    ChatAddresses bob = new ChatAddresses("bob");
    Seen rawSent = new Seen("raw chat.sent");
    Seen rawDelivered = new Seen("raw chat.delivered");
    Seen rawReceived = new Seen("raw chat.received");
    await(vertx.eventBus().<JsonObject>consumer(alice.sent(),
      m -> rawSent.add(m.body().getString("id"), m.body().getString("text"))).completion());
    await(vertx.eventBus().<JsonObject>consumer(alice.delivered(),
      m -> rawDelivered.add(m.body().getString("id"), null)).completion());
    await(vertx.eventBus().<JsonObject>consumer(bob.received(),
      m -> rawReceived.add(m.body().getString("id"), m.body().getString("text"))).completion());

    // The typed clients ride the in-process batches (the node's own Vert.x instance is not clustered): a spy on
    // bob's, and on his public batch, both on one context, so a turn's in-process batch reaches it before the
    // public batch of that turn (the node publishes them in that order).
    Seen localReceived = new Seen("in-process chat.received.batch.local");
    Seen publicBatches = new Seen("public chat.received.batch events");
    Context spies = vertx.getOrCreateContext();
    CompletableFuture<Void> spying = new CompletableFuture<>();
    spies.runOnContext(v -> Future.all(
        vertx.eventBus().<LocalEventBatch>localConsumer(bob.receivedLocal(), m -> m.body().events()
          .forEach(e -> localReceived.add(((JsonObject) e).getString("id"), ((JsonObject) e).getString("text"))))
          .completion(),
        vertx.eventBus().<JsonObject>consumer(bob.receivedBatch(), m -> m.body().getJsonArray(ChatAddresses.BATCH_EVENTS)
          .forEach(e -> publicBatches.add(((JsonObject) e).getString("id"), null))).completion())
      .onComplete(done -> spying.complete(null)));
    spying.get(TestNet.WAIT_SECONDS, TimeUnit.SECONDS);

    await(aliceNode.client().awaitPeer("bob"));
    await(bobNode.client().awaitPeer("alice"));

    List<String> ids = flood(aliceNode.client(), MESSAGES);

    List<Seen> all = List.of(typedSent, rawSent, listSent, typedReceived, rawReceived, listReceived,
      typedDelivered, rawDelivered, listDelivered);
    for (Seen seen : all) {
      seen.awaitCount(MESSAGES);
    }
    long sentInIdOrder = 0;
    for (String id : ids) {
      sentInIdOrder = sentInIdOrder * HASH_BASE + id.hashCode();
    }
    assertEquals(sentInIdOrder, typedSent.orderHash(), "typed chat.sent in the order of the ids");
    assertEquals(sentInIdOrder, rawSent.orderHash(), "raw chat.sent in the order of the ids");
    assertEquals(sentInIdOrder, listSent.orderHash(), "batched chat.sent in the order of the ids");
    assertEquals(rawReceived.orderHash(), listReceived.orderHash(), "the same chat.received batched");
    assertEquals(rawDelivered.orderHash(), listDelivered.orderHash(), "the same chat.delivered batched");
    assertEquals(rawReceived.orderHash(), typedReceived.orderHash(), "the same chat.received, in the same order");
    assertEquals(rawDelivered.orderHash(), typedDelivered.orderHash(), "the same chat.delivered, in the same order");
    // Nothing twice: one more message after the flood was all delivered; when its events came, each
    // application had exactly one event per message.
    assertEquals(1, await(aliceNode.client().send("bob", List.of("f" + MESSAGES))).size());
    for (Seen seen : all) {
      seen.awaitCount(MESSAGES + 1);
      assertEquals(MESSAGES + 1, seen.count(), seen.what);
    }
    localReceived.awaitCount(MESSAGES + 1);
    assertEquals(rawReceived.orderHash(), localReceived.orderHash(), "the in-process batches carried every chat.received");

    // With no typed client left listening, the node publishes no in-process batch: the next turn's public batch
    // comes, and the in-process one did not come before it.
    await(aliceApp.close());
    await(bobApp.close());
    publicBatches.awaitCount(MESSAGES + 1);
    assertEquals(1, await(aliceNode.client().send("bob", List.of("f" + (MESSAGES + 1)))).size());
    publicBatches.awaitCount(MESSAGES + 2);
    assertEquals(MESSAGES + 1, localReceived.count(), "an in-process batch with no typed client listening");
  }

  /**
   * {@code events.perMessage: false}: nothing on the per-message addresses, and the typed API still gets every
   * event (its handlers ride the batched forms).
   */
  @Test
  void withPerMessageEventsOffTheTypedApiStillGetsEveryEvent(Vertx vertx, @TempDir Path dir) throws Exception {
    TestNet net = new TestNet(vertx, dir);
    RendezvousVerticle r = net.rendezvous(new JsonObject());
    ChatNode aliceNode = await(ChatNode.deploy(vertx,
      new ChatNodeOptions(net.nodeConfig("alice", r.port())).setEventsPerMessage(false)));
    ChatNode bobNode = await(ChatNode.deploy(vertx,
      new ChatNodeOptions(net.nodeConfig("bob", r.port())).setEventsPerMessage(false)));
    Seen typedSent = new Seen("typed chat.sent");
    Seen typedDelivered = new Seen("typed chat.delivered");
    Seen typedReceived = new Seen("typed chat.received");
    ChatClient.create(vertx, "alice").sentHandler(m -> typedSent.add(m.id(), m.text()))
      .deliveredHandler(d -> typedDelivered.add(d.id(), null));
    ChatClient.create(vertx, "bob").receivedHandler(m -> typedReceived.add(m.id(), m.text()));
    Seen rawSent = new Seen("raw chat.sent");
    Seen rawReceived = new Seen("raw chat.received");
    await(vertx.eventBus().<JsonObject>consumer(new ChatAddresses("alice").sent(),
      m -> rawSent.add(m.body().getString("id"), m.body().getString("text"))).completion());
    await(vertx.eventBus().<JsonObject>consumer(new ChatAddresses("bob").received(),
      m -> rawReceived.add(m.body().getString("id"), m.body().getString("text"))).completion());
    await(aliceNode.client().awaitPeer("bob"));
    await(bobNode.client().awaitPeer("alice"));

    flood(aliceNode.client(), PER_MESSAGE_OFF_MESSAGES);

    for (Seen seen : List.of(typedSent, typedDelivered, typedReceived)) {
      seen.awaitCount(PER_MESSAGE_OFF_MESSAGES);
    }
    // Published per message, these would have come before the batches' ends.
    assertEquals(0, rawSent.count(), "events.perMessage false: no chat.sent per message");
    assertEquals(0, rawReceived.count(), "events.perMessage false: no chat.received per message");
  }

  /** Sends f0 … f(n-1) to bob in batches, {@link #OUTSTANDING} requests at a time; the ids in order. */
  private static List<String> flood(ChatClient chat, int messages) throws Exception {
    Semaphore window = new Semaphore(OUTSTANDING);
    List<List<String>> batches = new ArrayList<>();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    for (int from = 0; from < messages; from += BATCH) {
      assertTrue(window.tryAcquire(TestNet.WAIT_SECONDS * 3, TimeUnit.SECONDS), "a send request answered in time");
      if (failure.get() != null) {
        throw new AssertionError("send refused", failure.get());
      }
      List<String> texts = new ArrayList<>(BATCH);
      for (int i = from; i < from + BATCH; i++) {
        texts.add("f" + i);
      }
      int index = batches.size();
      batches.add(null);
      chat.send("bob", texts).onComplete(result -> {
        if (result.succeeded()) {
          synchronized (batches) {
            batches.set(index, result.result());
          }
        } else {
          failure.compareAndSet(null, result.cause());
        }
        window.release();
      });
    }
    assertTrue(window.tryAcquire(OUTSTANDING, TestNet.WAIT_SECONDS * 3, TimeUnit.SECONDS), "every request answered");
    if (failure.get() != null) {
      throw new AssertionError("send refused", failure.get());
    }
    List<String> ids = new ArrayList<>(messages);
    synchronized (batches) {
      batches.forEach(ids::addAll);
    }
    return ids;
  }
}
