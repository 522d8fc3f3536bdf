package io.p2pchat.mailbox;

import io.p2pchat.wire.MailboxControl;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DepositQueueTest {

  private static final byte[] BOB = new byte[32];
  private static final byte[] CAROL = new byte[32];

  static {
    CAROL[0] = 1;
  }

  private static DepositQueue.Deposit<String> deposit(String did, byte[] to, int envelopeBytes) {
    return new DepositQueue.Deposit<>(did, java.util.Base64.getEncoder().encodeToString(to),
      MailboxControl.split(did, to, new byte[envelopeBytes]), did);
  }

  private static List<String> dids(List<MailboxControl.DepositPart> parts) {
    return parts.stream().map(p -> p.did() + "#" + p.part()).toList();
  }

  private static long ms(long ms) {
    return TimeUnit.MILLISECONDS.toNanos(ms);
  }

  @Test
  void oneDepositInFlightPerRecipientRecipientsInParallel() {
    DepositQueue<String> q = new DepositQueue<>();
    q.add(deposit("b1", BOB, 353), 0);
    q.add(deposit("b2", BOB, 353), 0);
    q.add(deposit("c1", CAROL, 353), 0);
    assertTrue(q.due(0).isEmpty(), "nothing leaves before the node is registered");
    q.resume(0);
    assertEquals(List.of("b1#1", "c1#1"), dids(q.due(0)).stream().sorted().toList());
    assertTrue(q.holds(java.util.Base64.getEncoder().encodeToString(BOB)));
    assertEquals("b1", q.deposited("b1", 1, 7, ms(1)).deposit().did());
    assertEquals(List.of("b2#1"), dids(q.due(ms(1))), "bob's next only once his first is stored");
    assertEquals(3 - 1, q.pending());
  }

  /**
   * The recipient's order relies on its mailbox holding our messages in our order (MailOrderTest
   * .aLaterMessageStoredBeforeAnEarlierOneIsShownFirstWhenAReleaseFallsBetweenThem): however long the first
   * waits for its answer (retried, paused, resumed), the second to that recipient is not sent before it is stored.
   */
  @Test
  void aRecipientsNextDepositWaitsForTheAnswerToItsFirstHoweverLongThatTakes() {
    DepositQueue<String> q = new DepositQueue<>();
    q.resume(0);
    q.add(deposit("b1", BOB, 353), 0);
    q.add(deposit("b2", BOB, 353), 0);
    long t = 0;
    for (int i = 0; i < 12; i++) {
      assertEquals(List.of("b1#1"), dids(q.due(t)), "try " + i);
      t = q.nextDueNanos();
      if (i == 6) {
        q.pause();
        t += DepositQueue.MAX_RETRY_NANOS;
        q.resume(t);
      }
    }
    assertNull(q.deposited("b2", 1, 8, t), "an answer for one never sent ends nothing");
    assertEquals("b1", q.deposited("b1", 1, 7, t).deposit().did());
    assertEquals(List.of("b2#1"), dids(q.due(t)));
  }

  @Test
  void anUnansweredPartIsSentAgainUnderItsIdWithBackOff() {
    DepositQueue<String> q = new DepositQueue<>();
    q.resume(0);
    q.add(deposit("b1", BOB, 353), 0);
    assertEquals(List.of("b1#1"), dids(q.due(0)));
    assertTrue(q.due(ms(249)).isEmpty());
    assertEquals(List.of("b1#1"), dids(q.due(ms(250))));
    assertTrue(q.due(ms(250 + 499)).isEmpty(), "the wait doubles");
    assertEquals(List.of("b1#1"), dids(q.due(ms(750))));
    long t = ms(750);
    for (int i = 0; i < 10; i++) {
      t = q.nextDueNanos();
      q.due(t);
    }
    assertEquals(DepositQueue.MAX_RETRY_NANOS, q.nextDueNanos() - t, "capped");
    q.pause();
    assertEquals(-1, q.nextDueNanos());
    q.resume(t + 1);
    assertEquals(List.of("b1#1"), dids(q.due(t + 1)), "registered again: sent at once");
  }

  @Test
  void partsGoOneAfterTheOtherAndARefusalStartsTheNext() {
    DepositQueue<String> q = new DepositQueue<>();
    q.resume(0);
    q.add(deposit("big", BOB, MailboxControl.PART_BYTES * 2 + 1), 0);
    q.add(deposit("b2", BOB, 353), 0);
    assertEquals(List.of("big#1"), dids(q.due(0)));
    assertNull(q.deposited("big", 1, 0, 1));
    assertNull(q.deposited("big", 1, 0, 1), "a repeated answer moves nothing");
    assertEquals(List.of("big#2"), dids(q.due(1)));
    assertNull(q.deposited("big", 2, 0, 2));
    assertEquals(List.of("big#3"), dids(q.due(2)));
    DepositQueue.Outcome<String> refused = q.refused("big", "recipient-full", 3);
    assertFalse(refused.stored());
    assertEquals("recipient-full", refused.reason());
    assertNull(q.refused("big", "recipient-full", 3), "a late copy of the answer ends nothing else");
    assertEquals(List.of("b2#1"), dids(q.due(3)));
  }

  @Test
  void aDepositUnansweredWhileRegisteredIsGivenUpButNotWhileTheRendezvousIsDown() {
    DepositQueue<String> q = new DepositQueue<>();
    q.resume(0);
    q.add(deposit("b1", BOB, 353), 0);
    q.add(deposit("b2", BOB, 353), 0);
    assertTrue(q.unanswered(ms(29_999), ms(30_000)).isEmpty());
    q.pause();
    assertTrue(q.unanswered(ms(60_000), ms(30_000)).isEmpty(), "down: the deposits wait for the rendezvous");
    q.resume(ms(60_000));
    assertTrue(q.unanswered(ms(89_999), ms(30_000)).isEmpty(), "registered again: the wait starts over");
    List<DepositQueue.Outcome<String>> given = q.unanswered(ms(90_000), ms(30_000));
    assertEquals(List.of("b1"), given.stream().map(o -> o.deposit().did()).toList());
    assertEquals(DepositQueue.NO_ANSWER, given.get(0).reason());
    assertEquals(List.of("b2#1"), dids(q.due(ms(90_000))), "the next one tries in its turn");
  }

  @Test
  void theQueueIsBounded() {
    DepositQueue<String> q = new DepositQueue<>();
    for (int i = 0; i < DepositQueue.MAX_PENDING; i++) {
      assertTrue(q.add(deposit("d" + i, BOB, 353), 0));
    }
    assertFalse(q.add(deposit("over", CAROL, 353), 0));
    assertEquals(DepositQueue.MAX_PENDING, q.drain().size());
    assertEquals(0, q.pending());
  }
}
