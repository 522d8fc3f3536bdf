package io.p2pchat.punch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.p2pchat.mailbox.MailPlaintext;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** MailOrder on a fake clock: what is held, when it is shown, and in which order. */
class MailOrderTest {

  private static final long T0 = 1_000_000_000L;

  private static MailPlaintext mail(String from, long counter) {
    return MailPlaintext.chat(from, from + counter, "room", 0, counter, from + " " + counter);
  }

  private static List<String> texts(List<MailOrder.Held<String>> released) {
    return released.stream().map(MailOrder.Held::value).toList();
  }

  private static List<MailOrder.Held<String>> add(MailOrder<String> order, String from, long counter, long now) {
    return order.add(from, mail(from, counter), from + " " + counter, now);
  }

  @Test
  void aLostOldestMessageIsShownBeforeItsSendersLaterOnesOnceThePickUpSettles() {
    MailOrder<String> order = new MailOrder<>();
    assertTrue(add(order, "alice", 12, T0).isEmpty(), "held");
    assertTrue(add(order, "bob", 5, T0 + 1).isEmpty());
    assertTrue(add(order, "alice", 13, T0 + 2).isEmpty());
    // alice's 11 was lost and comes again 250 ms later
    assertTrue(add(order, "alice", 11, T0 + 250_000_000L).isEmpty());
    long due = order.nextDueNanos();
    assertEquals(T0 + 250_000_000L + MailOrder.SETTLE_NANOS, due, "settles after the last new one");
    assertTrue(order.due(due - 1).isEmpty(), "not before");
    assertEquals(List.of("alice 11", "bob 5", "alice 12", "alice 13"), texts(order.due(due)),
      "alice's by counter in alice's slots, bob's where it came");
    assertEquals(-1, order.nextDueNanos(), "nothing held");
    assertEquals(0, order.outOfOrder());
  }

  @Test
  void aWholePickUpWindowIsShownAtOnce() {
    MailOrder<String> order = new MailOrder<>();
    List<String> expected = new ArrayList<>();
    for (int i = MailOrder.PICKUP_WINDOW; i > 1; i--) {
      assertTrue(add(order, "alice", i, T0).isEmpty());
    }
    for (int i = 1; i <= MailOrder.PICKUP_WINDOW; i++) {
      expected.add("alice " + i);
    }
    assertEquals(expected, texts(add(order, "alice", 1, T0)), "the window is all there: nothing earlier missing");
  }

  @Test
  void aSteadyTrickleIsHeldNoLongerThanTheBound() {
    MailOrder<String> order = new MailOrder<>();
    long step = MailOrder.SETTLE_NANOS / 2;
    long now = T0;
    int counter = 0;
    while (order.due(now).isEmpty()) {
      assertTrue(add(order, "alice", ++counter, now).isEmpty());
      now += step;
      assertTrue(now - T0 <= MailOrder.MAX_HOLD_NANOS + step, "released by the bound");
    }
    assertEquals(0, order.held());
  }

  @Test
  void oneArrivingAfterALaterOneWasShownIsShownAtOnceAndCounted() {
    MailOrder<String> order = new MailOrder<>();
    add(order, "alice", 2, T0);
    assertEquals(List.of("alice 2"), texts(order.due(order.nextDueNanos())));
    assertEquals(List.of("alice 1"), texts(add(order, "alice", 1, T0 + MailOrder.MAX_HOLD_NANOS)), "not held again");
    assertEquals(1, order.outOfOrder());
    assertTrue(add(order, "bob", 1, T0 + MailOrder.MAX_HOLD_NANOS).isEmpty(), "another sender: held as usual");
  }
}
