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
}
