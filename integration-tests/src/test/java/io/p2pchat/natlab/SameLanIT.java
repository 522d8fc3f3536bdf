package io.p2pchat.natlab;

import static io.p2pchat.natlab.ConsoleLines.DIRECT_LAN;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * (b) Two clients on one LAN behind one home router that does not hairpin: their public addresses
 * cannot reach each other, so they must find each other on their LAN (host) candidates.
 */
class SameLanIT extends NatLabScenario {

  @Test
  void neighboursBehindOneRouterTalkOverTheLan(TestInfo info) {
    up("lan", info);
    rendezvous("rdv");
    ConsoleProcess erin = client("erin", "erin");
    ConsoleProcess frank = client("frank", "frank");

    ConsoleProcess.Matched erinSeesFrank = expectPath(erin, "frank", DIRECT_LAN, "192.0.2.195:4000");
    ConsoleProcess.Matched frankSeesErin = expectPath(frank, "erin", DIRECT_LAN, "192.0.2.194:4000");
    reportPath(erin, "frank", erinSeesFrank, frank.startNanos());
    reportPath(frank, "erin", frankSeesErin, frank.startNanos());

    say(erin, "frank, lunch?", frank);
    say(frank, "sure erin", erin);
  }
}
