package io.p2pchat.natlab;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * (issue 16) Alice's router drops every UDP packet her LAN sends out (TCP passes: an office firewall);
 * bob is behind a home NAT. Alice registers over the rendezvous's TLS port and chats with bob through
 * the relay ({@code relayed over TLS}); once her router lets UDP out again she moves back to UDP and the
 * path becomes direct within 60 s, with nothing lost meanwhile.
 */
class TlsFallbackIT extends NatLabScenario {

  /** The rendezvous's default HTTPS port, which the node's {@code rendezvous.tls.port} defaults to as well. */
  static final int TLS_PORT = 7443;
  /** Registration over TLS after UDP went unanswered for {@code rendezvous.tls.fallbackSeconds} (5 s), JVM start included. */
  static final Duration FALLBACK_TIMEOUT = Duration.ofSeconds(60);
  /** The bound on a direct path after UDP returns. */
  static final Duration UPGRADE_TIMEOUT = Duration.ofSeconds(60);
  static final String RELAYED_OVER_TLS = "relayed over TLS";
  static final int MESSAGES = 20;

  @Test
  void aClientBehindAUdpBlockingFirewallChatsOverTlsAndGoesDirectWhenUdpReturns(TestInfo info) {
    up("home", info);
    lab.blockUdp("rtA");
    rendezvous("rdv");
    ConsoleProcess bob = client("bob", "bob");
    ConsoleProcess alice = client("alice", "alice");

    ConsoleProcess.Matched overTls = alice.await(Pattern.compile(
        "\\* rendezvous " + Pattern.quote(RDV_ADDR + ":" + TLS_PORT) + " up over TLS \\(UDP blocked\\)"), FALLBACK_TIMEOUT);
    ConsoleProcess.Matched relayed = expectPath(alice, "bob", RELAYED_OVER_TLS, null);
    expectPath(bob, "alice", ConsoleLines.RELAYED, null);
    say(alice, "hello bob, alice here behind a firewall that drops UDP", bob);
    long firstMessage = System.nanoTime();
    say(bob, "hi alice, bob here behind rtB", alice);
    chatBothWays(alice, bob, "tls", MESSAGES);
    alice.type("/netcheck");
    alice.await(Pattern.compile("\\* netcheck: udp: blocked.*"), MESSAGE_TIMEOUT);
    report(String.format("rtA drops UDP: '%s' %d ms after alice started; '%s' %d ms after; first message over TLS %d ms after start",
        overTls.line().text(), ms(overTls.line().nanos() - alice.startNanos()), relayed.line().text(),
        ms(relayed.line().nanos() - alice.startNanos()), ms(firstMessage - alice.startNanos())));

    long unblocked = System.nanoTime();
    lab.unblockUdp("rtA");
    typeNumbered(alice, "sw", 0, MESSAGES);
    typeNumbered(bob, "swb", 0, MESSAGES);
    ConsoleProcess.Matched direct = alice.await(ConsoleLines.pathIn("bob", Set.of(ConsoleLines.DIRECT)), UPGRADE_TIMEOUT);
    alice.await(Pattern.compile("\\* rendezvous " + Pattern.quote(RDV_ADDR + ":" + RENDEZVOUS_PORT) + " up over UDP"),
        MESSAGE_TIMEOUT);
    expectExactlyOnceInOrder(alice, bob, "sw", MESSAGES, MESSAGE_TIMEOUT);
    expectExactlyOnceInOrder(bob, alice, "swb", MESSAGES, MESSAGE_TIMEOUT);
    report(String.format("rtA lets UDP out again: '%s' %d ms later; %d messages typed during the switch all arrived once, in order",
        direct.line().text(), ms(direct.line().nanos() - unblocked), 2 * MESSAGES));
  }

  private static long ms(long nanos) {
    return TimeUnit.NANOSECONDS.toMillis(nanos);
  }
}
