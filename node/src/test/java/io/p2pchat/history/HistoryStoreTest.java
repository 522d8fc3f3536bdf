package io.p2pchat.history;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.p2pchat.history.HistoryEntry.Direction;
import io.p2pchat.history.HistoryEntry.State;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.List;
import java.util.ArrayList;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HistoryStoreTest {

  private static final long FLUSH_TIMEOUT_SECONDS = 30;

  @TempDir
  Path dir;

  private static HistoryEntry entry(int i, String peer) {
    return new HistoryEntry("m" + i, i % 2 == 0 ? Direction.OUT : Direction.IN, peer, "alice", peer == null ? "lobby" : peer,
        "hello " + i + " héllo", 1_700_000_000_000L + i, State.SENDING);
  }

  private static void flush(HistoryStore store) throws Exception {
    store.flush().get(FLUSH_TIMEOUT_SECONDS, TimeUnit.SECONDS);
  }

  @Test
  void writeReopenReadBack() throws Exception {
    try (HistoryStore store = HistoryStore.open(dir, new HistoryOptions())) {
      for (int i = 0; i < 20; i++) {
        store.append(entry(i, i % 2 == 0 ? null : "bob"));
      }
      flush(store); // the adds are written: the changes are records of their own
      store.updateState("m3", "bob", State.DELIVERED);
      store.updateState("m4", null, State.FAILED);
      flush(store);
    }
    try (HistoryStore store = HistoryStore.open(dir, new HistoryOptions())) {
      assertEquals(22, store.recoveredRecords());
      List<HistoryEntry> bob = store.recent("bob", 100);
      assertEquals(10, bob.size());
      assertEquals(entry(1, "bob"), bob.get(0));
      assertEquals(entry(3, "bob").withState(State.DELIVERED), bob.get(1));
      List<HistoryEntry> room = store.recent(null, 3);
      assertEquals(List.of(entry(14, null), entry(16, null), entry(18, null)), room);
      assertEquals(State.FAILED, store.recent(null, 100).get(2).state());
    }
  }

  @Test
  void queuedMessagesSurviveAReopenAsUnfinishedUntilTheirReceipt() throws Exception {
    HistoryEntry queued = entry(2, "bob");
    HistoryEntry sending = entry(4, "bob");
    try (HistoryStore store = HistoryStore.open(dir, new HistoryOptions())) {
      store.append(entry(0, "bob"));
      store.append(queued);
      store.append(sending);
      store.append(entry(1, "bob")); // received: never unfinished
      flush(store);
      store.updateState("m0", "bob", State.DELIVERED);
      store.updateState("m2", "bob", State.QUEUED);
      flush(store);
    }
    try (HistoryStore store = HistoryStore.open(dir, new HistoryOptions())) {
      assertEquals(List.of(queued.withState(State.QUEUED), sending), store.unfinished(100));
      assertEquals(List.of(sending), store.unfinished(1), "the newest within the limit");
      store.updateState("m2", "bob", State.DELIVERED); // its receipt came
      store.updateState("m2", "bob", State.QUEUED);    // a retried deposited answer, late: changes nothing
      assertEquals(List.of(sending), store.unfinished(100));
      assertEquals(State.DELIVERED, store.recent("bob", 100).stream().filter(e -> e.id().equals("m2")).findFirst()
        .orElseThrow().state());
    }
  }

  /** Appends each followed by a waiter, per thread: enough to meet the writer mid-swap many times over. */
  private static final int RACING_WAITERS = 5_000;
  /** Threads asking at once: more than the machine's two cores, so callers are descheduled mid-call. */
  private static final int RACING_THREADS = 4;

  @Test
  void aFailedRoomMessageStaysFailedWhenAnotherPeerAcknowledgesIt() throws Exception {
    try (HistoryStore store = HistoryStore.open(dir, new HistoryOptions())) {
      store.append(entry(0, null));
      flush(store); // the add record is written: each change below is a record of its own
      store.updateState("m0", null, State.DELIVERED); // carol acknowledged it
      store.updateState("m0", null, State.FAILED);    // bob never did
      store.updateState("m0", null, State.DELIVERED); // dave, late
      assertEquals(State.FAILED, store.recent(null, 1).get(0).state());
      flush(store);
    }
    try (HistoryStore store = HistoryStore.open(dir, new HistoryOptions())) {
      assertEquals(State.FAILED, store.recent(null, 1).get(0).state());
      assertEquals(3, store.recoveredRecords(), "the add and two state changes; the ignored one is not written");
    }
  }

  /**
   * Waiters asked for while the writer takes a batch: each must complete. A waiter once went into
   * the list the writer had just taken and settled (the list was read outside the lock), and its
   * flush() never completed: an intermittent 30 s hang of the test above.
   */
  @Test
  void everyFlushAndWrittenAskedWhileTheWriterWorksCompletes() throws Exception {
    HistoryOptions busyWriter = new HistoryOptions().setCommitIntervalMillis(0).setSyncIntervalMillis(60_000);
    List<CompletableFuture<Void>> waiters = Collections.synchronizedList(new ArrayList<>());
    try (HistoryStore store = HistoryStore.open(dir, busyWriter)) {
      // Several threads at once, as event loops and workers of one node may: more callers caught
      // between choosing a list and adding to it while the writer swaps.
      Thread[] callers = new Thread[RACING_THREADS];
      for (int t = 0; t < callers.length; t++) {
        int first = t * RACING_WAITERS;
        callers[t] = new Thread(() -> {
          for (int i = first; i < first + RACING_WAITERS; i++) {
            store.append(entry(i, "bob"));
            waiters.add(i % 2 == 0 ? store.written() : store.flush());
          }
        });
        callers[t].start();
      }
      for (Thread caller : callers) {
        caller.join();
      }
      CompletableFuture.allOf(waiters.toArray(CompletableFuture[]::new)).get(FLUSH_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }
  }

  @Test
  void eachCommitIsWrittenAndOnlyFlushOrTheSyncIntervalFsyncs() throws Exception {
    // Commits as fast as records come, an fsync interval longer than the test: five commits, no fsync.
    HistoryOptions rareSyncs = new HistoryOptions().setCommitIntervalMillis(0).setSyncIntervalMillis(60_000);
    try (HistoryStore store = HistoryStore.open(dir, rareSyncs)) {
      for (int i = 0; i < 5; i++) {
        store.append(entry(i, "bob"));
        store.written().get(FLUSH_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      }
      assertEquals(5, store.commits());
      assertEquals(0, store.syncs(), "written, not yet fsynced");
      flush(store);
      assertEquals(1, store.syncs(), "flush fsyncs what was written");
    }
    try (HistoryStore store = HistoryStore.open(dir, new HistoryOptions())) {
      assertEquals(5, store.recoveredRecords());
    }
    // With nothing more to write, what was written is fsynced once the interval is over.
    HistoryOptions quickSyncs = new HistoryOptions().setCommitIntervalMillis(0).setSyncIntervalMillis(50);
    try (HistoryStore store = HistoryStore.open(dir, quickSyncs)) {
      store.append(entry(5, "bob"));
      store.synced().get(FLUSH_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      assertEquals(1, store.syncs(), "the fsync due 50 ms after the write, without a flush");
      assertEquals(1, store.commits());
    }
  }

  @Test
  void aStateChangeBeforeTheAddIsWrittenRidesOnTheAdd() throws Exception {
    // A long commit interval: after the first flush the writer waits, so the next add stays queued.
    HistoryOptions slowCommits = new HistoryOptions().setCommitIntervalMillis(10_000);
    try (HistoryStore store = HistoryStore.open(dir, slowCommits)) {
      store.append(entry(0, null));
      flush(store);
      store.append(entry(2, "bob"));
      store.updateState("m2", "bob", State.DELIVERED);
      store.append(entry(4, null));
      store.updateState("m4", null, State.FAILED);
      store.updateState("m4", null, State.DELIVERED);
      flush(store);
    }
    try (HistoryStore store = HistoryStore.open(dir, new HistoryOptions())) {
      assertEquals(3, store.recoveredRecords(), "three adds, no state records");
      assertEquals(entry(2, "bob").withState(State.DELIVERED), store.recent("bob", 1).get(0));
      assertEquals(State.FAILED, store.recent(null, 1).get(0).state());
    }
  }

  @Test
  void textsOfEveryKindComeBackUnchanged() throws Exception {
    String[] texts = {"he said \"hi\" \\ back", "line one\nline two\ttab\r", "bell \u0007 nul \u0000 del \u007f",
      "héllo wörld ça", "emoji 😀 and 中文", "</script>", "", "ü".repeat(32_768), // 64 KiB of UTF-8
      "ascii ".repeat(200) + "end", "short ascii after a long one", // the writer's reused ASCII buffer grows, then serves less
      "\u0141\u0100 low bytes 'A' and NUL: not ASCII"}; // a char whose low byte alone would pass for ASCII
    try (HistoryStore store = HistoryStore.open(dir, new HistoryOptions())) {
      for (int i = 0; i < texts.length; i++) {
        store.append(new HistoryEntry("x-" + i, Direction.IN, "bob \"the\" builder", "bob \"the\" builder", null,
          texts[i], 1_700_000_000_000L + i, State.DELIVERED));
      }
      flush(store);
    }
    try (HistoryStore store = HistoryStore.open(dir, new HistoryOptions())) {
      List<HistoryEntry> back = store.recent("bob \"the\" builder", 100);
      assertEquals(texts.length, back.size());
      for (int i = 0; i < texts.length; i++) {
        assertEquals(texts[i], back.get(i).text());
        assertEquals("bob \"the\" builder", back.get(i).from());
        assertNull(back.get(i).to());
      }
    }
  }

  @Test
  void aJournalOfJsonRecordsFromAnEarlierVersionIsStillRead() throws Exception {
    Path file = dir.resolve(HistoryOptions.DEFAULT_FILE_NAME);
    Files.createDirectories(dir);
    Files.write(file, concat(
      frame("{\"id\":\"a-1\",\"dir\":\"OUT\",\"peer\":\"bob\",\"from\":\"alice\",\"to\":\"bob\",\"text\":\"hi \\\"bob\\\"\","
        + "\"ts\":1700000000000,\"state\":\"SENDING\",\"op\":\"add\"}"),
      frame("{\"op\":\"state\",\"id\":\"a-1\",\"peer\":\"bob\",\"state\":\"DELIVERED\"}"),
      frame("{\"op\":\"reaction\",\"id\":\"a-1\"}"))); // a kind of record from a later version: skipped
    try (HistoryStore store = HistoryStore.open(dir, new HistoryOptions())) {
      assertEquals(3, store.recoveredRecords());
      assertEquals(0, store.truncatedBytes());
      assertEquals(new HistoryEntry("a-1", Direction.OUT, "bob", "alice", "bob", "hi \"bob\"", 1_700_000_000_000L,
        State.DELIVERED), store.recent("bob", 1).get(0));
      store.append(entry(1, "bob")); // new records are binary, after the JSON ones
      flush(store);
    }
    try (HistoryStore store = HistoryStore.open(dir, new HistoryOptions())) {
      assertEquals(4, store.recoveredRecords());
      assertEquals(List.of("a-1", "m1"), store.recent("bob", 10).stream().map(HistoryEntry::id).toList());
    }
  }

  @Test
  void aRecordThatPassesItsCrcButMakesNoSenseEndsTheJournal() throws Exception {
    try (HistoryStore store = HistoryStore.open(dir, new HistoryOptions())) {
      store.append(entry(0, "bob"));
      flush(store);
    }
    Path file = dir.resolve(HistoryOptions.DEFAULT_FILE_NAME);
    // An add record whose id claims 200 bytes that are not there.
    byte[] nonsense = {JournalEncoder.ADD, 0, 0, 0, 0, 0, 0, 0, 0, 1, (byte) 200, 1, 'x'};
    Files.write(file, frame(nonsense), StandardOpenOption.APPEND);
    try (HistoryStore store = HistoryStore.open(dir, new HistoryOptions())) {
      assertEquals(1, store.recoveredRecords());
      assertEquals(8 + nonsense.length, store.truncatedBytes());
      assertEquals("m0", store.recent("bob", 1).get(0).id());
    }
  }

  private static byte[] frame(String json) {
    return frame(json.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  /** A journal record as the store frames it: length, CRC32C, body. */
  private static byte[] frame(byte[] body) {
    java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
    crc.update(body);
    return java.nio.ByteBuffer.allocate(8 + body.length).putInt(body.length).putInt((int) crc.getValue()).put(body).array();
  }

  private static byte[] concat(byte[]... parts) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    for (byte[] part : parts) {
      out.writeBytes(part);
    }
    return out.toByteArray();
  }

  @Test
  void recentKeepsOnlyTheLastNPerConversation() throws Exception {
    try (HistoryStore store = HistoryStore.open(dir, new HistoryOptions().setRecentPerConversation(5))) {
      for (int i = 0; i < 50; i++) {
        store.append(entry(i, "bob"));
      }
      assertEquals(5, store.recent("bob", 100).size());
      assertEquals("m49", store.recent("bob", 1).get(0).id());
    }
  }

  @Test
  void recentAllKeepsMessagesOfOneMillisecondInTheOrderTheyWereSent() throws Exception {
    try (HistoryStore store = HistoryStore.open(dir, new HistoryOptions())) {
      long ts = 1_700_000_000_000L;
      for (String id : List.of("b1", "b2", "b3")) { // a batch: one timestamp
        store.append(new HistoryEntry(id, Direction.OUT, "bob", "alice", "bob", id, ts, State.SENDING));
      }
      store.append(new HistoryEntry("r1", Direction.OUT, null, "alice", "lobby", "r1", ts + 1, State.SENDING));
      assertEquals(List.of("b1", "b2", "b3", "r1"), store.recentAll(100).stream().map(HistoryEntry::id).toList());
      assertEquals(List.of("b3", "r1"), store.recentAll(2).stream().map(HistoryEntry::id).toList());
    }
  }

  /**
   * A live message held back for its sender's older mail (docs/PROTOCOL.md, "Pick-up") is recorded first and shown
   * after that mail: the history lists it after the mail too, for the conversation alone and among all, and again
   * after a restart. Listed in the order recorded, the conversation alone showed it first.
   */
  @Test
  void aLiveMessageRecordedBeforeItsSendersOlderMailIsListedAfterItAsItWasShown() throws Exception {
    long away = 1_700_000_000_000L;
    long back = away + 60_000;
    HistoryEntry live = new HistoryEntry("live", Direction.IN, "bob", "bob", "alice", "back?", back, State.DELIVERED);
    HistoryEntry mail1 = new HistoryEntry("mail1", Direction.IN, "bob", "bob", "alice", "are you", away, State.DELIVERED);
    HistoryEntry mail2 = new HistoryEntry("mail2", Direction.IN, "bob", "bob", "alice", "there?", away + 1,
      State.DELIVERED);
    List<String> shown = List.of("mail1", "mail2", "live");
    try (HistoryStore store = HistoryStore.open(dir, new HistoryOptions())) {
      store.append(live); // held: recorded at once, shown once the mail is in
      store.append(mail1);
      store.append(mail2);
      assertEquals(shown, store.recent("bob", 100).stream().map(HistoryEntry::id).toList());
      assertEquals(shown, store.recentAll(100).stream().map(HistoryEntry::id).toList());
      assertEquals(List.of("mail2", "live"), store.recent("bob", 2).stream().map(HistoryEntry::id).toList(),
        "the last two as shown");
      flush(store);
    }
    try (HistoryStore store = HistoryStore.open(dir, new HistoryOptions())) {
      assertEquals(shown, store.recent("bob", 100).stream().map(HistoryEntry::id).toList());
      assertEquals(shown, store.recentAll(100).stream().map(HistoryEntry::id).toList());
    }
  }

  /**
   * Messages of one millisecond in several conversations (a room batch, then direct ones, then the
   * room again) come back in the order they were recorded, not in the order the conversations
   * happen to be kept: ChatClientTest saw a direct batch listed before the room batch sent first.
   */
  @Test
  void recentAllKeepsOneMillisecondAcrossConversationsInTheOrderRecorded() throws Exception {
    try (HistoryStore store = HistoryStore.open(dir, new HistoryOptions())) {
      long ts = 1_700_000_000_000L;
      List<String> recorded = List.of("r1", "r2", "zed-1", "bob-1", "bob-2", "r3", "amy-1");
      for (String id : recorded) {
        String peer = id.startsWith("r") ? null : id.substring(0, id.indexOf('-'));
        store.append(new HistoryEntry(id, Direction.OUT, peer, "alice", peer == null ? "lobby" : peer, id, ts,
          State.SENDING));
      }
      assertEquals(recorded, store.recentAll(100).stream().map(HistoryEntry::id).toList());
      assertEquals(recorded.subList(4, 7), store.recentAll(3).stream().map(HistoryEntry::id).toList());
    }
  }

  /**
   * {@code hasIncoming} (asked for every message received) finds a received line by conversation, sender and id,
   * through its index: after a restart too, never one forgotten (pushed out of its conversation, or its conversation
   * dropped), and one of an id another sender reused as well.
   */
  @Test
  void hasIncomingFindsAReceivedLineByConversationSenderAndIdWhileItIsRemembered() throws Exception {
    HistoryOptions small = new HistoryOptions().setRecentPerConversation(2).setMaxConversations(2);
    try (HistoryStore store = HistoryStore.open(dir, small)) {
      store.append(received("b1", "bob", "bob"));
      store.append(received("r1", null, "bob"));
      store.append(received("r1", null, "carol")); // bob's id again, from carol: indexed in place of bob's
      assertTrue(store.hasIncoming("bob", "bob", "b1"));
      assertTrue(store.hasIncoming(null, "bob", "r1"), "bob's, though carol's line of that id is the newer");
      assertTrue(store.hasIncoming(null, "carol", "r1"));
      assertFalse(store.hasIncoming(null, "bob", "b1"), "not in the room");
      assertFalse(store.hasIncoming("bob", "carol", "b1"), "not from carol");
      assertFalse(store.hasIncoming("bob", "bob", "r1"), "not in bob's conversation");
      store.append(new HistoryEntry("b2", Direction.OUT, "bob", "alice", "bob", "b2", 1, State.SENDING));
      assertFalse(store.hasIncoming("bob", "bob", "b2"), "our own message is not received");
      flush(store);
    }
    try (HistoryStore store = HistoryStore.open(dir, small)) {
      assertTrue(store.hasIncoming("bob", "bob", "b1"), "read back from the journal");
      assertTrue(store.hasIncoming(null, "carol", "r1"));
      store.append(received("b3", "bob", "bob")); // pushes b1 out of bob's two lines
      assertFalse(store.hasIncoming("bob", "bob", "b1"), "forgotten");
      store.append(received("d1", "dan", "dan")); // a third conversation: the room, used least lately, is dropped
      assertFalse(store.hasIncoming(null, "carol", "r1"), "its conversation dropped");
      assertTrue(store.hasIncoming("bob", "bob", "b3"));
      assertTrue(store.hasIncoming("dan", "dan", "d1"));
    }
  }

  /** A message from {@code from} received in the conversation {@code peer} (null: the room), its text its id. */
  private static HistoryEntry received(String id, String peer, String from) {
    return new HistoryEntry(id, Direction.IN, peer, from, peer == null ? "lobby" : "alice", id, 1, State.DELIVERED);
  }

  @Test
  void tornTailIsCutAndEarlierRecordsSurvive() throws Exception {
    try (HistoryStore store = HistoryStore.open(dir, new HistoryOptions())) {
      for (int i = 0; i < 100; i++) {
        store.append(entry(i, "bob"));
      }
      flush(store);
    }
    Path file = dir.resolve(HistoryOptions.DEFAULT_FILE_NAME);
    long size = Files.size(file);
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      ch.truncate(size - 7); // kill -9 in the middle of the last record
    }
    try (HistoryStore store = HistoryStore.open(dir, new HistoryOptions())) {
      assertEquals(99, store.recoveredRecords());
      assertTrue(store.truncatedBytes() > 0);
      assertEquals("m98", store.recent("bob", 1).get(0).id());
      store.append(entry(100, "bob"));
      flush(store);
    }
    try (HistoryStore store = HistoryStore.open(dir, new HistoryOptions())) {
      assertEquals(100, store.recoveredRecords());
      assertEquals(0, store.truncatedBytes());
      assertEquals("m100", store.recent("bob", 1).get(0).id());
    }
  }

  @Test
  void corruptTailAndGarbageLengthAreCut() throws Exception {
    try (HistoryStore store = HistoryStore.open(dir, new HistoryOptions())) {
      for (int i = 0; i < 10; i++) {
        store.append(entry(i, null));
      }
      flush(store);
    }
    Path file = dir.resolve(HistoryOptions.DEFAULT_FILE_NAME);
    byte[] bytes = Files.readAllBytes(file);
    bytes[bytes.length - 3] ^= 0x55; // a flipped bit in the last record: CRC mismatch
    Files.write(file, bytes);
    Files.write(file, new byte[] {0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff, 1, 2, 3, 4, 5},
        StandardOpenOption.APPEND); // a garbage length after it
    try (HistoryStore store = HistoryStore.open(dir, new HistoryOptions())) {
      assertEquals(9, store.recoveredRecords());
      assertEquals("m8", store.recent(null, 1).get(0).id());
    }
  }

  @Test
  void groupCommitThroughput() throws Exception {
    int n = 100_000;
    try (HistoryStore store = HistoryStore.open(dir, new HistoryOptions())) {
      long start = System.nanoTime();
      for (int i = 0; i < n; i++) {
        store.append(entry(i, i % 10 == 0 ? null : "peer" + (i % 7)));
      }
      flush(store);
      long nanos = System.nanoTime() - start;
      System.out.printf("history: %d entries appended and fsynced in %d ms: %.0f entries/s, journal %d bytes%n",
          n, nanos / 1_000_000, n * 1e9 / nanos, Files.size(dir.resolve(HistoryOptions.DEFAULT_FILE_NAME)));
    }
    try (HistoryStore store = HistoryStore.open(dir, new HistoryOptions())) {
      assertEquals(n, store.recoveredRecords());
    }
  }
}
