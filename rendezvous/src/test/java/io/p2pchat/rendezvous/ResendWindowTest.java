package io.p2pchat.rendezvous;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The mailbox's resend window on a fake clock: sent again at 250 ms, 0.5 s, then every 1 s; dormant after
 * {@link Retransmits#MAX_TRIES} sends (no deadline, so no timer spins on a client that stopped acking) until a
 * keep-alive wakes it on a fresh schedule; never given up; an ack removes it and its bytes, a second ack or an
 * unknown id changes nothing.
 */
class ResendWindowTest {

  private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

  @Test
  void resentOnTheRetransmitScheduleThenDormantUntilAKeepAlive() {
    ResendWindow<String> w = new ResendWindow<>();
    long t0 = 1_000 * MS;
    w.add(7, "mail 7", 353, t0);
    assertEquals(t0 + 250 * MS, w.nextDeadline());
    assertEquals(List.of(), w.due(t0 + 249 * MS), "not before its deadline");
    List<Long> resentAt = new ArrayList<>();
    long now = t0;
    while (w.nextDeadline() != Long.MAX_VALUE) {
      now = w.nextDeadline();
      if (!w.due(now).isEmpty()) {
        resentAt.add((now - t0) / MS);
      }
    }
    // 11 sends after the first: 250, +500, then +1000 each; the 12th deadline makes it dormant.
    assertEquals(List.of(250L, 750L, 1750L, 2750L, 3750L, 4750L, 5750L, 6750L, 7750L, 8750L, 9750L), resentAt);
    assertEquals(Retransmits.MAX_TRIES - 1, w.resent());
    assertEquals(1, w.size(), "dormant, not given up");
    assertEquals(List.of("mail 7"), w.wake(now + 5_000 * MS), "a keep-alive sends it again");
    assertEquals(now + 5_000 * MS + 250 * MS, w.nextDeadline(), "on a fresh schedule");
    assertEquals(List.of(), w.wake(now + 6_000 * MS), "only dormant ones wake");
  }

  @Test
  void anAckRemovesItOnceAndAnUnknownIdChangesNothing() {
    ResendWindow<String> w = new ResendWindow<>();
    w.add(1, "a", 353, 0);
    w.add(2, "b", 609, 0);
    assertEquals(962, w.bytes());
    assertFalse(w.ack(3));
    assertTrue(w.ack(1));
    assertFalse(w.ack(1), "a repeated ack");
    assertEquals(1, w.size());
    assertEquals(609, w.bytes());
    assertThrows(IllegalStateException.class, () -> w.add(2, "b again", 609, 0));
  }
}
