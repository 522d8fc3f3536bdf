package io.p2pchat.rendezvous.cluster;

import static io.p2pchat.rendezvous.cluster.MailboxMember.ALICE;
import static io.p2pchat.rendezvous.cluster.MailboxMember.BOB;
import static io.p2pchat.rendezvous.cluster.MailboxMember.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import io.p2pchat.rendezvous.mailbox.Deposit;
import io.p2pchat.rendezvous.mailbox.MailboxKey;
import io.p2pchat.rendezvous.mailbox.StoredMessage;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 17 in a cluster, at the level of the mailbox: real Hazelcast members on 127.0.0.1, each with its own
 * mailbox directory. A deposit at one instance is picked up at another, promptly; a retried deposit id is one
 * entry wherever it is retried; the instance deposits were made at is killed with {@code kill -9} and every
 * acknowledged deposit is found at a survivor; what was delivered never comes back, neither when the killed
 * instance returns nor after a restart of the whole cluster. Run: {@code mvn -Pcluster verify}.
 */
class ClusteredMailboxIT {
  /** Acknowledged deposits before the kill: many, with the next one in flight when the signal lands. */
  private static final int ACKS_BEFORE_KILL = 300;
  /** Of those, delivered (picked up and acknowledged at a survivor) before the kill, and as many after it. */
  private static final int DELIVERED_BEFORE_KILL = 50;
  private static final long PROCESS_SECONDS = 120;
  /** Deposits from each of two depositors at two instances at once. */
  private static final int CONCURRENT_DEPOSITS = 300;
  /** A rendezvous's pick-up window (MailboxDelivery: 32 unacknowledged). */
  private static final int WINDOW = 32;
  private static final MailboxKey CAROL = MailboxMember.key(3);
  /** Everything one recipient holds, in one pick-up. */
  private static final int ALL = Integer.MAX_VALUE;

  private final List<MailboxMember> members = new ArrayList<>();
  private Process child;

  static String depositId(int n) {
    return String.format("d%06d", n);
  }

  @AfterEach
  void tearDown() throws Exception {
    if (child != null) {
      child.destroyForcibly().waitFor(PROCESS_SECONDS, TimeUnit.SECONDS);
    }
    for (MailboxMember m : members) {
      m.stop();
    }
  }

  private MailboxMember member(String xml, Path dir) throws Exception {
    MailboxMember m = MailboxMember.start(xml, dir);
    members.add(m);
    return m;
  }

  private void stopAll() throws Exception {
    for (MailboxMember m : members) {
      m.stop();
    }
    members.clear();
  }

  @Test
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void aDepositAtOneInstanceIsPickedUpAtAnotherAndARetriedIdIsOneEntry() throws Exception {
    Path dir = Files.createTempDirectory(Path.of("target"), "mailbox-cluster").toAbsolutePath();
    String xml = TestCluster.hazelcastXml(TestCluster.freeTcpRange(2), 2);
    MailboxMember a = member(xml, dir.resolve("a"));
    MailboxMember b = member(xml, dir.resolve("b"));
    Promise<MailboxKey> arrived = Promise.promise();
    b.mailbox.arrivalHandler(key -> arrived.tryComplete(key));

    List<Long> seqs = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      seqs.add(await(a.mailbox.deposit(deposit(i), System.currentTimeMillis())));
    }
    assertEquals(BOB, await(arrived.future()), "B hears of a deposit for bob made at A");
    List<StoredMessage> atB = await(b.mailbox.pickUp(BOB, 0, ALL));
    assertEquals(ids(0, 20), atB.stream().map(StoredMessage::depositId).toList(), "all 20, in deposit order, at B");
    assertEquals(seqs, atB.stream().map(StoredMessage::seq).toList());

    // Bob's node retries d000003 at B (its answer from A was lost): the same entry, the same number.
    assertEquals(seqs.get(3), await(b.mailbox.deposit(deposit(3), System.currentTimeMillis())));
    assertEquals(20, await(a.mailbox.pickUp(BOB, 0, ALL)).size(), "still one entry per id, at A too");
    assertEquals(0, await(b.mailbox.stats()).getLong("messages"), "B stored no copy of the retry");

    // Delivered at B: gone at both, and deleted from A's disk (where it was deposited).
    assertEquals(20, await(b.mailbox.acknowledge(BOB, seqs)));
    assertEquals(List.of(), await(a.mailbox.pickUp(BOB, 0, ALL)));
    awaitLocalMessages(a, 0);
  }

  @Test
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void anExpiryNoticeMadeAtOneInstanceIsPickedUpAtAnotherAndOnceAcknowledgedNeverComesBack() throws Exception {
    Path dir = Files.createTempDirectory(Path.of("target"), "mailbox-cluster").toAbsolutePath();
    String xml = TestCluster.hazelcastXml(TestCluster.freeTcpRange(2), 2);
    MailboxMember a = member(xml, dir.resolve("a"));
    MailboxMember b = member(xml, dir.resolve("b"));
    Promise<MailboxKey> noticed = Promise.promise();
    b.mailbox.noticeHandler(key -> noticed.tryComplete(key));
    // Deposited at A a time to live and a second ago: A's next expiry run turns it into a notice for alice.
    long now = System.currentTimeMillis();
    long depositedAt = now - TimeUnit.SECONDS.toMillis(MailboxMember.options().getTtlSeconds() + 1);
    await(a.mailbox.deposit(deposit(0), depositedAt));
    assertEquals(1, await(a.mailbox.expire(now)).size());
    assertEquals(ALICE, await(noticed.future()), "B hears of a notice for alice made at A");
    assertEquals(List.of(), await(b.mailbox.pickUp(BOB, 0, ALL)), "the expired message is gone at B too");
    List<io.p2pchat.rendezvous.mailbox.ExpiryNotice> atB = await(b.mailbox.notices(ALICE, ALL));
    assertEquals(List.of(depositId(0)), atB.stream().map(n -> n.depositId()).toList(), "alice's notice, at B");
    assertEquals(1, await(b.mailbox.acknowledgeNotices(ALICE, List.of(atB.get(0).noticeSeq()))));
    assertEquals(List.of(), await(a.mailbox.notices(ALICE, ALL)));

    // Acknowledged at B: deleted from A's disk too (A asked over the event bus), so a restart of the whole
    // cluster does not bring it back.
    awaitStats(a, "A deleted the acknowledged notice from its disk",
        stats -> stats.getJsonObject("cluster").getLong("forgotten") == 1);
    stopAll();
    member(xml, dir.resolve("a"));
    MailboxMember b2 = member(xml, dir.resolve("b"));
    assertEquals(List.of(), await(b2.mailbox.notices(ALICE, ALL)), "an acknowledged notice came back");
  }

  @Test
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void aPickUpAfterItsLastNumberMissesNoneOfDepositsMadeAtTwoInstancesAtOnce() throws Exception {
    Path dir = Files.createTempDirectory(Path.of("target"), "mailbox-cluster").toAbsolutePath();
    String xml = TestCluster.hazelcastXml(TestCluster.freeTcpRange(3), 3);
    MailboxMember a = member(xml, dir.resolve("a"));
    MailboxMember b = member(xml, dir.resolve("b"));
    MailboxMember c = member(xml, dir.resolve("c"));
    // Alice deposits at A, carol at B, each one deposit after the other, both at once; bob at C picks up as a
    // rendezvous sends mail: a window at a time, each page after the last number it sent.
    long started = System.nanoTime();
    Future<Void> fromAlice = depositInTurn(a, ALICE, CONCURRENT_DEPOSITS);
    Future<Void> fromCarol = depositInTurn(b, CAROL, CONCURRENT_DEPOSITS);
    List<StoredMessage> seen = new ArrayList<>();
    long after = 0;
    while (true) {
      boolean depositing = !(fromAlice.isComplete() && fromCarol.isComplete());
      List<StoredMessage> page = await(c.mailbox.pickUp(BOB, after, WINDOW));
      seen.addAll(page);
      after = page.isEmpty() ? after : page.get(page.size() - 1).seq();
      if (!depositing && page.isEmpty()) {
        break;
      }
    }
    await(Future.all(fromAlice, fromCarol));
    System.out.printf("mailbox cluster: %d deposits, one at a time at each of two instances, picked up at a third"
        + " meanwhile, in %d ms%n", 2 * CONCURRENT_DEPOSITS, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    assertEquals(ids(0, CONCURRENT_DEPOSITS), seen.stream().filter(m -> m.depositor().equals(ALICE))
        .map(StoredMessage::depositId).toList(), "alice's deposits, each once, in her order");
    assertEquals(ids(0, CONCURRENT_DEPOSITS), seen.stream().filter(m -> m.depositor().equals(CAROL))
        .map(StoredMessage::depositId).toList(), "carol's deposits, each once, in her order");
  }

  /** {@code count} deposits for bob from {@code depositor} at {@code at}, each once the one before is acknowledged. */
  private static Future<Void> depositInTurn(MailboxMember at, MailboxKey depositor, int count) {
    Future<Void> chain = Future.succeededFuture();
    for (int i = 0; i < count; i++) {
      Deposit d = new Deposit(BOB, depositor, depositId(i), new byte[ClusteredMailboxChild.ENVELOPE_BYTES]);
      chain = chain.compose(v -> at.mailbox.deposit(d, System.currentTimeMillis()).mapEmpty());
    }
    return chain;
  }

  @Test
  @Timeout(value = 400, unit = TimeUnit.SECONDS)
  void everyAcknowledgedDepositSurvivesAKillDashNineAndNothingDeliveredComesBack() throws Exception {
    Path dir = Files.createTempDirectory(Path.of("target"), "mailbox-cluster").toAbsolutePath();
    String xml = TestCluster.hazelcastXml(TestCluster.freeTcpRange(3), 3);
    Path xmlFile = dir.resolve("cluster.xml");
    Files.writeString(xmlFile, xml);
    MailboxMember b = member(xml, dir.resolve("b"));
    member(xml, dir.resolve("c"));
    CountDownLatch aLeft = new CountDownLatch(1);
    b.hazelcast.getCluster().addMembershipListener(new MembershipListener() {
      @Override
      public void memberAdded(MembershipEvent event) {
      }

      @Override
      public void memberRemoved(MembershipEvent event) {
        aLeft.countDown();
      }
    });

    // A, in a JVM of its own, deposits for bob one after the other until it is killed.
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    command.addAll(TestCluster.JAVA_FLAGS);
    command.addAll(List.of("-Xmx256m", "-cp", System.getProperty("java.class.path"),
        ClusteredMailboxChild.class.getName(), xmlFile.toString(), dir.resolve("a").toString()));
    child = new ProcessBuilder(command).redirectError(dir.resolve("a.err").toFile()).start();
    Map<String, Long> acked = new LinkedHashMap<>();
    List<Long> delivered = new ArrayList<>();
    Set<String> deliveredIds = new HashSet<>();
    try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = out.readLine()) != null) {
        assertTrue(!line.startsWith("FAILED"), line);
        if (!line.startsWith("ACK ")) {
          continue;
        }
        String[] parts = line.split(" ");
        acked.put(parts[1], Long.parseLong(parts[2]));
        if (acked.size() == DELIVERED_BEFORE_KILL) {
          // Bob, registered at B, picks up the first 50 and acknowledges them, while A deposits on.
          List<StoredMessage> first = await(b.mailbox.pickUp(BOB, 0, DELIVERED_BEFORE_KILL));
          first.forEach(m -> {
            delivered.add(m.seq());
            deliveredIds.add(m.depositId());
          });
          assertEquals(DELIVERED_BEFORE_KILL, await(b.mailbox.acknowledge(BOB, delivered)));
        }
        if (acked.size() == ACKS_BEFORE_KILL) {
          // kill -9: no shutdown, no migration, no flush. (destroyForcibly would close our end of its stdout
          // and lose the acknowledgements still in the pipe.)
          assertEquals(0, new ProcessBuilder("kill", "-9", Long.toString(child.pid())).start().waitFor());
        }
      }
    }
    assertTrue(child.waitFor(PROCESS_SECONDS, TimeUnit.SECONDS));
    assertEquals(137, child.exitValue(), "killed by SIGKILL; stderr in " + dir.resolve("a.err"));
    assertTrue(aLeft.await(PROCESS_SECONDS, TimeUnit.SECONDS), "B noticed that A is gone");
    Set<String> expected = new HashSet<>(acked.keySet());
    expected.removeAll(deliveredIds);
    System.out.printf("mailbox cluster: %d acknowledged at A before kill -9, %d delivered at B before it%n",
        acked.size(), deliveredIds.size());

    // Every acknowledged deposit is at the survivors, once, in A's order; nothing delivered is back.
    assertHeld(b, "after kill -9 of A", expected, deliveredIds);
    // A retried deposit id is the same entry at another instance.
    String retried = expected.iterator().next();
    assertEquals(acked.get(retried), await(b.mailbox.deposit(deposit(Integer.parseInt(retried.substring(1))),
        System.currentTimeMillis())));

    // Bob picks up 50 more at B and acknowledges them while A is down: A's disk still holds those.
    List<StoredMessage> whileDown = await(b.mailbox.pickUp(BOB, 0, DELIVERED_BEFORE_KILL));
    assertEquals(DELIVERED_BEFORE_KILL, await(b.mailbox.acknowledge(BOB,
        whileDown.stream().map(StoredMessage::seq).toList())));
    whileDown.forEach(m -> deliveredIds.add(m.depositId()));
    expected.removeAll(deliveredIds);

    // A returns on its disk: what was delivered meanwhile is deleted there, not offered again.
    MailboxMember again = member(xml, dir.resolve("a"));
    assertHeld(again, "with A back", expected, deliveredIds);
    assertHeld(b, "at B with A back", expected, deliveredIds);

    // The whole cluster stops and starts again: every disk reloaded, nothing delivered among it.
    stopAll();
    MailboxMember a2 = member(xml, dir.resolve("a"));
    member(xml, dir.resolve("b"));
    MailboxMember c2 = member(xml, dir.resolve("c"));
    assertHeld(a2, "after a restart of the whole cluster", expected, deliveredIds);
    assertHeld(c2, "after a restart of the whole cluster, at C", expected, deliveredIds);
  }

  /**
   * At {@code at}: each of {@code expected} once, in deposit order; none of {@code delivered}. (Deposits stored at A but not acknowledged
   * when it was killed may be there too: their depositor retries them, and gets the same entry.)
   */
  private static void assertHeld(MailboxMember at, String when, Set<String> expected, Set<String> delivered) throws Exception {
    List<StoredMessage> held = await(at.mailbox.pickUp(BOB, 0, ALL));
    List<String> ids = held.stream().map(StoredMessage::depositId).toList();
    assertEquals(ids.size(), new HashSet<>(ids).size(), when + ": each deposit once");
    assertEquals(ids.stream().sorted().toList(), ids, when + ": in deposit order");
    Set<String> missing = new HashSet<>(expected);
    missing.removeAll(ids);
    assertEquals(Set.of(), missing, when + ": acknowledged deposits missing");
    Set<String> back = new HashSet<>(ids);
    back.retainAll(delivered);
    assertEquals(Set.of(), back, when + ": delivered deposits came back");
    System.out.printf("mailbox cluster: %s: %d held (%d acknowledged, not delivered)%n", when, ids.size(),
        expected.size());
  }

  private static Deposit deposit(int n) {
    return new Deposit(BOB, ALICE, depositId(n), new byte[ClusteredMailboxChild.ENVELOPE_BYTES]);
  }

  private static List<String> ids(int from, int to) {
    List<String> out = new ArrayList<>();
    for (int i = from; i < to; i++) {
      out.add(depositId(i));
    }
    return out;
  }

  /** Waits until {@code m}'s own disk holds {@code count} messages (its origin deletions arrive by event bus). */
  private static void awaitLocalMessages(MailboxMember m, long count) throws Exception {
    awaitStats(m, "A's disk still holds delivered messages", stats -> stats.getLong("messages") == count);
  }

  /** Waits until {@code m}'s stats satisfy {@code condition} (what arrives by event bus has no Future here). */
  private static void awaitStats(MailboxMember m, String what, java.util.function.Predicate<io.vertx.core.json.JsonObject> condition)
      throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(PROCESS_SECONDS);
    while (!condition.test(await(m.mailbox.stats()))) {
      assertTrue(System.nanoTime() < deadline, what);
      await(Future.<Void>future(p -> m.vertx.setTimer(50, t -> p.complete())));
    }
  }
}
