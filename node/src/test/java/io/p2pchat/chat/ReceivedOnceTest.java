package io.p2pchat.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.p2pchat.mailbox.MailPlaintext;
import io.p2pchat.punch.PunchEvent;
import io.p2pchat.wire.ChatPayload;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A live message handed over again is shown and recorded once per (conversation, sender, id), as mail is: its
 * sender sends it again when our acknowledgement was lost or came after it restarted, and a new session delivers the
 * copy as new. Alice's ChatVerticle is handed the copies as her PunchVerticle would hand them; after each copy a
 * message from the same sender follows, and the next {@code chat.received} must be that one, not the copy.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ReceivedOnceTest {

  /** The test clock, ms since the epoch: any fixed moment (2025-12-06) keeps the test repeatable. */
  private static final long T = 1_765_000_000_000L;
  /** The {@code held} numbers of live messages waiting for a pick-up (any non-zero, one each). */
  private static final long HELD = 1;
  private static final long HELD_AGAIN = 2;

  @TempDir
  Path dir;

  private HandedChat alice;

  @BeforeEach
  void deploy(Vertx vertx) throws Exception {
    alice = new HandedChat(vertx, dir, () -> T);
  }

  @Test
  void aLiveMessageHandedOverAgainIsShownAndRecordedOnce() throws Exception {
    alice.hand(received("bob-1"));
    assertEquals("bob-1", alice.next().getString("id"));
    alice.hand(received("bob-1"), received("bob-2")); // bob restarted without our ack and sends it again
    assertEquals("bob-2", alice.next().getString("id"), "the copy is not published again");
    alice.hand(received("bob-2"));
    alice.hand(received("bob-3"));
    assertEquals("bob-3", alice.next().getString("id"), "nor a copy in a turn of its own");
    assertEquals(List.of("bob-1", "bob-2", "bob-3"), HandedChat.field(alice.history(), "id"), "recorded once each");
  }

  @Test
  void aHeldCopyAndACopyOfAHeldMessageAreShownAndRecordedOnce() throws Exception {
    alice.hand(received("bob-1"), new PunchEvent.Received("bob", HandedChat.payload(T, "bob-1", "bob-1"), HELD),
      new PunchEvent.Shown(HELD));
    alice.hand(new PunchEvent.Received("bob", HandedChat.payload(T, "bob-2", "bob-2"), HELD_AGAIN), received("bob-2"),
      new PunchEvent.Shown(HELD_AGAIN), received("bob-3"));
    assertEquals(List.of("bob-1", "bob-2", "bob-3"),
      List.of(alice.next().getString("id"), alice.next().getString("id"), alice.next().getString("id")));
    assertEquals(List.of("bob-1", "bob-2", "bob-3"), HandedChat.field(alice.history(), "id"), "recorded once each");
  }

  @Test
  void aLiveCopyOfMailIsShownOnce() throws Exception {
    alice.hand(new PunchEvent.Mail("bob", 1, MailPlaintext.chat("bob", "bob-1", alice.room(), T, 1, "bob-1")));
    assertEquals("bob-1", alice.next().getString("id"));
    alice.hand(received("bob-1"), received("bob-2"));
    assertEquals("bob-2", alice.next().getString("id"), "the live copy of the mail is not published again");
    assertEquals(List.of("bob-1", "bob-2"), HandedChat.field(alice.history(), "id"));
  }

  @Test
  void aCopyAfterTheReceiverRestartedIsShownOnce() throws Exception {
    alice.hand(received("bob-1"));
    assertEquals("bob-1", alice.next().getString("id"));
    alice.restart(); // the history is read back from the journal
    alice.hand(received("bob-1"), received("bob-2"));
    assertEquals("bob-2", alice.next().getString("id"), "a copy of a message in the journal is not published");
    assertEquals(List.of("bob-1", "bob-2"), HandedChat.field(alice.history(), "id"));
  }

  /** Once per conversation and sender: the same id from another sender, or in another conversation, is another message. */
  @Test
  void theSameIdFromAnotherSenderOrInAnotherConversationIsShown() throws Exception {
    alice.hand(received("x-1"), new PunchEvent.Received("carol", HandedChat.payload(T, "x-1", "carol's")),
      new PunchEvent.Received("bob", new ChatPayload(true, T, "x-1", "bob's, to alice alone").encode()));
    List<JsonObject> shown = List.of(alice.next(), alice.next(), alice.next());
    assertEquals(List.of("bob", "carol", "bob"), shown.stream().map(e -> e.getString("from")).toList());
    assertEquals(List.of("x-1", "x-1", "x-1"), HandedChat.field(alice.history(), "id"));
  }

  /** Message {@code id} of bob's to the room, its text its id. */
  private static PunchEvent.Received received(String id) {
    return new PunchEvent.Received("bob", HandedChat.payload(T, id, id));
  }
}
