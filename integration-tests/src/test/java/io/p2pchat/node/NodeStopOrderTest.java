package io.p2pchat.node;

import static io.p2pchat.node.TestNet.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.read.ListAppender;
import io.p2pchat.chat.ChatAddresses;
import io.p2pchat.chat.FailureCodes;
import io.p2pchat.client.ChatClient;
import io.p2pchat.delivery.DeliveryOptions;
import io.p2pchat.history.HistoryOptions;
import io.p2pchat.node.TestNet.Events;
import io.p2pchat.node.TestNet.Node;
import io.p2pchat.punch.PunchEvent;
import io.p2pchat.punch.PunchEventBatch;
import io.p2pchat.rendezvous.RendezvousVerticle;
import io.p2pchat.wire.ChatPayload;
import io.p2pchat.wire.WireException;
import io.vertx.core.AsyncResult;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryContext;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * A node stops in order: its front ends, then PunchVerticle, then ChatVerticle (ChatNodeVerticle's comment). What
 * PunchVerticle hands over while it still runs reaches ChatVerticle and its journal; a message the node acknowledged
 * to its sender is in its history after a restart. Vert.x used to undeploy the node's verticles all at once:
 * ChatVerticle's journal closed and its {@code punch.events} consumer gone while PunchVerticle still received,
 * acknowledged and handed over. A {@code chat.send} while the node stops is answered: accepted (and in the history
 * after a restart) or refused as unavailable, never left unanswered with nothing sent.
 */
@ExtendWith(VertxExtension.class)
@Timeout(300)
class NodeStopOrderTest {

  /** Texts per {@code chat.send} request of a flood. */
  private static final int BATCH = 25;
  /** Requests of a flood in flight at once: enough that a receiver's turn often hands over dozens of messages. */
  private static final int OUTSTANDING = 4;
  /**
   * Messages one node sends in one flood: both directions of a conversation within the 500 a history keeps per
   * conversation ({@code HistoryOptions.DEFAULT_RECENT_PER_CONVERSATION}), so the history shows all of them.
   */
  private static final int FLOOD_MESSAGES = 200;
  /**
   * Messages the held hand-over carries at least: as many as make the receiver acknowledge at once
   * ({@link DeliveryOptions#DEFAULT_ACK_EVERY_FRAGMENTS}, one fragment each), so the sender hears they were
   * delivered before the receiver stops.
   */
  private static final int HELD_MESSAGES = DeliveryOptions.DEFAULT_ACK_EVERY_FRAGMENTS;
  /**
   * How long PunchVerticle's event loop is held at its hand-over while the node is undeployed, unless
   * ChatVerticle's addresses go away first: a stop of ChatVerticle (its journal closed on a worker) takes
   * milliseconds, so the old order had it gone well within this; under Vert.x's blocked-thread warning (2 s).
   */
  private static final long HOLD_MS = 1_000;
  /** How often the test asks whether ChatVerticle's addresses are still served while PunchVerticle is held. */
  private static final long ASK_EVERY_MS = 10;
  /**
   * Rounds of two nodes closed at once: the old order dropped or failed a hand-over in most rounds (more than half
   * of 20 on a 2-core machine); twenty make a pass of the old order unlikely.
   */
  private static final int CLOSE_ROUNDS = 20;
  /**
   * Clients sending one message after another while their node stops, each waiting {@link #PACE_MS} between an
   * answer and its next send: a few hundred sends a second, so dozens fall within the stop (PunchVerticle's goodbyes,
   * socket and files, then ChatVerticle's journal: milliseconds each), and the few accepted before it begins stay
   * well within the 500 a conversation's history keeps ({@code HistoryOptions.DEFAULT_RECENT_PER_CONVERSATION}).
   */
  private static final int SENDERS = 8;
  private static final long PACE_MS = 1;
  /** Sends accepted before the node is undeployed: the clients are under way. */
  private static final int ACCEPTED_BEFORE = 10;
  /**
   * Longest wait for the answer to one send: a stop takes well under a second (at most {@code BYE_FLUSH_MS}, 1 s, for
   * the goodbyes); one not answered by then is left unanswered (the event bus would wait 30 s).
   */
  private static final long ANSWER_SECONDS = 10;

  private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
  private Logger root;

  @BeforeEach
  void listen() {
    root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    logged.start();
    root.addAppender(logged);
  }

  @AfterEach
  void stopListening() {
    root.detachAppender(logged);
    logged.stop();
  }

  /**
   * Deterministic: PunchVerticle's event loop is held at the moment it hands ChatVerticle at least
   * {@link #HELD_MESSAGES} received messages, and the node is undeployed meanwhile. Released when ChatVerticle's
   * addresses are gone (the old order: at once) or after {@link #HOLD_MS} (the new order: ChatVerticle waits for
   * PunchVerticle). Then PunchVerticle acknowledges them to alice and stops. After a restart bob's history has every
   * one of them. The old order acknowledged them and dropped them (no consumer any more): alice said delivered, bob
   * never had them.
   */
  @Test
  void whatTheTransportHandsOverAsTheNodeStopsIsInTheHistoryAfterARestart(Vertx vertx, @TempDir Path dir)
    throws Exception {
    AliceAndBob pair = AliceAndBob.connected(vertx, dir);
    Node alice = pair.alice();
    Node bob = pair.bob();
    ChatAddresses bobs = new ChatAddresses("bob");

    List<String> held = new ArrayList<>();
    AtomicBoolean inHold = new AtomicBoolean();
    CountDownLatch holding = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    AtomicBoolean armed = new AtomicBoolean(true);
    Handler<DeliveryContext<Object>> hold = delivery -> {
      if (delivery.message().address().equals(bobs.punchEvents()) && armed.get()
          && delivery.body() instanceof PunchEventBatch batch) {
        List<String> ids = receivedIds(batch);
        if (ids.size() >= HELD_MESSAGES && armed.compareAndSet(true, false)) {
          held.addAll(ids);
          inHold.set(true);
          holding.countDown();
          try {
            release.await(HOLD_MS, TimeUnit.MILLISECONDS); // on PunchVerticle's event loop: it is busy, as under load
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          inHold.set(false);
        }
      }
      delivery.next();
    };
    vertx.eventBus().addOutboundInterceptor(hold);
    try {
      AtomicBoolean stopFlood = new AtomicBoolean();
      flood(vertx, "alice", "bob", stopFlood);
      assertTrue(holding.await(TestNet.WAIT_SECONDS, TimeUnit.SECONDS),
        "a turn of bob's PunchVerticle handed over " + HELD_MESSAGES + " messages");
      var undeployed = bob.undeploy();
      boolean chatAnsweredWhileHeld = false;
      long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(HOLD_MS);
      while (System.nanoTime() < until) {
        if (!served(vertx, bobs.history())) {
          break;
        }
        chatAnsweredWhileHeld |= inHold.get();
        TimeUnit.MILLISECONDS.sleep(ASK_EVERY_MS); // no event says a consumer went away: asked again, bounded
      }
      release.countDown();
      await(undeployed);
      stopFlood.set(true);
      assertTrue(chatAnsweredWhileHeld, "bob's ChatVerticle answered while his PunchVerticle was held (they run"
        + " on two event loops; else this test proves nothing)");

      pair.net().node("bob", pair.rendezvous().port()); // bob again, on his data directory
      Set<String> kept = ids(history(vertx, "bob", "alice"));
      Set<String> deliveredToBob = ids(alice.events.matching(Events.DELIVERED, e -> "bob".equals(e.getString("peer"))));
      List<String> missing = held.stream().filter(id -> !kept.contains(id)).toList();
      assertEquals(List.of(), missing, "handed over as bob stopped, not in his history after a restart; of them alice"
        + " was told delivered: " + missing.stream().filter(deliveredToBob::contains).toList());
      Set<String> lost = new HashSet<>(deliveredToBob);
      lost.removeAll(kept);
      assertEquals(Set.of(), lost, "delivered to bob per alice, not in his history after a restart");
      assertEquals(List.of(), dropped(), "hand-overs dropped or failed");
    } finally {
      vertx.eventBus().removeOutboundInterceptor(hold);
    }
  }

  /**
   * Two nodes of one Vert.x flooding each other when it closes, {@link #CLOSE_ROUNDS} times: no hand-over from a
   * PunchVerticle is dropped or fails at a closed journal, and after a restart each history has every message its
   * peer was told delivered.
   */
  @Test
  void twoNodesClosedAtOnceDuringAFloodDropNothing(Vertx vertx, @TempDir Path dir) throws Exception {
    TestNet net = new TestNet(vertx, dir);
    RendezvousVerticle r = net.rendezvous(new JsonObject());
    for (int round = 1; round <= CLOSE_ROUNDS; round++) {
      String a = "ann" + round;
      String b = "ben" + round;
      Vertx both = Vertx.vertx();
      TestNet inBoth = new TestNet(both, dir);
      Node ann = inBoth.node(a, r.port());
      Node ben = inBoth.node(b, r.port());
      TestNet.awaitDirectLan(ann, ben);
      AtomicBoolean stopFlood = new AtomicBoolean();
      flood(both, a, b, stopFlood);
      flood(both, b, a, stopFlood);
      ann.events.awaitCount(Events.RECEIVED, e -> true, BATCH);
      ben.events.awaitCount(Events.RECEIVED, e -> true, BATCH);
      await(both.close());
      stopFlood.set(true);

      Set<String> deliveredToBen = ids(ann.events.matching(Events.DELIVERED, e -> b.equals(e.getString("peer"))));
      Set<String> deliveredToAnn = ids(ben.events.matching(Events.DELIVERED, e -> a.equals(e.getString("peer"))));
      Node annAgain = net.node(a, r.port());
      Node benAgain = net.node(b, r.port());
      Set<String> lostToBen = new HashSet<>(deliveredToBen);
      lostToBen.removeAll(ids(history(vertx, b, a)));
      Set<String> lostToAnn = new HashSet<>(deliveredToAnn);
      lostToAnn.removeAll(ids(history(vertx, a, b)));
      assertEquals(List.of(), dropped(), "round " + round + ": hand-overs dropped or failed");
      assertEquals(Set.of(), lostToBen, "round " + round + ": delivered per " + a + ", not in " + b + "'s history");
      assertEquals(Set.of(), lostToAnn, "round " + round + ": delivered per " + b + ", not in " + a + "'s history");
      await(annAgain.undeploy());
      await(benAgain.undeploy());
    }
  }

  /**
   * {@link #SENDERS} typed clients send to bob through alice, one message after another, while alice is undeployed:
   * each send is accepted, and then in her history after a restart, or refused as unavailable
   * ({@link FailureCodes#UNAVAILABLE}, the node is stopping), until her {@code chat.send} is gone (Vert.x's
   * {@code NO_HANDLERS}). None is left unanswered: ChatVerticle served {@code chat.send} after PunchVerticle had
   * stopped, handed what it accepted to no one, and never answered.
   */
  @Test
  void everySendWhileTheNodeStopsIsAcceptedAndKeptOrRefusedAsUnavailable(Vertx vertx, @TempDir Path dir)
    throws Exception {
    AliceAndBob pair = AliceAndBob.connected(vertx, dir);
    ChatClient client = ChatClient.create(vertx, "alice");
    SendOutcomes outcomes = new SendOutcomes();
    for (int i = 0; i < SENDERS; i++) {
      sendUntilGone(vertx, client, "client " + i, 1, outcomes);
    }
    assertTrue(outcomes.acceptedBefore.await(TestNet.WAIT_SECONDS, TimeUnit.SECONDS),
      ACCEPTED_BEFORE + " sends accepted before the undeploy");
    var undeployed = pair.alice().undeploy();
    assertTrue(outcomes.ended.await(TestNet.WAIT_SECONDS + ANSWER_SECONDS, TimeUnit.SECONDS),
      "every client's last send answered");
    await(undeployed);

    assertEquals(List.of(), outcomes.others(), "sends neither accepted nor refused as unavailable (a timeout:"
      + " left unanswered)");
    assertTrue(outcomes.unavailable.get() > 0, "sends refused as the node stopped (else this test proves nothing); "
      + outcomes.accepted().size() + " accepted");
    List<String> accepted = outcomes.accepted();
    assertTrue(accepted.size() <= HistoryOptions.DEFAULT_RECENT_PER_CONVERSATION,
      accepted.size() + " accepted: more than a history keeps, so not all can be checked");
    pair.net().node("alice", pair.rendezvous().port()); // alice again, on her data directory
    Set<String> kept = ids(await(vertx.eventBus().<JsonObject>request(new ChatAddresses("alice").history(),
      new JsonObject().put("peer", "bob").put("limit", HistoryOptions.DEFAULT_RECENT_PER_CONVERSATION)))
      .body().getJsonArray("messages"));
    assertEquals(List.of(), accepted.stream().filter(id -> !kept.contains(id)).toList(),
      "accepted as alice stopped, not in her history after a restart");
  }

  /** A rendezvous, and alice and bob on a direct LAN path. */
  private record AliceAndBob(TestNet net, RendezvousVerticle rendezvous, Node alice, Node bob) {
    static AliceAndBob connected(Vertx vertx, Path dir) throws Exception {
      TestNet net = new TestNet(vertx, dir);
      RendezvousVerticle r = net.rendezvous(new JsonObject());
      Node alice = net.node("alice", r.port());
      Node bob = net.node("bob", r.port());
      TestNet.awaitDirectLan(alice, bob);
      return new AliceAndBob(net, r, alice, bob);
    }
  }

  /** What the clients of {@link #everySendWhileTheNodeStopsIsAcceptedAndKeptOrRefusedAsUnavailable} were answered. */
  private static final class SendOutcomes {
    private final List<String> accepted = new ArrayList<>();
    private final AtomicInteger unavailable = new AtomicInteger();
    private final List<String> others = new ArrayList<>();
    private final CountDownLatch acceptedBefore = new CountDownLatch(ACCEPTED_BEFORE);
    private final CountDownLatch ended = new CountDownLatch(SENDERS);

    synchronized List<String> accepted() {
      return List.copyOf(accepted);
    }

    synchronized List<String> others() {
      return List.copyOf(others);
    }

    /** True while the client should send again: its send was accepted or refused as unavailable. */
    synchronized boolean answered(AsyncResult<String> answer) {
      if (answer.succeeded()) {
        accepted.add(answer.result());
        acceptedBefore.countDown();
        return true;
      }
      if (answer.cause() instanceof ReplyException reply && reply.failureType() == ReplyFailure.RECIPIENT_FAILURE
          && reply.failureCode() == FailureCodes.UNAVAILABLE) {
        unavailable.incrementAndGet();
        return true;
      }
      if (!(answer.cause() instanceof ReplyException reply && reply.failureType() == ReplyFailure.NO_HANDLERS)) {
        others.add(String.valueOf(answer.cause())); // NO_HANDLERS: alice's chat.send is gone, as it should be at last
      }
      ended.countDown();
      return false;
    }
  }

  /** Sends message {@code n} of {@code sender} to bob, the next one {@link #PACE_MS} after its answer. */
  private static void sendUntilGone(Vertx vertx, ChatClient client, String sender, int n, SendOutcomes outcomes) {
    client.send("bob", sender + " " + n).timeout(ANSWER_SECONDS, TimeUnit.SECONDS).onComplete(answer -> {
      if (outcomes.answered(answer)) {
        vertx.setTimer(PACE_MS, t -> sendUntilGone(vertx, client, sender, n + 1, outcomes));
      }
    });
  }

  /**
   * Keeps {@link #OUTSTANDING} requests of {@link #BATCH} texts from {@code from} to {@code to} in flight, up to
   * {@link #FLOOD_MESSAGES} texts, until {@code stop} is set or a request fails (the peer left, the node stopped).
   */
  private static void flood(Vertx vertx, String from, String to, AtomicBoolean stop) {
    AtomicInteger sent = new AtomicInteger();
    for (int i = 0; i < OUTSTANDING; i++) {
      sendNext(vertx, from, to, stop, sent);
    }
  }

  private static void sendNext(Vertx vertx, String from, String to, AtomicBoolean stop, AtomicInteger sent) {
    int first = sent.getAndAdd(BATCH);
    if (stop.get() || first >= FLOOD_MESSAGES) {
      return;
    }
    JsonArray texts = new JsonArray();
    for (int i = 1; i <= BATCH; i++) {
      texts.add(from + " " + (first + i));
    }
    vertx.eventBus().<JsonObject>request(new ChatAddresses(from).send(), new JsonObject().put("to", to).put("texts", texts))
      .onSuccess(ok -> sendNext(vertx, from, to, stop, sent));
  }

  /** The ids of the chat messages received in {@code batch}. */
  private static List<String> receivedIds(PunchEventBatch batch) {
    List<String> ids = new ArrayList<>();
    for (PunchEvent event : batch.events()) {
      if (event instanceof PunchEvent.Received received) {
        try {
          ids.add(ChatPayload.decode(received.payload()).id());
        } catch (WireException e) {
          throw new AssertionError("alice's own payload does not decode", e);
        }
      }
    }
    return ids;
  }

  /** Node {@code nick}'s whole conversation with {@code peer}: both floods fit ({@link #FLOOD_MESSAGES}). */
  private static JsonArray history(Vertx vertx, String nick, String peer) throws Exception {
    return await(vertx.eventBus().<JsonObject>request(new ChatAddresses(nick).history(),
      new JsonObject().put("peer", peer).put("limit", 2 * FLOOD_MESSAGES))).body().getJsonArray("messages");
  }

  /** Whether {@code address} has a consumer: false once a request finds none. */
  private static boolean served(Vertx vertx, String address) throws Exception {
    try {
      await(vertx.eventBus().request(address, null));
      return true;
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof ReplyException reply && reply.failureType() == ReplyFailure.NO_HANDLERS) {
        return false;
      }
      throw e;
    }
  }

  private static Set<String> ids(List<JsonObject> messages) {
    Set<String> ids = new HashSet<>();
    messages.forEach(m -> ids.add(m.getString("id")));
    return ids;
  }

  private static Set<String> ids(JsonArray messages) {
    List<JsonObject> list = new ArrayList<>();
    messages.forEach(m -> list.add((JsonObject) m));
    return ids(list);
  }

  /**
   * What the log says went wrong with a hand-over to ChatVerticle so far, and forgets it: Vert.x discarding a
   * {@code punch.events} message whose consumer went away before it ran, or ChatVerticle handling one after its
   * journal closed.
   */
  private List<String> dropped() {
    List<ILoggingEvent> events;
    synchronized (logged) { // ListAppender appends holding its own lock
      events = List.copyOf(logged.list);
      logged.list.clear();
    }
    List<String> dropped = new ArrayList<>();
    for (ILoggingEvent event : events) {
      String message = event.getFormattedMessage();
      IThrowableProxy thrown = event.getThrowableProxy();
      if (message.startsWith("Discarding message") && message.endsWith(".punch.events")
          || thrown != null && String.valueOf(thrown.getMessage()).contains("history store closed")) {
        dropped.add(message + (thrown == null ? "" : ": " + thrown.getMessage()));
      }
    }
    return dropped;
  }
}
