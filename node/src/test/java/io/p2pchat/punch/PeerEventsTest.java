package io.p2pchat.punch;

import static io.p2pchat.punch.PeerEvents.RTT_REFRESH_NANOS;
import static io.p2pchat.punch.PeerEvents.rttWorthPublishing;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * When a measured round trip is published again in {@code peer.state}: the page must follow a LAN round
 * trip that drifts by less than a quarter at a time (0.8 -> 0.95 ms), without a {@code peer.state} per pong.
 */
class PeerEventsTest {

  private static final long US = 1_000;

  private record Case(String name, long rtt, long shown, long shownAge, boolean published) {
  }

  @Test
  void aRoundTripIsPublishedOnALargeMoveAtOnceAndOnAVisibleOneOnceTheShownOneIsOld() {
    long fresh = 1_000_000_000L;
    for (Case c : new Case[] {
      new Case("no round trip measured", -1, 200 * US, RTT_REFRESH_NANOS, false),
      new Case("none shown yet", 200 * US, -1, 0, true),
      new Case("moved more than a quarter", 260 * US, 200 * US, fresh, true),
      new Case("moved a quarter, shown fresh", 250 * US, 200 * US, fresh, false),
      new Case("drift 0.8 -> 0.95 ms, shown fresh", 950 * US, 800 * US, fresh, false),
      new Case("drift 0.8 -> 0.95 ms, shown old: the page follows", 950 * US, 800 * US, RTT_REFRESH_NANOS, true),
      new Case("moved under what the page shows, shown old", 900 * US, 960 * US, RTT_REFRESH_NANOS, false),
      new Case("jitter under 0.1 ms, shown old", 240 * US, 200 * US, RTT_REFRESH_NANOS, false),
      new Case("WAN 40 ms drifting 5 ms, shown old", 45_000 * US, 40_000 * US, RTT_REFRESH_NANOS, true),
      new Case("WAN 40 ms drifting 5 ms, shown just under the refresh", 45_000 * US, 40_000 * US,
        RTT_REFRESH_NANOS - 1, false),
    }) {
      assertEquals(c.published, rttWorthPublishing(c.rtt, c.shown, c.shownAge), c.name);
    }
  }
}
