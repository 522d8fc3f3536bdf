package io.p2pchat.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.p2pchat.mailbox.MailPlaintext;
import io.p2pchat.node.NodeOptions;
import io.p2pchat.punch.PunchEvent;
import io.p2pchat.punch.PunchEventBatch;
import io.p2pchat.wire.ChatPayload;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A peer's clock does not decide where its messages sit in history: alice's ChatVerticle, alone on a real Vert.x
 * context with a clock the test sets, is handed what PunchVerticle would hand it (live messages, mail) and lists and
 * publishes each with the sender's ts capped at its receipt plus {@link ChatVerticle#CLOCK_SKEW_ALLOWANCE_MS}.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ReceivedTimestampTest {

  /** Longest wait for one event: generous for a loaded 2-core machine, far under the test timeout. */
  private static final long WAIT_S = 20;
  /** The test clock's start, ms since the epoch: any fixed moment (2025-12-06) keeps the test repeatable. */
  private static final long T = 1_765_000_000_000L;
  /** A sender's clock a day ahead: far past any allowance for skew. */
  private static final long DAY_MS = TimeUnit.DAYS.toMillis(1);
  /** Mail picked up this long after it was written: far older than the allowance, which must not touch it. */
  private static final long HOURS_AGO_MS = TimeUnit.HOURS.toMillis(3);
  /** When the later messages come: past the capped ts of the one from the future, as a minute and more passed. */
  private static final long LATER = T + 2 * ChatVerticle.CLOCK_SKEW_ALLOWANCE_MS;
  /** The {@code held} number of a live message waiting for a pick-up (any non-zero). */
  private static final long HELD = 1;

  @TempDir
  Path dir;

  private Vertx vertx;
  private ChatAddresses addresses;
  private String room;
  private final AtomicLong now = new AtomicLong(T);
  private final BlockingQueue<JsonObject> received = new LinkedBlockingQueue<>();

  @BeforeEach
  void deploy(Vertx vertx) throws Exception {
    this.vertx = vertx;
    NodeOptions options = new NodeOptions(new JsonObject().put("nick", "alice").put("dataDir", dir.toString())
      .put("logDir", dir.toString()));
    addresses = new ChatAddresses(options.eventBusPrefix());
    room = options.room();
    await(vertx.eventBus().<JsonObject>consumer(addresses.received(), m -> received.add(m.body())).completion());
    await(vertx.deployVerticle(new ChatVerticle(options, now::get)));
  }

  @Test
  void aLiveMessageFromAClockADayAheadIsListedWhereItCameAmongLaterMessages() throws Exception {
    // bob's clock is a day ahead: one message shown at once, one held for a pick-up and shown after it.
    hand(new PunchEvent.Received("bob", payload(T + DAY_MS, "bob-1", "from a day ahead")),
      new PunchEvent.Received("bob", payload(T + DAY_MS, "bob-2", "held, from a day ahead"), HELD),
      new PunchEvent.Shown(HELD));
    JsonObject ahead = next();
    JsonObject held = next();
    now.set(LATER);
    hand(new PunchEvent.Received("carol", payload(LATER, "carol-1", "said two minutes later")));
    JsonObject later = next();

    for (JsonObject e : List.of(ahead, held)) {
      assertTrue(e.getLong("ts") <= T + ChatVerticle.CLOCK_SKEW_ALLOWANCE_MS,
        "chat.received's ts at most its receipt + the allowance: " + e.encode());
    }
    assertEquals(LATER, later.getLong("ts"), "a ts within the allowance is kept as sent");
    assertEquals(List.of("from a day ahead", "held, from a day ahead", "said two minutes later"),
      texts(history()), "listed in the order received, not below what was said after it");
    assertSameTs(history(), ahead, held, later);
  }

  @Test
  void mailKeepsAnOldTsAndMailFromAClockADayAheadIsCappedLikeALiveMessage() throws Exception {
    hand(new PunchEvent.Mail("bob", 1, MailPlaintext.chat("bob", "bob-1", room, T - HOURS_AGO_MS, 1,
        "left while you were away")),
      new PunchEvent.Mail("carol", 2, MailPlaintext.chat("carol", "carol-1", room, T + DAY_MS, 1,
        "left from a day ahead")));
    JsonObject old = next();
    JsonObject ahead = next();
    now.set(LATER);
    hand(new PunchEvent.Received("bob", payload(LATER, "bob-2", "said two minutes later")));
    JsonObject later = next();

    assertEquals(T - HOURS_AGO_MS, old.getLong("ts"), "an old ts is kept as sent: " + old.encode());
    assertTrue(ahead.getLong("ts") <= T + ChatVerticle.CLOCK_SKEW_ALLOWANCE_MS,
      "chat.received's ts at most its receipt + the allowance: " + ahead.encode());
    assertEquals(List.of("left while you were away", "left from a day ahead", "said two minutes later"),
      texts(history()), "listed in the order received, not below what was said after it");
    assertSameTs(history(), old, ahead, later);
  }

  /** A room message's payload as a peer's session delivers it. */
  private static byte[] payload(long ts, String id, String text) {
    return new ChatPayload(false, ts, id, text).encode();
  }

  /** Hands {@code events} to ChatVerticle as one turn of PunchVerticle's news. */
  private void hand(PunchEvent... events) {
    vertx.eventBus().publish(addresses.punchEvents(), new PunchEventBatch(List.of(events)));
  }

  /** The next {@code chat.received}. */
  private JsonObject next() throws InterruptedException {
    JsonObject e = received.poll(WAIT_S, TimeUnit.SECONDS);
    assertNotNull(e, "chat.received within " + WAIT_S + " s");
    return e;
  }

  private JsonArray history() throws Exception {
    return await(vertx.eventBus().<JsonObject>request(addresses.history(), null)).body().getJsonArray("messages");
  }

  private static List<String> texts(JsonArray messages) {
    List<String> texts = new ArrayList<>();
    for (int i = 0; i < messages.size(); i++) {
      texts.add(messages.getJsonObject(i).getString("text"));
    }
    return texts;
  }

  /** The history lists each message with the ts its {@code chat.received} had: every view agrees. */
  private static void assertSameTs(JsonArray history, JsonObject... events) {
    for (JsonObject e : events) {
      JsonObject listed = null;
      for (int i = 0; i < history.size(); i++) {
        if (history.getJsonObject(i).getString("id").equals(e.getString("id"))) {
          listed = history.getJsonObject(i);
        }
      }
      assertNotNull(listed, "in the history: " + e.encode());
      assertEquals(e.getLong("ts"), listed.getLong("ts"), "history and chat.received agree: " + listed.encode());
    }
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(WAIT_S, TimeUnit.SECONDS);
  }
}
