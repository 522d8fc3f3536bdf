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
 * (l, issue 16) Dual-stack clients ({@code dual} topology): dave's IPv4 is behind the symmetric router rtS,
 * where punching cannot work (SymmetricRelayIT: IPv4 alone gets the relay), alice's behind the home NAT rtA;
 * both also have global IPv6 through their router's stateful ip6tables firewall. Configured as a user would
 * (the rendezvous's IPv4 address as {@code rendezvous.host}, its IPv6 address as {@code rendezvous.host6}),
 * they register over both families, and their path must become {@code direct} over IPv6 instead of relayed,
 * then carry chat both ways with each message once and in order.
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
  static final int MESSAGES = 20;
  /** A path line whose address is IPv4 ({@code a.b.c.d:port}): rtS maps per destination, so none may be direct. */
  /** The node key naming the rendezvous's IPv6 address beside its IPv4 {@code rendezvous.host}. */
  static final String RENDEZVOUS_HOST6_KEY = "rendezvous.host6";
  static final Pattern IPV4_ADDRESS = Pattern.compile("(?:relay )?\\d+\\.\\d+\\.\\d+\\.\\d+:\\d+");

  @Test
  void dualStackClientsGoDirectOverIpv6WhenIpv4IsBehindASymmetricNat(TestInfo info) {
    assumeTrue(NodeOptions.KEYS.containsKey(RENDEZVOUS_HOST6_KEY), "this node has no " + RENDEZVOUS_HOST6_KEY
        + " key: registration over both families (branch dual) is not merged");
    up("dual", info);
    rendezvous("rdv", Map.of("P2PCHAT_HOST6", "::"));
    // What a user of a dual-stack rendezvous configures: its IPv4 address, and its IPv6 address beside it.
    Map<String, String> dualStack = Map.of("P2PCHAT_RENDEZVOUS_HOST", RDV_ADDR, "P2PCHAT_RENDEZVOUS_HOST6", RDV_ADDR6);
    ConsoleProcess alice = client("alice", "alice", dualStack);
    ConsoleProcess dave = client("dave", "dave", dualStack);

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
}
