package io.p2pchat.rendezvous;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.p2pchat.wire.Endpoint;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The relay budget as one long per registration (GCRA): a bucket of one second's bytes, full at
 * registration, refilled at the rate, never holding more than one second; time passed in, no sockets.
 */
class RelayBudgetTest {
  private static final long SECOND = 1_000_000_000L;
  private static final int RATE = 1200;

  private final RelayBudget budget = new RelayBudget(RATE);

  private static Registration client(long nowNanos) {
    return new Registration("alice", "lobby", new byte[32], "i1", new Endpoint("192.0.2.1", 4000), List.of(),
      7, null, nowNanos);
  }

  @Test
  void aNewClientHasOneSecondOfBytesAndNoMore() {
    long t = -5 * SECOND; // System.nanoTime() may be negative: only differences count
    Registration r = client(t);
    assertTrue(budget.tryTake(r, RATE, t), "a full bucket at registration");
    assertFalse(budget.tryTake(r, 1, t), "spent");
  }

  @Test
  void itRefillsAtTheRateAndIdleTimeDoesNotAccumulate() {
    long t = 3 * SECOND;
    Registration r = client(t);
    assertTrue(budget.tryTake(r, RATE, t));
    assertFalse(budget.tryTake(r, RATE / 2 + 12, t + SECOND / 2), "half a second refills half the bytes, not more");
    assertTrue(budget.tryTake(r, RATE / 2, t + SECOND / 2));
    long later = t + 3600 * SECOND; // an hour idle: still one second's bytes, not an hour's
    assertTrue(budget.tryTake(r, RATE, later));
    assertFalse(budget.tryTake(r, 1, later));
  }

  @Test
  void aRefusedTakeSpendsNothing() {
    long t = 0;
    Registration r = client(t);
    assertFalse(budget.tryTake(r, RATE + 1, t), "more than a second's bytes never fit");
    assertTrue(budget.tryTake(r, RATE, t), "the refusal took nothing");
  }
}
