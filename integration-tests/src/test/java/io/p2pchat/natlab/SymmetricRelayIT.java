package io.p2pchat.natlab;

import static io.p2pchat.natlab.ConsoleLines.RELAYED;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * (c) A client behind a symmetric NAT (a new public port per destination) and one behind a home
 * NAT: no direct path can be punched without port prediction, so the rendezvous must relay, and
 * the user must still chat both ways.
 */
class SymmetricRelayIT extends NatLabScenario {

  @Test
  void symmetricNatFallsBackToTheRelay(TestInfo info) {
    up("sym", info);
    rendezvous("rdv");
    ConsoleProcess alice = client("alice", "alice");
    ConsoleProcess dave = client("dave", "dave");

    expectPaths(alice, dave, RELAYED, null, null);

    say(alice, "dave, can you hear me through the relay?", dave);
    say(dave, "loud and clear, alice", alice);
    dave.type("/msg alice relayed and private");
    alice.await(ConsoleLines.privateMessage("dave", "relayed and private"), MESSAGE_TIMEOUT);
  }
}
