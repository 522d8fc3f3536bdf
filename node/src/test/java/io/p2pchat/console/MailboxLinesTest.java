package io.p2pchat.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Issue 17: the console says "queued" once per burst and sums up the receipts, never one line per message. */
class MailboxLinesTest {

  @Test
  void aBurstOfQueuedMessagesIsOneLine() {
    MailboxLines lines = new MailboxLines();
    List<String> printed = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      String line = lines.onQueued("m" + i, "bob");
      if (line != null) {
        printed.add(line);
      }
    }
    assertEquals(List.of("* bob is offline: queued at the rendezvous"), printed);
    assertEquals("* carol is offline: queued at the rendezvous", lines.onQueued("r1", "carol"), "each peer has its burst");
  }

  @Test
  void receiptsAreSummedUpPerPeerAndEndTheBurst() {
    MailboxLines lines = new MailboxLines();
    for (int i = 0; i < 100; i++) {
      lines.onQueued("m" + i, "bob");
    }
    lines.onQueued("c", "carol");
    for (int i = 0; i < 100; i++) {
      assertTrue(lines.onDelivered("m" + i, "bob"));
    }
    assertTrue(lines.onDelivered("c", "carol"));
    assertFalse(lines.onDelivered("m0", "bob"), "a repeated receipt counts once");
    assertFalse(lines.onDelivered("live", "bob"), "a message that never waited is not summed up");
    assertEquals(List.of("* bob picked up 100 queued messages", "* carol picked up 1 queued message"), list(lines.summary()));
    assertEquals(List.of(), list(lines.summary()), "each receipt is summed up once");
    assertEquals("* bob is offline: queued at the rendezvous", lines.onQueued("m100", "bob"), "a new burst is announced");
  }

  @Test
  void aPeerComingOnlineEndsTheBurstAndAFailureEndsTheWait() {
    MailboxLines lines = new MailboxLines();
    lines.onQueued("a", "bob");
    assertNull(lines.onQueued("b", "bob"));
    lines.onOnline("bob");
    assertEquals("* bob is offline: queued at the rendezvous", lines.onQueued("c", "bob"));
    lines.onFailed("a");
    assertFalse(lines.onDelivered("a", "bob"), "a failed message has no receipt to sum up");
  }

  private static List<String> list(Iterable<String> lines) {
    List<String> out = new ArrayList<>();
    lines.forEach(out::add);
    return out;
  }
}
