package io.p2pchat.natlab;

import static io.p2pchat.natlab.ConsoleLines.DIRECT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.p2pchat.node.NodeOptions;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * (m, issue 16) Dual-stack clients ({@code dual} topology): dave's IPv4 is behind the symmetric router rtS,
 * where punching cannot work (SymmetricRelayIT: IPv4 alone gets the relay), alice's behind the home NAT rtA;
 * both also have global IPv6 through their router's stateful ip6tables firewall. Configured as a user would
 * (the rendezvous's IPv4 address as {@code rendezvous.host}, its IPv6 address as {@code rendezvous.host6}),
 * they register over both families, and their path must become {@code direct} over IPv6 instead of relayed,
 * then carry chat both ways with each message once and in order.
 *
 * <p>Then (n) two dual-stack clients behind home NATs, alice (rtA) and bob (rtB), with a working direct path over
 * each family: the core delays one family ({@code natlab.sh delay}), and the pair must settle on the other
 * family's direct path; after the delays are swapped it must move to the now faster family, once, with nothing
 * lost (issue 16: "of two direct paths the one with the clearly lower round trip wins, with hysteresis").
 *
 * <p>Registration over both families is branch {@code dual}'s ({@code rendezvous.host6}); on a node without that
 * key the scenario is skipped, saying so (run on one without it, with the check removed, it fails:
 * {@code alice: no line matching /* dave … direct …/ within PT1M}, the pair stays {@code relayed}).
 */
class DualStackIT extends NatLabScenario {

  static final String RDV_ADDR6 = "2001:db8::10";
  /** rtA routes 2001:db8:21::/64 to alice, rtS 2001:db8:24::/64 to dave (scripts/natlab/natlab.sh, topology dual). */
  static final String ALICE6 = "[2001:db8:21::2]:" + CLIENT_PORT;
  static final String DAVE6 = "[2001:db8:24::130]:" + CLIENT_PORT;
  static final String ALICE4 = "203.0.113.21:" + CLIENT_PORT;
  static final String BOB4 = "203.0.113.22:" + CLIENT_PORT;
  static final String BOB6 = "[2001:db8:22::66]:" + CLIENT_PORT;
  static final int MESSAGES = 20;
  /**
   * Added each way to one family's public packets: a round trip 80 ms longer, far beyond the "clearly lower"
   * bar (75% and 5 ms) and the jitter of two JVMs on a loaded machine.
   */
  static final int FAMILY_DELAY_MS = 40;
  /**
   * A move between two direct paths needs the other address's smoothed RTT under 75% of the current one's in 3
   * samples in a row spanning 10 s. After the delays are swapped both smoothed values (RFC 6298's 1/8 weight)
   * must first cross: about 7 samples, then 3 more, one per keep-alive of either side; measured 75 s. Twice that.
   */
  static final java.time.Duration SWITCH_TIMEOUT = java.time.Duration.ofSeconds(150);
  /** A path line whose address is IPv4 ({@code a.b.c.d:port}): rtS maps per destination, so none may be direct. */
  /** The node key naming the rendezvous's IPv6 address beside its IPv4 {@code rendezvous.host}. */
  static final String RENDEZVOUS_HOST6_KEY = "rendezvous.host6";
  static final Pattern IPV4_ADDRESS = Pattern.compile("(?:relay )?\\d+\\.\\d+\\.\\d+\\.\\d+:\\d+");

  /** What a user of a dual-stack rendezvous configures: its IPv4 address, and its IPv6 address beside it. */
  static final Map<String, String> DUAL_STACK = Map.of("P2PCHAT_RENDEZVOUS_HOST", RDV_ADDR,
      "P2PCHAT_RENDEZVOUS_HOST6", RDV_ADDR6);

  @Test
  void dualStackClientsGoDirectOverIpv6WhenIpv4IsBehindASymmetricNat(TestInfo info) {
    assumeRegistrationOverBothFamilies();
    up("dual", info);
    rendezvous("rdv", Map.of("P2PCHAT_HOST6", "::"));
    ConsoleProcess alice = client("alice", "alice", DUAL_STACK);
    ConsoleProcess dave = client("dave", "dave", DUAL_STACK);

    List<ConsoleProcess.Matched> paths = expectPaths(alice, dave, DIRECT, DAVE6, ALICE6);

    say(alice, "dave, this should go over IPv6", dave);
    say(dave, "it does, alice, no relay", alice);
    chatBothWays(alice, dave, "dual", MESSAGES);
    dave.type("/msg alice direct and private");
    alice.await(ConsoleLines.privateMessage("dave", "direct and private"), MESSAGE_TIMEOUT);

    // IPv4 could not have done it: no IPv4 path of this pair was ever direct.
    for (ConsoleProcess at : List.of(alice, dave)) {
      String peer = at == alice ? "dave" : "alice";
      List<String> directIpv4 = at.matching(ConsoleLines.pathIn(peer, Set.of(DIRECT))).stream()
          .map(ConsoleLines::address).filter(a -> IPV4_ADDRESS.matcher(a).matches()).toList();
      assertEquals(List.of(), directIpv4, at.name() + " showed a direct IPv4 path through the symmetric NAT\n"
          + at.transcript());
    }
    report(String.format("%d messages each way once, in order, over %s / %s", MESSAGES,
        ConsoleLines.address(paths.get(0)), ConsoleLines.address(paths.get(1))));
  }

  @Test
  void ofTwoDirectPathsTheClearlyFasterFamilyWinsAndTheMoveFollowsTheDelay(TestInfo info) {
    assumeRegistrationOverBothFamilies();
    up("dual", info);
    lab.delay(4, FAMILY_DELAY_MS);
    rendezvous("rdv", Map.of("P2PCHAT_HOST6", "::"));
    ConsoleProcess alice = client("alice", "alice", DUAL_STACK);
    ConsoleProcess bob = client("bob", "bob", DUAL_STACK);

    // IPv4 is 80 ms slower a round trip: whichever family came first, the pair settles on IPv6.
    ConsoleProcess.Matched onIpv6 = alice.await(ConsoleLines.pathAt("bob", DIRECT, BOB6), SWITCH_TIMEOUT);
    bob.await(ConsoleLines.pathAt("alice", DIRECT, ALICE6), SWITCH_TIMEOUT);
    chatBothWays(alice, bob, "fast6", MESSAGES);
    int aliceLines = alice.matching(ConsoleLines.path("bob")).size();
    int bobLines = bob.matching(ConsoleLines.path("alice")).size();
    int aliceOnIpv4 = alice.matching(ConsoleLines.pathAt("bob", DIRECT, BOB4)).size();
    int bobOnIpv4 = bob.matching(ConsoleLines.pathAt("alice", DIRECT, ALICE4)).size();

    // Swap: now IPv6 is the slow one. Each side moves back to IPv4 exactly once; what is typed meanwhile arrives.
    long swapped = System.nanoTime();
    lab.delay(6, FAMILY_DELAY_MS);
    lab.delay(4, 0);
    typeNumbered(alice, "swap", 0, MESSAGES);
    typeNumbered(bob, "swapb", 0, MESSAGES);
    ConsoleProcess.Matched onIpv4 = alice.awaitCount(ConsoleLines.pathAt("bob", DIRECT, BOB4), aliceOnIpv4 + 1,
        SWITCH_TIMEOUT).get(aliceOnIpv4);
    bob.awaitCount(ConsoleLines.pathAt("alice", DIRECT, ALICE4), bobOnIpv4 + 1, SWITCH_TIMEOUT);
    expectExactlyOnceInOrder(alice, bob, "swap", MESSAGES, MESSAGE_TIMEOUT);
    expectExactlyOnceInOrder(bob, alice, "swapb", MESSAGES, MESSAGE_TIMEOUT);
    assertEquals(aliceLines + 1, alice.matching(ConsoleLines.path("bob")).size(),
        "alice's path to bob changed once after the swap, to IPv4, and nothing else\n" + alice.transcript());
    assertEquals(bobLines + 1, bob.matching(ConsoleLines.path("alice")).size(),
        "bob's path to alice changed once after the swap, to IPv4, and nothing else\n" + bob.transcript());
    report(String.format("IPv4 delayed %d ms each way: '%s' %d ms after bob's JVM start; delays swapped: '%s' %d ms later,"
        + " the only path change; %d messages each way typed during the move arrived once, in order",
        FAMILY_DELAY_MS, onIpv6.line().text(), java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(onIpv6.line().nanos()
        - bob.startNanos()), onIpv4.line().text(), java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(onIpv4.line().nanos()
        - swapped), MESSAGES));
  }

  private static void assumeRegistrationOverBothFamilies() {
    assumeTrue(NodeOptions.KEYS.containsKey(RENDEZVOUS_HOST6_KEY), "this node has no " + RENDEZVOUS_HOST6_KEY
        + " key: registration over both families (branch dual) is not merged");
  }
}
