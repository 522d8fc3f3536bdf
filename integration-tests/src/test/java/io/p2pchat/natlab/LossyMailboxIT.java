package io.p2pchat.natlab;

import static io.p2pchat.natlab.ConsoleLines.DIRECT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * (q) The offline mailbox through a hostile network: alice and bob, each behind a home router, with 20% of
 * every public packet lost and 5% duplicated from before either registers. Bob quits; alice sends him twenty
 * private messages, which her node deposits at the rendezvous (deposit, its acknowledgement and the retries,
 * all sealed control messages crossing the loss); bob comes back and picks them up (the pick-up, his
 * {@code mail-ack}s, the receipts back to alice as mail or directly). Bob must show each of the twenty exactly
 * once, in alice's order, then a line alice typed live once he was back; alice must be told he has them all
 * ({@code * bob picked up N queued messages}, from his receipts).
 */
class LossyMailboxIT extends NatLabScenario {

  static final double LOSS = LossyControlIT.LOSS;
  static final double DUPLICATION = LossyControlIT.DUPLICATION;
  /** Messages alice leaves for bob while he is away. */
  static final int AWAY = 20;
  /**
   * Until alice's node is told bob left: his goodbye, or failing that the rendezvous's notice once his
   * registration expires (30 s), whichever crosses the loss first.
   */
  static final Duration LEFT_BOUND = Duration.ofSeconds(60);
  /**
   * Until every deposit is acknowledged, and later until every receipt is back: a deposit is retried with
   * backoff when its acknowledgement is lost, a few seconds per loss at worst; generous for a loaded machine.
   */
  static final Duration SETTLE_BOUND = Duration.ofSeconds(90);
  /** Between two {@code /history} questions while waiting for a state to settle. */
  static final Duration ASK_AGAIN = Duration.ofSeconds(1);
  /** One of alice's private lines to bob as her console shows it: group 1 its state (or none), group 2 its number. */
  static final Pattern TO_BOB = Pattern.compile(".*\\(private to bob(?:, (\\w+))?\\): away-(\\d{3})");

  @Test
  void privateMessagesLeftForAnAbsentPeerArriveOnceAndInOrderThoughAFifthOfEveryPacketIsLost(TestInfo info) {
    up("home", info);
    rendezvous("rdv");
    lab.loss(LOSS);
    lab.dup(DUPLICATION);
    ConsoleProcess alice = client("alice", "alice");
    ConsoleProcess bob = client("bob", "bob");
    expectPath(alice, "bob", DIRECT, "203.0.113.22:" + CLIENT_PORT);
    expectPath(bob, "alice", DIRECT, "203.0.113.21:" + CLIENT_PORT);
    say(alice, "see you later bob", bob);

    bob.close();
    alice.await(ConsoleLines.left("bob"), LEFT_BOUND);
    long away = System.nanoTime();
    for (int i = 0; i < AWAY; i++) {
      alice.type(String.format("/msg bob away-%03d", i));
    }
    alice.await(Pattern.compile("\\* bob is offline: queued at the rendezvous"), MESSAGE_TIMEOUT);
    awaitAllQueued(alice);
    long queuedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - away);

    long back = System.nanoTime();
    ConsoleProcess bobAgain = client("bob", "bob");
    Pattern fromAlice = Pattern.compile(".*alice \\(private\\): away-(\\d{3})");
    List<ConsoleProcess.Matched> shown = bobAgain.awaitCount(fromAlice, AWAY, SETTLE_BOUND);
    long pickedUpMillis = TimeUnit.NANOSECONDS.toMillis(shown.get(AWAY - 1).line().nanos() - back);
    alice.await(ConsoleLines.connected("bob"), PATH_TIMEOUT);
    alice.type("/msg bob back-live");
    bobAgain.await(ConsoleLines.privateMessage("alice", "back-live"), MESSAGE_TIMEOUT);
    List<Integer> seen = bobAgain.matching(fromAlice).stream().map(m -> Integer.parseInt(m.group(1))).toList();
    assertEquals(IntStream.range(0, AWAY).boxed().toList(), seen,
        "bob shows each of alice's messages exactly once, in her order, before her live one\n" + bobAgain.transcript());
    Pattern pickedUp = Pattern.compile("\\* bob picked up (\\d+) queued messages?");
    long deadline = System.nanoTime() + SETTLE_BOUND.toNanos();
    while (alice.matching(pickedUp).stream().mapToInt(m -> Integer.parseInt(m.group(1))).sum() < AWAY) {
      Duration left = Duration.ofNanos(Math.max(1, deadline - System.nanoTime()));
      alice.awaitCount(pickedUp, alice.matching(pickedUp).size() + 1, left);
    }
    assertEquals(AWAY, alice.matching(pickedUp).stream().mapToInt(m -> Integer.parseInt(m.group(1))).sum(),
        "alice is told of each receipt once\n" + alice.transcript());
    report(String.format("%.0f%% loss, %.0f%% duplication: alice's %d messages for the absent bob all queued %d ms after"
        + " the first was typed; bob showed all %d, once each and in order, %d ms after his JVM started again;"
        + " alice was told he picked up all %d",  LOSS * 100, DUPLICATION * 100, AWAY, queuedMillis, AWAY,
        pickedUpMillis, AWAY));
  }

  /**
   * Asks alice's {@code /history} until her last {@link #AWAY} lines, her messages to bob and nothing since,
   * all say {@code queued}: every deposit acknowledged, so all are mail before bob registers again.
   */
  private static void awaitAllQueued(ConsoleProcess alice) {
    Pattern last = Pattern.compile(".*\\(private to bob(?:, \\w+)?\\): away-" + String.format("%03d", AWAY - 1));
    long deadline = System.nanoTime() + SETTLE_BOUND.toNanos();
    while (true) {
      int answered = alice.matching(last).size();
      alice.type("/history " + AWAY);
      alice.awaitCount(last, answered + 1, MESSAGE_TIMEOUT);
      List<ConsoleProcess.Matched> lines = alice.matching(TO_BOB);
      List<String> states = lines.subList(lines.size() - AWAY, lines.size()).stream().map(m -> String.valueOf(m.group(1)))
          .distinct().toList();
      if (states.equals(List.of("queued"))) {
        return;
      }
      assertTrue(System.nanoTime() < deadline, "alice's history still says " + states + " for her messages to bob after "
          + SETTLE_BOUND + "\n" + alice.transcript());
      try {
        Thread.sleep(ASK_AGAIN.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }
}
