package io.p2pchat.punch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.p2pchat.wire.RoomDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The client's side of reliable control: idempotent introductions and departures, and retried connects (fake clock). */
class ReliableControlClientTest {

  private static final long T0 = 5_000_000_000L;
  private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

  @Test
  void aReSentIntroductionChangesNothingAndANewOneIsActedOn() {
    RoomView view = new RoomView();
    assertTrue(view.introduced("bob", "b1", 7));
    assertFalse(view.introduced("bob", "b1", 7), "the same introduction again (a retransmission, a repair)");
    assertTrue(view.introduced("bob", "b1", 8), "a fresh introduction (after connect) is acted on");
    assertTrue(view.introduced("bob", "b2", 8), "bob restarted");
    assertEquals(1, view.size());
  }

  @Test
  void aReSentDepartureOrOneAboutAnEarlierProcessChangesNothing() {
    RoomView view = new RoomView();
    view.introduced("bob", "b2", 7);
    assertFalse(view.gone("bob", "b1"), "about bob's earlier process: the current bob stays");
    assertTrue(view.gone("bob", "b2"));
    assertFalse(view.gone("bob", "b2"), "already gone");
    assertFalse(view.gone("carol", null), "never introduced");
    assertEquals(0, view.size());
  }

  @Test
  void theViewDigestIsOrderIndependentAndFollowsDepartures() {
    RoomView a = new RoomView();
    a.introduced("bob", "b1", 1);
    a.introduced("carol", "c1", 2);
    RoomView b = new RoomView();
    b.introduced("carol", "c1", 5);
    b.introduced("bob", "b1", 6);
    assertEquals(a.digest(), b.digest(), "same members, other order and ids");
    assertEquals(new RoomDigest().add("carol", "c1").add("bob", "b1").text(), a.digest(), "what the rendezvous computes");
    a.introduced("bob", "b2", 3);
    assertNotEquals(b.digest(), a.digest(), "bob restarted: another member");
    a.gone("bob", "b2");
    assertEquals(new RoomDigest().add("carol", "c1").text(), a.digest());
    assertEquals(new RoomDigest().text(), new RoomView().digest());
  }

  @Test
  void aConnectIsRetriedWithBackOffUntilTheIntroductionComesOrItGivesUp() {
    ConnectRetries connects = new ConnectRetries();
    assertTrue(connects.asked("bob", T0));
    assertFalse(connects.asked("bob", T0 + MS), "one request per nick");
    List<Long> resent = new ArrayList<>();
    for (long now = T0; now <= T0 + TimeUnit.SECONDS.toNanos(20); now += MS) {
      if (!connects.due(now).isEmpty()) {
        resent.add((now - T0) / MS);
      }
    }
    // 250, 500, then 1000 ms apart: nine resends, ten sends in all.
    assertEquals(List.of(250L, 750L, 1750L, 2750L, 3750L, 4750L, 5750L, 6750L, 7750L), resent);
    assertFalse(connects.waiting("bob"), "given up");
    assertEquals(Long.MAX_VALUE, connects.nextDeadline(Long.MAX_VALUE));
  }

  @Test
  void anIntroductionOrUnknownNickStopsTheRetries() {
    ConnectRetries connects = new ConnectRetries();
    connects.asked("bob", T0);
    connects.asked("carol", T0 + 10 * MS);
    assertEquals(T0 + ConnectRetries.FIRST_RETRY_NANOS, connects.nextDeadline(Long.MAX_VALUE));
    connects.answered("bob");
    assertEquals(List.of(), connects.due(T0 + ConnectRetries.FIRST_RETRY_NANOS));
    assertEquals(List.of("carol"), connects.due(T0 + 10 * MS + ConnectRetries.FIRST_RETRY_NANOS));
    connects.answered("carol");
    assertEquals(T0, connects.nextDeadline(T0), "nothing waits: the link's own deadline");
  }
}
