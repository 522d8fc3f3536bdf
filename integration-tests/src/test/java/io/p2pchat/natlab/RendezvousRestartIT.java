package io.p2pchat.natlab;

import static io.p2pchat.natlab.ConsoleLines.DIRECT;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * (f) The rendezvous crashes mid-chat: peers on a direct path keep chatting without it. When it is
 * back (empty: it keeps no state), the clients register again by themselves, so a new peer that
 * joins is introduced to them.
 */
class RendezvousRestartIT extends NatLabScenario {

  /** Re-registration waits for the clients' next keep-alive or retry to notice the empty server. */
  static final Duration REREGISTER_TIMEOUT = Duration.ofSeconds(120);

  @Test
  void directPeersOutliveTheRendezvousAndReRegisterAfterItsRestart(TestInfo info) {
    up("home", info);
    ConsoleProcess server = rendezvous("rdv");
    ConsoleProcess alice = client("alice", "alice");
    ConsoleProcess bob = client("bob", "bob");
    expectPath(alice, "bob", DIRECT, "203.0.113.22:4000");
    expectPath(bob, "alice", DIRECT, "203.0.113.21:4000");
    say(alice, "before the crash", bob);

    server.kill();
    say(alice, "the rendezvous is gone, still there bob?", bob);
    say(bob, "still here alice", alice);

    long restart = System.nanoTime();
    rendezvous("rdv");
    ConsoleProcess carol = client("carol", "carol");
    ConsoleProcess.Matched carolSeesAlice = carol.await(ConsoleLines.connected("alice"), REREGISTER_TIMEOUT);
    carol.await(ConsoleLines.connected("bob"), REREGISTER_TIMEOUT);
    alice.await(ConsoleLines.connected("carol"), REREGISTER_TIMEOUT);
    bob.await(ConsoleLines.connected("carol"), REREGISTER_TIMEOUT);
    expectPath(carol, "alice", DIRECT, "203.0.113.21:4000");
    say(carol, "hi both, I joined after the restart", alice, bob);
    say(alice, "welcome carol", carol, bob);
    report(String.format("after the rendezvous restart, carol was introduced to alice %d ms later",
        TimeUnit.NANOSECONDS.toMillis(carolSeesAlice.line().nanos() - restart)));
  }
}
