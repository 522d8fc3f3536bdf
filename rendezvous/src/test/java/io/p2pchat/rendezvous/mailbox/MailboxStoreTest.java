package io.p2pchat.rendezvous.mailbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.p2pchat.crypto.CipherSuite;
import io.p2pchat.crypto.MailboxSeal;
import io.p2pchat.crypto.NodeIdentity;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The mailbox store as the rendezvous will use it: what a recipient picks up (everything deposited for it,
 * once, oldest first, until it acknowledges), what a depositor is refused (each bound by name), what
 * expires and who is told, what a restart keeps, and what its files hold (ciphertext only, owner-only).
 */
class MailboxStoreTest {
  /** Generous: a loaded 2-core machine fsyncs slowly. */
  private static final long TIMEOUT_SECONDS = 60;
  private static final long T0 = 1_800_000_000_000L;
  static final MailboxKey ALICE = key(1);
  static final MailboxKey BOB = key(2);
  private static final MailboxKey CAROL = key(3);

  @TempDir
  Path dir;
  private Vertx vertx;
  private MailboxStore store;

  static MailboxKey key(int n) {
    byte[] raw = new byte[32];
    raw[0] = (byte) n;
    return MailboxKey.of(raw);
  }

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void stop() throws Exception {
    if (store != null) {
      get(store.close());
    }
    get(vertx.close());
  }

  static <T> T get(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
  }

  private MailboxStore open(MailboxOptions options) throws Exception {
    store = get(MailboxStore.open(vertx, dir, options));
    return store;
  }

  private MailboxStore reopen(MailboxOptions options) throws Exception {
    get(store.close());
    store = null;
    return open(options);
  }

  private static Deposit deposit(MailboxKey from, MailboxKey to, String id, int bytes) {
    return new Deposit(to, from, id, new byte[bytes]);
  }

  private static List<String> ids(List<StoredMessage> messages) {
    return messages.stream().map(StoredMessage::depositId).toList();
  }

  private Refusal refusal(Future<Long> deposit) throws Exception {
    try {
      get(deposit);
      throw new AssertionError("the deposit was accepted");
    } catch (ExecutionException e) {
      return ((MailboxRefusedException) e.getCause()).refusal();
    }
  }

  @Test
  void aRecipientPicksUpEverythingInDepositOrderUntilItAcknowledges() throws Exception {
    open(new MailboxOptions());
    List<Future<Long>> acks = new ArrayList<>();
    for (int i = 0; i < 5; i++) { // two depositors interleaved
      acks.add(store.deposit(deposit(ALICE, BOB, "a" + i, 100), T0 + i));
      acks.add(store.deposit(deposit(CAROL, BOB, "c" + i, 100), T0 + i));
    }
    acks.add(store.deposit(deposit(ALICE, CAROL, "for-carol", 100), T0));
    for (Future<Long> ack : acks) {
      get(ack);
    }
    List<StoredMessage> bob = get(store.pickUp(BOB, 0, 100));
    assertEquals(List.of("a0", "c0", "a1", "c1", "a2", "c2", "a3", "c3", "a4", "c4"), ids(bob), "deposit order");
    assertEquals(List.of("a0", "c0", "a1"), ids(get(store.pickUp(BOB, 0, 3))), "oldest first, a page");
    assertEquals(List.of("c1", "a2"), ids(get(store.pickUp(BOB, bob.get(2).seq(), 2))), "the next page");
    assertEquals(ALICE, bob.get(0).depositor());
    assertEquals(T0, bob.get(0).depositedAtMillis());

    assertEquals(3, get(store.acknowledge(BOB, List.of(bob.get(0).seq(), bob.get(1).seq(), bob.get(2).seq()))));
    assertEquals(List.of("c1", "a2", "c2", "a3", "c3", "a4", "c4"), ids(get(store.pickUp(BOB, 0, 100))),
        "acknowledged messages are gone, the rest stays in order");
    long carolsSeq = get(store.pickUp(CAROL, 0, 1)).get(0).seq();
    assertEquals(0, get(store.acknowledge(BOB, List.of(carolsSeq))), "bob cannot delete carol's message");
    assertEquals(List.of("for-carol"), ids(get(store.pickUp(CAROL, 0, 10))));
  }

  @Test
  void aRetriedDepositIsStoredOnceAndAnsweredWithItsSequenceNumber() throws Exception {
    open(new MailboxOptions());
    long first = get(store.deposit(deposit(ALICE, BOB, "m1", 100), T0));
    long again = get(store.deposit(deposit(ALICE, BOB, "m1", 100), T0 + 1));
    assertEquals(first, again);
    assertEquals(1, get(store.pickUp(BOB, 0, 10)).size());
    JsonObject stats = get(store.stats());
    assertEquals(1, stats.getLong("messages"), "the retry is not counted against the bounds");
    assertEquals(1, stats.getLong("duplicates"));
  }

  @Test
  void aRetryIsAnsweredWithItsSequenceNumberEvenWhenTheMailboxIsFullByNow() throws Exception {
    open(new MailboxOptions().setMaxPerRecipient(2));
    long first = get(store.deposit(deposit(ALICE, BOB, "m1", 100), T0));
    get(store.deposit(deposit(CAROL, BOB, "m2", 100), T0));
    // alice never got the answer to m1, and retries: bob's mailbox is full, but m1 is in it.
    assertEquals(first, get(store.deposit(deposit(ALICE, BOB, "m1", 100), T0 + 5000)));
    assertEquals(Refusal.RECIPIENT_COUNT, refusal(store.deposit(deposit(ALICE, BOB, "m3", 100), T0)));
    assertEquals(List.of("m1", "m2"), ids(get(store.pickUp(BOB, 0, 10))));
  }

  @Test
  void aDepositOverEachBoundIsRefusedWithItsReasonAndStoresNothing() throws Exception {
    open(new MailboxOptions().setMaxEnvelopeBytes(1000).setMaxPerRecipient(3).setMaxBytesPerRecipient(2500)
        .setMaxPerDepositor(6).setMaxBytesPerDepositor(3000).setMaxTotal(9).setMaxTotalBytes(5000));
    assertEquals(Refusal.TOO_LARGE, refusal(store.deposit(deposit(ALICE, BOB, "big", 1001), T0)));
    assertEquals(Refusal.BAD_ID, refusal(store.deposit(deposit(ALICE, BOB, "no spaces", 10), T0)));
    assertEquals(Refusal.BAD_ID, refusal(store.deposit(deposit(ALICE, BOB, "x".repeat(65), 10), T0)));
    for (int i = 0; i < 3; i++) {
      get(store.deposit(deposit(ALICE, BOB, "b" + i, 100), T0));
    }
    assertEquals(Refusal.RECIPIENT_COUNT, refusal(store.deposit(deposit(CAROL, BOB, "b3", 100), T0)));
    get(store.deposit(deposit(ALICE, CAROL, "c0", 1000), T0));
    get(store.deposit(deposit(ALICE, CAROL, "c1", 1000), T0));
    assertEquals(Refusal.RECIPIENT_BYTES, refusal(store.deposit(deposit(BOB, CAROL, "c2", 600), T0)),
        "carol holds 2000 of her 2500 bytes");
    assertEquals(Refusal.DEPOSITOR_BYTES, refusal(store.deposit(deposit(ALICE, key(9), "d0", 1000), T0)),
        "alice holds 2300 of her 3000 bytes");
    get(store.deposit(deposit(ALICE, key(9), "d1", 100), T0));
    assertEquals(Refusal.DEPOSITOR_COUNT, refusal(store.deposit(deposit(ALICE, key(10), "e0", 10), T0)),
        "alice has her 6 messages waiting");
    get(store.deposit(deposit(BOB, key(11), "f0", 1000), T0));
    get(store.deposit(deposit(BOB, key(11), "f1", 1000), T0)); // 8 messages, 4400 bytes in all
    assertEquals(Refusal.TOTAL_BYTES, refusal(store.deposit(deposit(CAROL, key(12), "g0", 700), T0)));
    get(store.deposit(deposit(CAROL, key(12), "g1", 10), T0));
    assertEquals(Refusal.TOTAL_COUNT, refusal(store.deposit(deposit(CAROL, key(13), "h0", 10), T0)));

    JsonObject stats = get(store.stats());
    assertEquals(9, stats.getLong("messages"), "nothing refused was stored");
    assertEquals(4410, stats.getLong("bytes"));
    assertEquals(new JsonObject().put("too-large", 1L).put("bad-id", 2L).put("recipient-full", 1L)
        .put("recipient-bytes", 1L).put("depositor-full", 1L).put("depositor-bytes", 1L).put("store-full", 1L)
        .put("store-bytes", 1L), stats.getJsonObject("refused"));
    assertEquals(3, get(store.pickUp(BOB, 0, 10)).size());

    get(store.acknowledge(BOB, List.of(get(store.pickUp(BOB, 0, 1)).get(0).seq())));
    get(store.deposit(deposit(CAROL, BOB, "b4", 100), T0)); // room again in bob's mailbox and in the store
    assertEquals(Refusal.TOTAL_COUNT, refusal(store.deposit(deposit(CAROL, key(14), "b5", 100), T0)));
  }

  @Test
  void aFloodFromOneDepositorStopsAtItsBoundsAndLeavesRoomForOthers() throws Exception {
    open(new MailboxOptions().setMaxPerDepositor(200).setMaxBytesPerDepositor(200 * 400).setMaxTotal(1000));
    List<Future<Long>> flood = new ArrayList<>();
    for (int i = 0; i < 2000; i++) {
      flood.add(store.deposit(deposit(ALICE, key(100 + i % 50), "f" + i, 353), T0));
    }
    int accepted = 0;
    for (Future<Long> f : flood) {
      try {
        get(f);
        accepted++;
      } catch (ExecutionException e) {
        assertEquals(Refusal.DEPOSITOR_COUNT, ((MailboxRefusedException) e.getCause()).refusal());
      }
    }
    assertEquals(200, accepted);
    get(store.deposit(deposit(CAROL, BOB, "still-room", 353), T0));
    JsonObject stats = get(store.stats());
    assertEquals(201, stats.getLong("messages"));
    assertEquals(201 * 353, stats.getLong("bytes"));
  }

  @Test
  void depositsArrivingTogetherAreCommittedInOneTransactionEach() throws Exception {
    open(new MailboxOptions());
    List<Future<Long>> acks = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      acks.add(store.deposit(deposit(ALICE, BOB, "g" + i, 353), T0));
    }
    for (Future<Long> ack : acks) {
      get(ack);
    }
    JsonObject stats = get(store.stats());
    assertEquals(200, stats.getLong("deposited"));
    assertTrue(stats.getLong("commits") <= 20, "200 deposits in " + stats.getLong("commits") + " commits");
    assertTrue(stats.getLong("largestBatch") >= 10, "largest batch " + stats.getLong("largestBatch"));
  }

  @Test
  void whatOutlivesItsTimeToLiveExpiresAndItsDepositorIsToldUntilItAcknowledges() throws Exception {
    int ttl = 7 * 24 * 3600;
    open(new MailboxOptions().setTtlSeconds(ttl).setNoticeTtlSeconds(3600));
    get(store.deposit(deposit(ALICE, BOB, "old", 400), T0));
    get(store.deposit(deposit(CAROL, BOB, "new", 400), T0 + 1000));
    assertEquals(List.of(), get(store.expire(T0 + ttl * 1000L - 1)), "not yet");
    List<ExpiryNotice> notices = get(store.expire(T0 + ttl * 1000L));
    assertEquals(1, notices.size());
    ExpiryNotice n = notices.get(0);
    assertEquals(List.of(ALICE, BOB, "old", T0, T0 + ttl * 1000L, 400),
        List.of(n.depositor(), n.recipient(), n.depositId(), n.depositedAtMillis(), n.expiredAtMillis(), n.bytes()));
    assertEquals(List.of("new"), ids(get(store.pickUp(BOB, 0, 10))), "the expired message is gone");
    assertEquals(1, get(store.stats()).getLong("messages"));

    store = reopen(new MailboxOptions().setTtlSeconds(ttl).setNoticeTtlSeconds(3600));
    assertEquals(List.of("old"), get(store.notices(ALICE, 10)).stream().map(ExpiryNotice::depositId).toList(),
        "the notice survives a restart");
    assertEquals(List.of(), get(store.notices(CAROL, 10)));
    assertEquals(0, get(store.acknowledgeNotices(CAROL, List.of(n.noticeSeq()))), "only alice may acknowledge it");
    assertEquals(1, get(store.acknowledgeNotices(ALICE, List.of(n.noticeSeq()))));
    assertEquals(List.of(), get(store.notices(ALICE, 10)));

    List<ExpiryNotice> second = get(store.expire(T0 + ttl * 1000L + 1000));
    assertEquals(List.of("new"), second.stream().map(ExpiryNotice::depositId).toList());
    get(store.expire(T0 + ttl * 1000L + 1000 + 3600 * 1000L));
    assertEquals(List.of(), get(store.notices(CAROL, 10)), "an unacknowledged notice is forgotten after its own TTL");
  }

  /** Opens the store from {@code context}, which becomes its context: {@link MailboxStore#mayHoldFor} answers there. */
  private MailboxStore openOn(Context context, MailboxOptions options) throws Exception {
    if (store != null) {
      get(store.close());
    }
    store = get(Future.<MailboxStore>future(p -> context.runOnContext(v -> MailboxStore.open(vertx, dir, options)
        .onComplete(p))));
    return store;
  }

  private boolean mayHold(Context context, MailboxKey key) throws Exception {
    return get(Future.<Boolean>future(p -> context.runOnContext(v -> p.complete(store.mayHoldFor(key)))));
  }

  /**
   * What lets a registration skip its pick-up's reads: "nothing held" is answered from memory only when nothing
   * is held, messages for a recipient and expiry notices for a depositor, also after a restart; a notice the
   * database forgot by itself keeps the answer "may hold" until the depositor's next read.
   */
  @Test
  void aKeyWithNothingHeldIsKnownWithoutAReadAndAKeyWithMailNeverIs() throws Exception {
    int ttl = 7 * 24 * 3600;
    MailboxOptions options = new MailboxOptions().setTtlSeconds(ttl).setNoticeTtlSeconds(3600);
    Context context = vertx.getOrCreateContext();
    openOn(context, options);
    assertFalse(mayHold(context, BOB), "an empty store holds nothing");
    Future<Long> pending = store.deposit(deposit(ALICE, BOB, "m", 400), T0);
    assertTrue(mayHold(context, BOB), "a deposit counts from its acceptance");
    long seq = get(pending);
    assertTrue(mayHold(context, BOB), "a message waits for bob");
    assertFalse(mayHold(context, ALICE), "its depositor has no notice");
    assertTrue(store.mayHoldFor(CAROL), "off the store's context it cannot tell");
    openOn(context, options);
    assertTrue(mayHold(context, BOB), "counted again from the disk after a restart");
    get(store.pickUp(BOB, 0, 10));
    assertTrue(mayHold(context, BOB), "picked up, not acknowledged: still held");
    get(store.acknowledge(BOB, List.of(seq)));
    assertFalse(mayHold(context, BOB), "acknowledged: nothing held");

    get(store.deposit(deposit(ALICE, BOB, "old", 400), T0));
    assertEquals(1, get(store.expire(T0 + ttl * 1000L)).size());
    assertFalse(mayHold(context, BOB), "the expired message is gone");
    assertTrue(mayHold(context, ALICE), "a notice waits for its depositor");
    openOn(context, options);
    assertTrue(mayHold(context, ALICE), "the notice counted again from the disk after a restart");
    List<ExpiryNotice> notices = get(store.notices(ALICE, 10));
    assertTrue(mayHold(context, ALICE), "read, not acknowledged: still held");
    assertEquals(1, get(store.acknowledgeNotices(ALICE, List.of(notices.get(0).noticeSeq()))));
    assertFalse(mayHold(context, ALICE), "acknowledged: nothing held");

    get(store.deposit(deposit(CAROL, BOB, "late", 400), T0 + 1000));
    get(store.expire(T0 + ttl * 1000L + 1000));
    get(store.expire(T0 + ttl * 1000L + 1000 + 3600 * 1000L));
    assertTrue(mayHold(context, CAROL), "the database forgot carol's notice unseen: still counted");
    assertEquals(List.of(), get(store.notices(CAROL, 10)));
    assertFalse(mayHold(context, CAROL), "a read found none: nothing held");
  }

  @Test
  void aRestartKeepsEverythingAcknowledgedAndItsBounds() throws Exception {
    MailboxOptions options = new MailboxOptions().setMaxPerRecipient(50);
    open(options);
    List<Future<Long>> acks = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      acks.add(store.deposit(deposit(i % 2 == 0 ? ALICE : CAROL, BOB, "r" + i, 353 + i), T0 + i));
    }
    List<Long> seqs = new ArrayList<>();
    for (Future<Long> ack : acks) {
      seqs.add(get(ack));
    }
    List<StoredMessage> before = get(store.pickUp(BOB, 0, 100));
    store = reopen(options);
    List<StoredMessage> after = get(store.pickUp(BOB, 0, 100));
    assertEquals(ids(before), ids(after));
    assertEquals(seqs, after.stream().map(StoredMessage::seq).toList());
    for (int i = 0; i < 50; i++) {
      assertEquals(353 + i, after.get(i).envelope().length);
    }
    assertEquals(Refusal.RECIPIENT_COUNT, refusal(store.deposit(deposit(ALICE, BOB, "r50", 10), T0)),
        "the bounds count what was stored before the restart");
    get(store.acknowledge(BOB, List.of(seqs.get(0))));
    long next = get(store.deposit(deposit(ALICE, BOB, "r50", 10), T0));
    assertTrue(next > seqs.get(49), "a sequence number is never reused");
  }

  @Test
  void theStoresFilesHoldNoPlaintextOfASealedMessageAndAreOwnerOnly() throws Exception {
    open(new MailboxOptions());
    NodeIdentity alice = NodeIdentity.generate();
    NodeIdentity bob = NodeIdentity.generate();
    String secret = "MARKER-the-plan-is-at-nine";
    byte[] envelope = MailboxSeal.seal(alice, bob.staticPublicKey(), bob.signingPublicKey(),
        secret.getBytes(StandardCharsets.UTF_8), CipherSuite.AES_GCM);
    MailboxKey bobKey = MailboxKey.of(bob.signingPublicKey());
    get(store.deposit(new Deposit(bobKey, MailboxKey.of(alice.signingPublicKey()), "s1", envelope), T0));
    // The control: an envelope that is not sealed is found, so the search below can fail.
    String unsealed = "MARKER-unsealed-control";
    get(store.deposit(new Deposit(CAROL, ALICE, "u1", unsealed.getBytes(StandardCharsets.UTF_8)), T0));
    assertTrue(filesContain(unsealed), "the search finds what is stored in clear");
    assertTrue(!filesContain(secret), "the sealed message's text is nowhere in " + files());
    assertEquals(secret, new String(MailboxSeal.open(bob, get(store.pickUp(bobKey, 0, 1)).get(0).envelope())
        .plaintext(), StandardCharsets.UTF_8), "and bob still reads it");
    for (Path f : files()) {
      assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)), f.toString());
    }
    assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
    get(store.close());
    store = null;
    assertTrue(!filesContain(secret), "nor after the WAL was checkpointed into the database");
  }

  @Test
  void anAcknowledgedEnvelopeIsGoneFromTheFilesNotOnlyFromTheMailbox() throws Exception {
    open(new MailboxOptions());
    byte[] delivered = new byte[353];
    byte[] waiting = new byte[353];
    new java.util.Random(17).nextBytes(delivered);
    new java.util.Random(18).nextBytes(waiting);
    long seq = get(store.deposit(new Deposit(BOB, ALICE, "delivered", delivered), T0));
    get(store.deposit(new Deposit(BOB, ALICE, "waiting", waiting), T0));
    assertEquals(1, get(store.acknowledge(BOB, List.of(seq))));
    get(store.close());
    store = null;
    assertTrue(filesContain(java.util.Arrays.copyOfRange(waiting, 100, 164)), "the search finds a stored envelope");
    assertTrue(!filesContain(java.util.Arrays.copyOfRange(delivered, 100, 164)),
        "the acknowledged envelope's bytes are overwritten (secure_delete)");
  }

  private List<Path> files() throws Exception {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(Files::isRegularFile).toList();
    }
  }

  private boolean filesContain(String marker) throws Exception {
    return filesContain(marker.getBytes(StandardCharsets.UTF_8));
  }

  private boolean filesContain(byte[] needle) throws Exception {
    for (Path f : files()) {
      byte[] hay = Files.readAllBytes(f);
      outer:
      for (int i = 0; i + needle.length <= hay.length; i++) {
        for (int j = 0; j < needle.length; j++) {
          if (hay[i + j] != needle[j]) {
            continue outer;
          }
        }
        return true;
      }
    }
    return false;
  }
}
