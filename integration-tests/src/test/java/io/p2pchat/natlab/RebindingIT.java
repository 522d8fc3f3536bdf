package io.p2pchat.natlab;

import static io.p2pchat.natlab.ConsoleLines.DIRECT;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * (e) NAT rebinding mid-chat: alice's router changes her public mapping (a new public address, or
 * a new port because another inside host took the old one). Messages typed during the change must
 * all arrive, once, in order, and bob's console must show the path's new address.
 */
class RebindingIT extends NatLabScenario {

  static final int BEFORE = 5;
  static final int DURING = 10;
  /** Detecting the dead path and re-punching (or roaming on the first packet from the new address). */
  static final Duration RECOVERY_TIMEOUT = Duration.ofSeconds(90);

  @Test
  void chatSurvivesARenumberedRouter(TestInfo info) {
    ConsoleProcess[] ab = chattingPair(info);
    ConsoleProcess alice = ab[0];
    ConsoleProcess bob = ab[1];

    long rebind = System.nanoTime();
    String newAddress = lab.rebind("rtA");
    typeNumbered(alice, "a", BEFORE, DURING);
    typeNumbered(bob, "b", BEFORE, DURING);
    expectExactlyOnceInOrder(alice, bob, "a", BEFORE + DURING, RECOVERY_TIMEOUT);
    expectExactlyOnceInOrder(bob, alice, "b", BEFORE + DURING, RECOVERY_TIMEOUT);
    ConsoleProcess.Matched moved = bob.await(
        Pattern.compile("\\* alice path (?:direct|relayed) " + Pattern.quote(newAddress) + ":\\d+"), RECOVERY_TIMEOUT);
    report(String.format("rtA renumbered to %s: bob shows '%s' %d ms later; %d messages typed during the change all arrived",
        newAddress, moved.line().text(), TimeUnit.NANOSECONDS.toMillis(moved.line().nanos() - rebind), 2 * DURING));
  }

  @Test
  void chatSurvivesAPortChange(TestInfo info) {
    ConsoleProcess[] ab = chattingPair(info);
    ConsoleProcess alice = ab[0];
    ConsoleProcess bob = ab[1];

    long rebind = System.nanoTime();
    // a squatter behind rtA takes public port 4000 toward the rendezvous and toward bob
    lab.rebindPort("rtA", CLIENT_PORT, RDV_ADDR + ":" + RENDEZVOUS_PORT, "203.0.113.22:" + CLIENT_PORT);
    typeNumbered(alice, "a", BEFORE, DURING);
    typeNumbered(bob, "b", BEFORE, DURING);
    expectExactlyOnceInOrder(alice, bob, "a", BEFORE + DURING, RECOVERY_TIMEOUT);
    expectExactlyOnceInOrder(bob, alice, "b", BEFORE + DURING, RECOVERY_TIMEOUT);
    ConsoleProcess.Matched moved = bob.await(
        Pattern.compile("\\* alice path (?:direct|relayed) 203\\.0\\.113\\.21:(?!4000\\b)\\d+"),
        RECOVERY_TIMEOUT);
    report(String.format("rtA gave alice a new port: bob shows '%s' %d ms later; %d messages typed during the change all arrived",
        moved.line().text(), TimeUnit.NANOSECONDS.toMillis(moved.line().nanos() - rebind), 2 * DURING));
  }

  /** alice (rtA) and bob (rtB) on a direct path, having exchanged {@link #BEFORE} messages each. */
  private ConsoleProcess[] chattingPair(TestInfo info) {
    up("home", info);
    rendezvous("rdv");
    ConsoleProcess alice = client("alice", "alice");
    ConsoleProcess bob = client("bob", "bob");
    expectPath(alice, "bob", DIRECT, "203.0.113.22:4000");
    expectPath(bob, "alice", DIRECT, "203.0.113.21:4000");
    typeNumbered(alice, "a", 0, BEFORE);
    typeNumbered(bob, "b", 0, BEFORE);
    bob.awaitCount(ConsoleLines.roomMessageMatching("alice", "a-\\d{3}"), BEFORE, MESSAGE_TIMEOUT);
    alice.awaitCount(ConsoleLines.roomMessageMatching("bob", "b-\\d{3}"), BEFORE, MESSAGE_TIMEOUT);
    return new ConsoleProcess[] {alice, bob};
  }
}
