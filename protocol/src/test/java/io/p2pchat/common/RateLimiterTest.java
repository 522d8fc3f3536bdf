package io.p2pchat.common;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RateLimiterTest {

  private static final long SECOND = 1_000_000_000L;

  @Test
  void burstThenRateThenRefill() {
    RateLimiter limiter = new RateLimiter(20, 40, 100);
    long t = 5 * SECOND;
    for (int i = 0; i < 40; i++) {
      assertTrue(limiter.tryAcquire("a", t), "request " + i + " of the burst");
    }
    assertFalse(limiter.tryAcquire("a", t));
    assertTrue(limiter.tryAcquire("b", t), "another key has its own bucket");
    assertTrue(limiter.tryAcquire("a", t + SECOND / 20), "one request per 50 ms comes back");
    assertFalse(limiter.tryAcquire("a", t + SECOND / 20));
    int accepted = 0;
    for (long now = t + SECOND / 20; now < t + SECOND / 20 + 10 * SECOND; now += SECOND / 1000) {
      accepted += limiter.tryAcquire("a", now) ? 1 : 0;
    }
    assertTrue(accepted >= 199 && accepted <= 201, "20/s for 10 s: " + accepted);
    assertEquals(40, countBurst(limiter, "a", t + 100 * SECOND), "a quiet key is full again");
  }

  private static int countBurst(RateLimiter limiter, String key, long now) {
    int n = 0;
    while (limiter.tryAcquire(key, now)) {
      n++;
    }
    return n;
  }

  @Test
  void theMapIsBoundedWhateverTheNumberOfSources() {
    RateLimiter limiter = new RateLimiter(20, 40, 1000);
    for (int i = 0; i < 1_000_000; i++) {
      limiter.tryAcquire(i, i);
    }
    assertEquals(1000, limiter.size());
    assertEquals(999_000, limiter.evicted());
  }

  @Test
  void aBusySourceStaysTrackedWhileQuietOnesAreForgotten() {
    RateLimiter limiter = new RateLimiter(1, 1, 10);
    long t = SECOND;
    assertTrue(limiter.tryAcquire("busy", t));
    for (int i = 0; i < 100; i++) {
      limiter.tryAcquire("quiet" + i, t);
      assertFalse(limiter.tryAcquire("busy", t), "still limited after " + i + " other sources");
    }
  }

  /**
   * A source whose bucket is full again is forgotten as traffic flows (a missing key starts full, so
   * nothing changes for it), and one still booked is not: memory follows the sources active now.
   */
  @Test
  void fullBucketsAreForgottenAndBookedOnesKept() {
    RateLimiter limiter = new RateLimiter(20, 40, 100_000);
    long t = 5 * SECOND;
    assertEquals(40, countBurst(limiter, "busy", t), "busy spends its whole burst: booked for 2 s");
    for (int i = 0; i < 10_000; i++) {
      limiter.tryAcquire("client" + i, t); // one keep-alive each: full again 50 ms later
    }
    assertEquals(10_001, limiter.size());
    long oneSecondLater = t + SECOND;
    for (int i = 0; i < 100; i++) {
      limiter.tryAcquire("next" + (i % 10), oneSecondLater);
    }
    assertEquals(20, countBurst(limiter, "busy", oneSecondLater), "busy's booking was kept: half its burst came back");
    long threeSecondsLater = t + 3 * SECOND; // busy's bucket is full again too
    for (int i = 0; i < 10_000; i++) {
      limiter.tryAcquire("next" + (i % 10), threeSecondsLater + i);
    }
    assertEquals(10, limiter.size(), "only the 10 sources of now are tracked");
    assertEquals(0, limiter.evicted(), "nothing was forgotten for the bound");
  }
}
