package io.p2pchat.natlab;

import static io.p2pchat.natlab.ConsoleLines.DIRECT;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * (l, issue 16) Two IPv6-only clients (no IPv4 address at all), each behind a home router's stateful IPv6
 * firewall ({@code v6} topology: no NAT66, the LAN's /64 is routed, NEW from the public side is dropped, as
 * home routers do). Both register with the rendezvous's IPv6 address and must punch a {@code direct} path
 * between their global addresses, then chat both ways with each message once and in order. The firewall is
 * shown to be real: a datagram from a stranger on the public side to alice's chat port is dropped by fwA
 * (its counter rises, alice counts nothing), while the same bytes sent from inside fwA reach her and are
 * counted.
 */
class Ipv6FirewallIT extends NatLabScenario {

  static final String RDV_ADDR6 = "2001:db8::10";
  /** fwA routes 2001:db8:31::/64 to alice, fwB 2001:db8:32::/64 to bob (scripts/natlab/natlab.sh, topology v6). */
  static final String ALICE6 = "[2001:db8:31::2]:" + CLIENT_PORT;
  static final String BOB6 = "[2001:db8:32::2]:" + CLIENT_PORT;
  static final int MESSAGES = 20;
  /**
   * fwA's counter is read again (each read a natlab.sh run) at most this often after the stranger's datagram
   * left: it is dropped within microseconds, so a counter that never rises fails quickly.
   */
  static final int MAX_COUNTER_READS = 50;
  /** A datagram of no known kind (first byte 0xEE): what alice counts as {@code unknown-kind} when it reaches her. */
  static final String PROBE_HEX = "ee" + HexFormat.of().formatHex("unsolicited from the public side".getBytes());

  @Test
  void ipv6OnlyClientsBehindStatefulFirewallsGoDirectOverIpv6(TestInfo info) {
    up("v6", info);
    rendezvous("rdv", Map.of("P2PCHAT_HOST6", "::"));
    Map<String, String> overIpv6 = Map.of("P2PCHAT_RENDEZVOUS_HOST", RDV_ADDR6);
    ConsoleProcess alice = client("alice", "alice", overIpv6);
    ConsoleProcess bob = client("bob", "bob", overIpv6);
    for (ConsoleProcess p : new ConsoleProcess[] {alice, bob}) {
      p.await(Pattern.compile("\\* rendezvous " + Pattern.quote("[" + RDV_ADDR6 + "]:" + RENDEZVOUS_PORT)
          + " up: registered as " + p.name()), START_TIMEOUT);
    }

    // No NAT: the reflexive address is the client's own global address, reached through both firewalls.
    expectPaths(alice, bob, DIRECT, BOB6, ALICE6);
    assertEquals(List.of(), alice.matching(ConsoleLines.pathIn("bob", Set.of(ConsoleLines.RELAYED))),
        "alice's path to bob was never relayed\n" + alice.transcript());

    say(alice, "hello bob, alice here on IPv6 only", bob);
    say(bob, "hi alice, bob here, no IPv4 either", alice);
    chatBothWays(alice, bob, "six", MESSAGES);
    alice.type("/msg bob private over IPv6");
    bob.await(ConsoleLines.privateMessage("alice", "private over IPv6"), MESSAGE_TIMEOUT);

    // The firewall is real: rdv2 never heard from alice, so its datagram to her chat port is NEW and dropped.
    Map<String, Long> before = dropCounters(alice);
    long droppedBefore = lab.unsolicited6("fwA");
    lab.sendFrom("rdv2", ALICE6, PROBE_HEX);
    long dropped = awaitUnsolicitedDrop("fwA", droppedBefore);
    // The same bytes from inside the firewall (fwA's own LAN address) reach alice and are counted: had the
    // stranger's copy come through, it would have been counted first.
    lab.sendFrom("fwA", ALICE6, PROBE_HEX);
    Map<String, Long> rose = awaitUnknownKind(alice, before);
    assertEquals(Map.of("total", 1L, "unknown-kind", 1L), rose,
        "alice counted only the datagram sent from inside fwA, none from the public side\n" + alice.transcript());
    say(alice, "still direct after the probe", bob);
    report(String.format("a datagram from rdv2 to %s: dropped by fwA (%d unsolicited inbound so far), alice's drops rose by %s"
        + " only once the same bytes came from inside fwA; %d messages each way once, in order",
        ALICE6, dropped, rose, MESSAGES));
  }

  /** Reads fwA's unsolicited-inbound counter until it passes {@code before}; returns the new value. */
  private long awaitUnsolicitedDrop(String router, long before) {
    for (int read = 1; ; read++) {
      long now = lab.unsolicited6(router);
      if (now > before) {
        return now;
      }
      if (read == MAX_COUNTER_READS) {
        throw new AssertionError(router + " dropped no unsolicited inbound datagram (still " + now
            + " after " + read + " reads): its firewall let the stranger's datagram through or never saw it");
      }
    }
  }

  /** Asks {@code /stats} until {@code unknown-kind} rose; returns how much it and the total rose. */
  private Map<String, Long> awaitUnknownKind(ConsoleProcess at, Map<String, Long> before) {
    for (int asked = 1; ; asked++) {
      Map<String, Long> now = dropCounters(at);
      long unknown = now.getOrDefault("unknown-kind", 0L) - before.getOrDefault("unknown-kind", 0L);
      if (unknown > 0 || asked == MAX_COUNTER_READS) {
        return Map.of("total", now.get("total") - before.get("total"), "unknown-kind", unknown);
      }
    }
  }
}
