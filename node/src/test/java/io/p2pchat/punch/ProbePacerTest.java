package io.p2pchat.punch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.p2pchat.wire.Endpoint;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/** What the probe pacer lets out: bytes per destination per window, probes per second overall. Fake clock. */
class ProbePacerTest {

  private static final int PROBE = 80;
  private static final long MS = 1_000_000L;
  private static final Endpoint VICTIM = new Endpoint("192.0.2.77", 9);

  @Test
  void noDestinationGetsMoreThanItsBudgetPerWindow() {
    ProbePacer pacer = new ProbePacer();
    long sent = 0;
    for (int i = 0; i < 1000; i++) {
      if (pacer.tryTake(VICTIM, PROBE, i * MS)) {
        sent += PROBE;
      }
    }
    assertTrue(sent <= ProbePacer.DESTINATION_BYTES_PER_WINDOW, sent + " bytes in one window");
    assertTrue(pacer.tryTake(new Endpoint("192.0.2.78", 9), PROBE, 1000 * MS), "another destination is not affected");
    assertTrue(pacer.tryTake(VICTIM, PROBE, ProbePacer.DESTINATION_WINDOW_NANOS), "the next window has a budget again");
    assertEquals(1000 - sent / PROBE, pacer.toJson().getLong("overDestination"));
  }

  @Test
  void aLegitimatePunchWindowFitsTheBudget() {
    ProbePacer pacer = new ProbePacer();
    // 8 rounds to the same address named as two kinds, and 8 answers: 24 probes.
    for (int i = 0; i < 24; i++) {
      assertTrue(pacer.tryTake(VICTIM, 100, i * 200 * MS), "probe " + i);
    }
  }

  @Test
  void theGlobalRateHoldsAcrossDestinations() {
    ProbePacer pacer = new ProbePacer();
    int sent = 0;
    for (int i = 0; i < 2 * ProbePacer.BURST_PROBES; i++) {
      if (pacer.tryTake(new Endpoint("10.0." + (i / 250) + "." + (i % 250), 9), PROBE, 0)) {
        sent++;
      }
    }
    assertEquals(ProbePacer.BURST_PROBES, sent, "a burst at one instant");
    assertFalse(pacer.tryTake(new Endpoint("10.9.9.9", 9), PROBE, 0));
    assertTrue(pacer.tryTake(new Endpoint("10.9.9.9", 9), PROBE, 1_000_000_000L / ProbePacer.PROBES_PER_SECOND));
    assertEquals(new JsonObject().put("overDestination", 0L).put("overRate", ProbePacer.BURST_PROBES + 1L), pacer.toJson());
  }
}
