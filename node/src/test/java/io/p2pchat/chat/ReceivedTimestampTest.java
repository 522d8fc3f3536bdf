package io.p2pchat.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.p2pchat.mailbox.MailPlaintext;
import io.p2pchat.punch.PunchEvent;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.util.List;
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

  private final AtomicLong now = new AtomicLong(T);
  private HandedChat alice;
  private String room;

  @BeforeEach
  void deploy(Vertx vertx) throws Exception {
    alice = new HandedChat(vertx, dir, now::get);
    room = alice.room();
  }

  @Test
  void aLiveMessageFromAClockADayAheadIsListedWhereItCameAmongLaterMessages() throws Exception {
    // bob's clock is a day ahead: one message shown at once, one held for a pick-up and shown after it.
    alice.hand(new PunchEvent.Received("bob", HandedChat.payload(T + DAY_MS, "bob-1", "from a day ahead")),
      new PunchEvent.Received("bob", HandedChat.payload(T + DAY_MS, "bob-2", "held, from a day ahead"), HELD),
      new PunchEvent.Shown(HELD));
    JsonObject ahead = alice.next();
    JsonObject held = alice.next();
    now.set(LATER);
    alice.hand(new PunchEvent.Received("carol", HandedChat.payload(LATER, "carol-1", "said two minutes later")));
    JsonObject later = alice.next();

    for (JsonObject e : List.of(ahead, held)) {
      assertTrue(e.getLong("ts") <= T + ChatVerticle.CLOCK_SKEW_ALLOWANCE_MS,
        "chat.received's ts at most its receipt + the allowance: " + e.encode());
    }
    assertEquals(LATER, later.getLong("ts"), "a ts within the allowance is kept as sent");
    assertEquals(List.of("from a day ahead", "held, from a day ahead", "said two minutes later"),
      HandedChat.field(alice.history(), "text"), "listed in the order received, not below what was said after it");
    assertSameTs(alice.history(), ahead, held, later);
  }

  @Test
  void mailKeepsAnOldTsAndMailFromAClockADayAheadIsCappedLikeALiveMessage() throws Exception {
    alice.hand(new PunchEvent.Mail("bob", 1, MailPlaintext.chat("bob", "bob-1", room, T - HOURS_AGO_MS, 1,
        "left while you were away")),
      new PunchEvent.Mail("carol", 2, MailPlaintext.chat("carol", "carol-1", room, T + DAY_MS, 1,
        "left from a day ahead")));
    JsonObject old = alice.next();
    JsonObject ahead = alice.next();
    now.set(LATER);
    alice.hand(new PunchEvent.Received("bob", HandedChat.payload(LATER, "bob-2", "said two minutes later")));
    JsonObject later = alice.next();

    assertEquals(T - HOURS_AGO_MS, old.getLong("ts"), "an old ts is kept as sent: " + old.encode());
    assertTrue(ahead.getLong("ts") <= T + ChatVerticle.CLOCK_SKEW_ALLOWANCE_MS,
      "chat.received's ts at most its receipt + the allowance: " + ahead.encode());
    assertEquals(List.of("left while you were away", "left from a day ahead", "said two minutes later"),
      HandedChat.field(alice.history(), "text"), "listed in the order received, not below what was said after it");
    assertSameTs(alice.history(), old, ahead, later);
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
}
