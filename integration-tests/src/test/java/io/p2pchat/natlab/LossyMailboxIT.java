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
    // Acknowledged before bob leaves: one still in flight then would be queued for him too (rightly so), and
    // counted among what he picks up.
    awaitHistory(alice, 1, "see you later bob", Pattern.compile("\\[[^]]*\\] alice: see you later bob"));

    bob.close();
    alice.await(ConsoleLines.left("bob"), LEFT_BOUND);
    long away = System.nanoTime();
    for (int i = 0; i < AWAY; i++) {
      alice.type(String.format("/msg bob away-%03d", i));
    }
    alice.await(Pattern.compile("\\* bob is offline: queued at the rendezvous"), MESSAGE_TIMEOUT);
    awaitHistory(alice, AWAY, String.format("away-%03d", AWAY - 1),
        Pattern.compile("\\[[^]]*\\] alice \\(private to bob, queued\\): away-\\d{3}"));
    long queuedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - away);

    long back = System.nanoTime();
    ConsoleProcess bobAgain = client("bob", "bob");
    Pattern fromAlice = Pattern.compile(".*alice \\(private\\): away-(\\d{3})");
    List<ConsoleProcess.Matched> shown = bobAgain.awaitCount(fromAlice, AWAY, SETTLE_BOUND);
    long pickedUpMillis = TimeUnit.NANOSECONDS.toMillis(shown.get(AWAY - 1).line().nanos() - back);
    // Her second "bob connected": the first was before he quit, and a line typed before this one is queued too.
    alice.awaitCount(ConsoleLines.connected("bob"), 2, PATH_TIMEOUT);
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
   * Asks {@code at}'s {@code /history count} until the {@code count} lines of its answer, the last of which ends
   * with {@code lastText}, all match {@code wanted}: e.g. every one of her messages to bob says {@code queued},
   * every deposit acknowledged, so all are mail before bob registers again.
   */
  private static void awaitHistory(ConsoleProcess at, int count, String lastText, Pattern wanted) {
    Pattern last = Pattern.compile("\\[[^]]*\\] .*: " + Pattern.quote(lastText));
    Pattern any = Pattern.compile(".*");
    long deadline = System.nanoTime() + SETTLE_BOUND.toNanos();
    while (true) {
      int answered = at.matching(last).size();
      at.type("/history " + count);
      at.awaitCount(last, answered + 1, MESSAGE_TIMEOUT);
      List<String> lines = at.matching(any).stream().map(m -> m.group(0)).toList();
      int end = lines.lastIndexOf(at.matching(last).get(answered).group(0)) + 1;
      List<String> answer = lines.subList(Math.max(0, end - count), end);
      if (answer.stream().allMatch(l -> wanted.matcher(l).matches())) {
        return;
      }
      assertTrue(System.nanoTime() < deadline, at.name() + "'s /history still says " + answer + " after " + SETTLE_BOUND
          + ", wanted /" + wanted + "/\n" + at.transcript());
      try {
        Thread.sleep(ASK_AGAIN.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }
}
