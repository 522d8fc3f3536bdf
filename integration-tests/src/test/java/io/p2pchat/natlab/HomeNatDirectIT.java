package io.p2pchat.natlab;

import static io.p2pchat.natlab.ConsoleLines.DIRECT;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * (a) Two clients behind two port-preserving home NATs that drop unsolicited inbound: they must
 * punch a direct path between their public (reflexive) addresses and chat both ways over it.
 */
class HomeNatDirectIT extends NatLabScenario {

  @Test
  void twoHomeNatsPunchADirectPathAndChat(TestInfo info) {
    up("home", info);
    rendezvous("rdv");
    ConsoleProcess alice = client("alice", "alice");
    ConsoleProcess bob = client("bob", "bob");

    // rtA preserves alice's port 4000 on 203.0.113.21, rtB bob's on 203.0.113.22
    expectPaths(alice, bob, DIRECT, "203.0.113.22:4000", "203.0.113.21:4000");

    say(alice, "hello bob, this is alice behind rtA", bob);
    say(bob, "hi alice, bob here behind rtB", alice);
    alice.type("/msg bob just between us");
    bob.await(ConsoleLines.privateMessage("alice", "just between us"), MESSAGE_TIMEOUT);
  }
}
