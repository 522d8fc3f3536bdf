package io.p2pchat.punch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.p2pchat.wire.DropReason;
import io.p2pchat.wire.Endpoint;
import io.vertx.core.buffer.Buffer;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Issue 15, roaming: a path moves only on the peer's newest authenticated packet, and only once the
 * new address answered a path challenge (RFC 9000 section 8.2). Two sessions back to back on a fake
 * clock ({@link SessionPair}), whose wire delivers a datagram only to the address its peer is at.
 */
class RoamingTest {

  /** Time for retransmissions, punches and acknowledgements on a path that takes no time. */
  private static final long SETTLE_NANOS = TimeUnit.SECONDS.toNanos(2);
  /** Where an on-path attacker sends from: an address alice never had. */
  private static final Endpoint ATTACKER = new Endpoint("198.51.100.66", 6666);
  /** alice's socket after the rebinding: same host, a new port. */
  private static final Endpoint ALICE_REBOUND = new Endpoint("192.0.2.1", 4999);
  /** Messages alice types while her port changes. */
  private static final int DURING = 3;

  /**
   * An on-path attacker holds back one of alice's genuine packets and sends it later from its own
   * address while bob's path is unanswered (the moment a roam is allowed): it is older than what bob
   * accepted since, so it is dropped and counted, and bob's path stays on alice.
   */
  @Test
  void aHeldBackGenuinePacketReplayedFromANewSourceDoesNotMoveThePath() {
    SessionPair net = new SessionPair();
    net.connect();
    SessionPair.Side alice = net.alice;
    SessionPair.Side bob = net.bob;

    bob.unreachable = true;
    alice.send("held back");
    Buffer heldBack = alice.datas.get(alice.datas.size() - 1);
    bob.unreachable = false;
    net.advance(SETTLE_NANOS); // alice retransmits under a newer counter; bob accepts that one
    assertEquals(List.of("held back"), bob.received);

    alice.unreachable = true;
    bob.send("unanswered"); // bob's path now awaits an answer: a roam would be allowed
    alice.transmitFrom(heldBack, ATTACKER);
    net.pump();

    assertEquals(alice.address, bob.session.path.address(), "the path stays on alice");
    assertEquals(DropReason.REPLAYED, bob.drops.get(bob.drops.size() - 1), "the replay is dropped and counted");
    assertTrue(bob.pathLog.stream().noneMatch(e -> e.endsWith(ATTACKER.toString())),
      "no challenge to the attacker either: " + bob.pathLog);
    alice.unreachable = false;
    net.advance(SETTLE_NANOS);
    assertEquals(List.of("held back"), bob.received, "alice's message arrived once");
    assertEquals(List.of("unanswered"), alice.received, "bob's message arrives once on the path it stayed on");
  }

  /**
   * alice's socket rebinds to a new port (NAT rebinding): bob's packets to the old one are lost, hers
   * come from the new one. bob challenges the new address and moves there only when its answer came
   * back from it; every message arrives once, in order.
   */
  @Test
  void aGenuineRoamMovesThePathAfterValidation() {
    SessionPair net = new SessionPair();
    net.connect();
    net.exchange("before", SETTLE_NANOS);
    SessionPair.Side alice = net.alice;
    SessionPair.Side bob = net.bob;
    int logBefore = bob.pathLog.size();

    alice.address = ALICE_REBOUND;
    bob.send("to the old port");
    for (int i = 1; i <= DURING; i++) {
      alice.send("during " + i);
    }
    net.advance(SETTLE_NANOS);

    assertEquals(ALICE_REBOUND, bob.session.path.address(), "bob's path follows alice");
    List<String> log = bob.pathLog.subList(logBefore, bob.pathLog.size());
    int challenged = log.indexOf("punch " + ALICE_REBOUND);
    int answered = log.indexOf("punched " + ALICE_REBOUND);
    int moved = log.indexOf("path " + ALICE_REBOUND);
    assertTrue(challenged >= 0 && challenged < answered && answered < moved,
      "challenge, its answer from the new address, then the move: " + log);
    assertEquals(List.of("during 1", "during 2", "during 3"),
      bob.received.stream().filter(m -> m.startsWith("during")).toList(), "once each, in order");
    assertEquals(1, alice.received.stream().filter("to the old port"::equals).count(),
      "bob's message sent to the old port arrives once, after the move");
    net.exchange("after", SETTLE_NANOS);
  }
}
