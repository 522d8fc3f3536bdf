package io.p2pchat.history;

import io.p2pchat.common.NodeLog;
import io.p2pchat.common.Plural;
import io.p2pchat.crypto.SecureFiles;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import java.util.zip.CRC32C;

/**
 * Durable chat history of one node: an append-only journal in the node's dataDir plus the last N
 * entries of each conversation in memory.
 *
 * <p>Journal record: {@code length u32 | crc32c u32 | body} (big-endian), the body an entry
 * ("add") or a state change ("state"), binary ({@link JournalEncoder}; JSON in older journals).
 * On open the journal is replayed; the first record that is cut short, longer than
 * {@code maxRecordBytes}, or whose CRC does not match (a write torn by kill -9 or a crash) ends
 * the journal: the file is truncated there, so every earlier record survives and later appends
 * continue after it.
 *
 * <p>Group commit: {@link #append} and {@link #updateState} update memory at once and queue the
 * record; a writer thread writes each batch (at most every {@code commitIntervalMillis}: then a
 * crash of the process loses nothing written) and fsyncs what it wrote at most every
 * {@code syncIntervalMillis} (what an OS crash can lose); {@link #flush()} completes when
 * everything queued before it is written and fsynced. Safe to call from any
 * thread; never blocks an event loop (only {@link #close()} waits for the writer).
 */
public final class HistoryStore implements AutoCloseable {

  /** The node's logger: every line carries its name (MDC), so it lands in that node's log file. */
  private final NodeLog log;
  private static final int RECORD_HEADER_BYTES = 8;
  /** Map key of the room conversation (peer nicks are never empty). */
  private static final String ROOM = "";
  /** A batch buffer kept between batches: a few thousand short records; a larger one is let go after use. */
  private static final int BATCH_GUESS_BYTES = 1 << 20;

  private final JournalDecoder decoder = new JournalDecoder();
  private final HistoryOptions options;
  private final Path file;
  private final FileChannel channel;
  /** Recent lines per conversation, newest last; a line's state changes in place. */
  private final Map<String, ArrayDeque<Line>> recent;
  /**
   * Lines of sent messages, by id, so a delivery outcome costs one look-up, not a scan. Only this
   * node's own messages are sent, and its ids are unique (a random prefix per run), so the id alone
   * is the key. Received lines never change state: not indexed here ({@link #incoming} has them).
   */
  private final Map<String, Line> byId = new HashMap<>();
  /**
   * Lines of received messages, by id, so {@link #hasIncoming} (asked for every message received, 250k/s in a
   * flood) costs one look-up, not a scan of the conversation's lines. An id is unique only per sender (its random
   * prefix per run): the line kept is the newest of that id, and the look-up checks its sender and conversation. One
   * entry per received line remembered, forgotten with it: a {@code HashMap} node (32 B) and its share of the table
   * (4 B a slot, 1.33 to 2.67 slots a line at the load factor 0.75: 5 to 11 B), at most 43 B a line (the flag that
   * says a line is in it fits in {@link Line}'s padding: 32 B still); at most {@code recentPerConversation} ×
   * {@code maxConversations} lines (500 × 1024 by default: ≤ 22 MB, ≤ 21 KB per full conversation), beside the
   * lines themselves, each far larger (its entry and text).
   */
  private final Map<String, Line> incoming = new HashMap<>();

  /** A queued "state" record. */
  private record StateChange(String id, String peer, HistoryEntry.State state) {
  }

  /** One remembered entry; its delivery state is the only thing that changes. */
  private static final class Line {
    private HistoryEntry entry;
    /**
     * Its "add" record still waits in the queue (under {@code lock}): a state change then only
     * changes the entry, which the add record will carry. Under a flood most messages are
     * acknowledged within a commit interval, and this halves the records written.
     */
    private boolean queued;
    /** In {@code byId}: forgetting a line that is not costs no look-up (old lines are cold in cache). */
    private boolean indexed;
    /** In {@code incoming} (a received line, the newest of its id): the same for that index. */
    private boolean indexedIn;
    /** Its place among every line this store remembered (replayed or added): ties of one millisecond keep it. */
    private long order;

    /**
     * False when the entry is already FAILED (final), or is DELIVERED and would go back to QUEUED (a
     * {@code deposited} answer retried after the receipt came): nothing changes.
     */
    boolean changeState(HistoryEntry.State state) {
      if (entry.state() == HistoryEntry.State.FAILED
          || (entry.state() == HistoryEntry.State.DELIVERED && state == HistoryEntry.State.QUEUED)) {
        return false;
      }
      entry = entry.withState(state);
      return true;
    }

    Line(HistoryEntry entry) {
      this.entry = entry;
    }
  }
  private final Object lock = new Object();
  /**
   * Records for the writer: a {@link Line} ("add", taken as its entry when the writer takes the
   * batch) or a {@link StateChange}.
   */
  private List<Object> queue = new ArrayList<>();
  /** Callers of flush(), written() and synced() since the writer last took a batch (under {@code lock}). */
  private List<CompletableFuture<Void>> flushWaiters = new ArrayList<>();
  private List<CompletableFuture<Void>> writtenWaiters = new ArrayList<>();
  private List<CompletableFuture<Void>> syncWaiters = new ArrayList<>();
  /** synced() callers whose records are written, until the next fsync (writer thread only). */
  private List<CompletableFuture<Void>> awaitingSync = new ArrayList<>();
  private boolean closed;
  /**
   * The writer waits for a first record (not in its group-commit pause): only then does a record
   * need to wake it. Waking it for every record during the pause cost a futex wake-up and a
   * context switch per message under a flood.
   */
  private boolean writerIdle;
  private final Thread writer;
  /** Written but not fsynced yet (writer thread only), and when it must be at the latest. */
  private boolean unsynced;
  private long syncDueNanos;
  /** Batches written and fsyncs so far (writer thread). */
  /** Lines remembered so far (under {@code lock}): each line's {@link Line#order}. */
  private long remembered;
  private volatile long commits;
  private volatile long syncs;
  private volatile IOException writeFailure;
  private long recoveredRecords;
  private long truncatedBytes;
  private final JournalEncoder encoder;
  /** The writer's batch, reused: records are framed into it and it is written with one call. */
  private JournalEncoder.Bytes batchBytes = new JournalEncoder.Bytes(BATCH_GUESS_BYTES);

  private HistoryStore(Path dataDir, HistoryOptions options, NodeLog log) throws IOException {
    this.options = options;
    this.log = log;
    SecureFiles.ownerOnlyDirectory(dataDir);
    this.file = dataDir.resolve(options.getFileName());
    this.recent = new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, ArrayDeque<Line>> eldest) {
        if (size() <= options.getMaxConversations()) {
          return false;
        }
        eldest.getValue().forEach(HistoryStore.this::forget);
        return true;
      }
    };
    // What people said: owner-only, and refused if others could rewrite it.
    this.channel = SecureFiles.openOwnerOnly(file);
    this.encoder = new JournalEncoder(options.getMaxRecordBytes());
    replay();
    this.writer = new Thread(this::writeLoop, "history-writer");
    writer.setDaemon(true);
    writer.start();
  }

  /** Opens (creating if needed) the history journal in {@code dataDir} and replays it, logging to {@code log}. Blocking. */
  public static HistoryStore open(Path dataDir, HistoryOptions options, NodeLog log) throws IOException {
    return new HistoryStore(dataDir, options, log);
  }

  /** {@link #open(Path, HistoryOptions, NodeLog)} for a store used outside any node: its lines carry no node name. */
  public static HistoryStore open(Path dataDir, HistoryOptions options) throws IOException {
    return open(dataDir, options, NodeLog.unstamped(HistoryStore.class));
  }

  // ---------------------------------------------------------------- API

  /** Adds an entry (memory at once, journal at the next group commit). */
  public void append(HistoryEntry entry) {
    synchronized (lock) {
      ensureOpen();
      Line line = remember(entry);
      line.queued = true;
      queue.add(line);
      wakeIdleWriter();
    }
  }

  /**
   * Changes the delivery state of entry {@code id} in conversation {@code peer} (null: room).
   * FAILED is final: a room message that one peer never acknowledged stays failed when others do.
   */
  public void updateState(String id, String peer, HistoryEntry.State state) {
    synchronized (lock) {
      ensureOpen();
      Line line = byId.get(id);
      if (line != null && (!line.changeState(state) || line.queued)) {
        return; // FAILED stays, or the add record not yet written will carry the new state
      }
      queue.add(new StateChange(id, peer, state));
      wakeIdleWriter();
    }
  }

  /**
   * This node's messages still SENDING or QUEUED, oldest first, at most {@code limit}: what a restarted
   * node sends again, or waits for the receipt of (docs/PROTOCOL.md, "Mailbox").
   */
  public List<HistoryEntry> unfinished(int limit) {
    synchronized (lock) {
      List<Line> lines = new ArrayList<>();
      for (Line line : byId.values()) {
        HistoryEntry.State state = line.entry.state();
        if (line.entry.direction() == HistoryEntry.Direction.OUT
            && (state == HistoryEntry.State.SENDING || state == HistoryEntry.State.QUEUED)) {
          lines.add(line);
        }
      }
      lines.sort(java.util.Comparator.comparingLong(l -> l.order));
      List<HistoryEntry> out = new ArrayList<>(Math.min(limit, lines.size()));
      for (int i = Math.max(0, lines.size() - limit); i < lines.size(); i++) {
        out.add(lines.get(i).entry);
      }
      return out;
    }
  }

  /** This node's message {@code id} while the store remembers it, or null. */
  public HistoryEntry outgoing(String id) {
    synchronized (lock) {
      Line line = byId.get(id);
      return line == null || line.entry.direction() != HistoryEntry.Direction.OUT ? null : line.entry;
    }
  }

  /**
   * True when the conversation {@code peerOrNull} (null: the room) holds a message {@code id} from {@code from}
   * among the entries remembered (the last {@code HistoryOptions.recentPerConversation} of it, replayed ones
   * included): a copy of it (sent again after its sender restarted, by a session or the mailbox) is not shown twice.
   * One look-up in {@code incoming}, no allocation; a scan of the conversation only when the line indexed under
   * {@code id} is another sender's or conversation's (a peer reusing an id it saw: the ids are the senders' own; once
   * that newer line is forgotten, the older one is found no more, and a copy of it would be shown again).
   */
  public boolean hasIncoming(String peerOrNull, String from, String id) {
    synchronized (lock) {
      Line indexed = incoming.get(id);
      if (indexed == null) {
        return false;
      }
      if (isIncoming(indexed.entry, peerOrNull, from, id)) {
        return true;
      }
      ArrayDeque<Line> entries = recent.get(key(peerOrNull));
      if (entries == null) {
        return false;
      }
      Iterator<Line> it = entries.descendingIterator();
      while (it.hasNext()) {
        if (isIncoming(it.next().entry, peerOrNull, from, id)) {
          return true;
        }
      }
      return false;
    }
  }

  /** {@code e} is message {@code id} from {@code from}, received in the conversation {@code peerOrNull}. */
  private static boolean isIncoming(HistoryEntry e, String peerOrNull, String from, String id) {
    return e.direction() == HistoryEntry.Direction.IN && e.id().equals(id) && from.equals(e.from())
      && Objects.equals(e.peer(), peerOrNull);
  }

  /**
   * Lines in the order a reader is shown them: by the sender's timestamp (a received one's capped by ChatVerticle at
   * its receipt + 60 s, so a clock far ahead cannot keep a line below later ones), and lines of one millisecond (a
   * batch, or a room and a direct message sent together) in the order this node recorded them. Not simply the order
   * recorded: a live message held back for its sender's older mail (docs/PROTOCOL.md, "Pick-up") is recorded at once
   * but shown after that mail, which the sender stamped earlier. Both forms of the history use it, so a conversation is
   * listed in the same order alone and among the others.
   */
  private static final Comparator<Line> AS_SHOWN =
    Comparator.<Line>comparingLong(line -> line.entry.ts()).thenComparingLong(line -> line.order);

  /** The last {@code limit} entries of a conversation (null: the room), oldest first ({@link #AS_SHOWN}). */
  public List<HistoryEntry> recent(String peerOrNull, int limit) {
    synchronized (lock) {
      ArrayDeque<Line> entries = recent.get(key(peerOrNull));
      if (entries == null || limit <= 0) {
        return List.of();
      }
      return entriesOf(latest(new ArrayList<>(entries), limit));
    }
  }

  /** The last {@code limit} entries of every conversation together (room and direct), oldest first ({@link #AS_SHOWN}). */
  public List<HistoryEntry> recentAll(int limit) {
    synchronized (lock) {
      List<Line> all = new ArrayList<>();
      for (ArrayDeque<Line> entries : recent.values()) {
        all.addAll(latest(new ArrayList<>(entries), limit));
      }
      return entriesOf(latest(all, limit));
    }
  }

  /** The last {@code limit} (none if not positive) of {@code lines} in {@link #AS_SHOWN} order (sorts {@code lines}). */
  private static List<Line> latest(List<Line> lines, int limit) {
    lines.sort(AS_SHOWN);
    int keep = Math.min(Math.max(limit, 0), lines.size());
    return lines.subList(lines.size() - keep, lines.size());
  }

  private static List<HistoryEntry> entriesOf(List<Line> lines) {
    List<HistoryEntry> out = new ArrayList<>(lines.size());
    for (Line line : lines) {
      out.add(line.entry);
    }
    return out;
  }


  /** Completes once every record queued before this call is written and fsynced (an fsync now). */
  public CompletableFuture<Void> flush() {
    return await(() -> flushWaiters);
  }

  /** Completes once every record queued before this call is in the file (not yet fsynced: the next group commit). */
  public CompletableFuture<Void> written() {
    return await(() -> writtenWaiters);
  }

  /** Completes once every record queued before this call is fsynced, by the sync interval: asks for no early fsync. */
  public CompletableFuture<Void> synced() {
    return await(() -> syncWaiters);
  }

  /**
   * Adds a waiter to the list {@code waiters} names. The list is looked up under the lock: the
   * writer swaps each list for a new one when it takes a batch, and a list read before the swap
   * could be one the writer has already settled, leaving its waiter waiting forever.
   */
  private CompletableFuture<Void> await(Supplier<List<CompletableFuture<Void>>> waiters) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    synchronized (lock) {
      if (writeFailure != null) {
        done.completeExceptionally(writeFailure);
        return done;
      }
      waiters.get().add(done);
      lock.notifyAll();
    }
    return done;
  }

  /** Nothing for the writer to take (under {@code lock}). */
  private boolean nothingToTake() {
    return queue.isEmpty() && flushWaiters.isEmpty() && writtenWaiters.isEmpty() && syncWaiters.isEmpty();
  }

  /** Records replayed from the journal when it was opened. */
  public long recoveredRecords() {
    return recoveredRecords;
  }

  /** Batches written to the journal (group commits) since it was opened. */
  public long commits() {
    return commits;
  }

  /** fsyncs of the journal since it was opened. */
  public long syncs() {
    return syncs;
  }

  /** Bytes of torn/corrupt tail cut off when the journal was opened. */
  public long truncatedBytes() {
    return truncatedBytes;
  }

  /** Writes what is queued, stops the writer and closes the file. Blocking. */
  @Override
  public void close() throws IOException {
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      lock.notifyAll();
    }
    try {
      writer.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    channel.close();
    if (writeFailure != null) {
      throw writeFailure;
    }
  }

  // ---------------------------------------------------------------- memory

  private static String key(String peer) {
    return peer == null ? ROOM : peer;
  }

  private Line remember(HistoryEntry entry) {
    ArrayDeque<Line> entries = recent.computeIfAbsent(key(entry.peer()), k -> new ArrayDeque<>());
    Line line = new Line(entry);
    line.order = ++remembered;
    entries.addLast(line);
    if (entry.direction() == HistoryEntry.Direction.OUT || entry.state() == HistoryEntry.State.SENDING) {
      byId.put(entry.id(), line);
      line.indexed = true;
    }
    if (entry.direction() == HistoryEntry.Direction.IN) {
      Line older = incoming.put(entry.id(), line);
      if (older != null) {
        older.indexedIn = false; // another sender's line of that id: found by a scan of its conversation
      }
      line.indexedIn = true;
    }
    if (entries.size() > options.getRecentPerConversation()) {
      forget(entries.removeFirst());
    }
    return line;
  }

  private void forget(Line line) {
    if (line.indexed) {
      byId.remove(line.entry.id(), line);
    }
    if (line.indexedIn) {
      incoming.remove(line.entry.id(), line);
    }
  }



  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("history store closed");
    }
  }

  // ---------------------------------------------------------------- journal

  /** Called holding the lock. */
  private void wakeIdleWriter() {
    if (writerIdle) {
      writerIdle = false;
      lock.notifyAll();
    }
  }



  private void replay() throws IOException {
    long size = channel.size();
    long pos = 0;
    ByteBuffer header = ByteBuffer.allocate(RECORD_HEADER_BYTES);
    while (pos < size) {
      header.clear();
      if (channel.read(header, pos) < RECORD_HEADER_BYTES || header.hasRemaining()) {
        break;
      }
      int length = header.getInt(0);
      int crcValue = header.getInt(4);
      if (length < 0 || length > options.getMaxRecordBytes() || pos + RECORD_HEADER_BYTES + length > size) {
        break;
      }
      ByteBuffer body = ByteBuffer.allocate(length);
      while (body.hasRemaining() && channel.read(body, pos + RECORD_HEADER_BYTES + body.position()) > 0) {
        // read fully
      }
      CRC32C crc = new CRC32C();
      crc.update(body.array());
      if (body.hasRemaining() || (int) crc.getValue() != crcValue || !applyRecord(body.array())) {
        break;
      }
      recoveredRecords++;
      pos += RECORD_HEADER_BYTES + length;
    }
    if (pos < size) {
      truncatedBytes = size - pos;
      log.warn("history journal {}: cut {} of a torn or corrupt tail (a crash mid-write); {} kept", file,
          Plural.of(truncatedBytes, "byte"), Plural.of(recoveredRecords, "record"));
      channel.truncate(pos);
      channel.force(true);
    }
    channel.position(pos);
  }
  private boolean applyRecord(byte[] body) {
    JournalDecoder.Record record = decoder.decode(body);
    if (record instanceof JournalDecoder.Add add) {
      remember(add.entry());
    } else if (record instanceof JournalDecoder.StateChange change) {
      Line line = byId.get(change.id());
      if (line != null) {
        line.changeState(change.state());
      }
    }
    return record != null; // a record of a kind from a newer version is skipped, not fatal
  }

  private void writeLoop() {
    while (true) {
      List<Object> batch;
      List<CompletableFuture<Void>> waiters;
      List<CompletableFuture<Void>> written;
      boolean last;
      synchronized (lock) {
        while (nothingToTake() && !closed) {
          long untilSync = unsynced ? syncDueNanos - System.nanoTime() : 0;
          if (unsynced && untilSync <= 0) {
            break; // nothing new, but what was written is due for its fsync
          }
          writerIdle = true;
          try {
            lock.wait(untilSync / 1_000_000L, (int) (untilSync % 1_000_000L));
          } catch (InterruptedException e) {
            return;
          }
        }
        writerIdle = false;
        takeLines(queue);
        batch = queue;
        waiters = flushWaiters;
        written = writtenWaiters;
        awaitingSync.addAll(syncWaiters);
        queue = new ArrayList<>();
        flushWaiters = new ArrayList<>();
        writtenWaiters = new ArrayList<>();
        syncWaiters = new ArrayList<>();
        last = closed;
      }
      long started = System.nanoTime();
      try {
        if (!batch.isEmpty() && writeFailure == null) {
          writeBatch(batch);
          commits++;
          if (!unsynced) {
            unsynced = true;
            syncDueNanos = started + options.getSyncIntervalMillis() * 1_000_000L;
          }
        }
        settle(written);
        if (unsynced && writeFailure == null && (!waiters.isEmpty() || last || started - syncDueNanos >= 0)) {
          channel.force(false);
          unsynced = false;
          syncs++;
        }
        settle(waiters);
        if (!unsynced) {
          settle(awaitingSync);
        }
      } catch (IOException e) {
        writeFailure = e;
        log.error("history journal {}: write failed, history is no longer saved", file, e);
        settle(written);
        settle(waiters);
        settle(awaitingSync);
      }
      if (last) {
        synchronized (lock) {
          if (nothingToTake()) {
            return;
          }
        }
        continue;
      }
      pauseForBatch(started);
    }
  }

  /** Completes {@code waiters} (failed once a write failed) and empties the list. Writer thread. */
  private void settle(List<CompletableFuture<Void>> waiters) {
    IOException failure = writeFailure;
    waiters.forEach(w -> {
      if (failure != null) {
        w.completeExceptionally(failure);
      } else {
        w.complete(null);
      }
    });
    waiters.clear();
  }

  /** Replaces each queued line by its entry as it is now: what the add record says. Under {@code lock}. */
  private static void takeLines(List<Object> batch) {
    for (int i = 0; i < batch.size(); i++) {
      if (batch.get(i) instanceof Line line) {
        line.queued = false;
        batch.set(i, line.entry);
      }
    }
  }

  private void writeBatch(List<Object> batch) throws IOException {
    JournalEncoder.Bytes bytes = batchBytes;
    bytes.reset();
    for (Object record : batch) {
      boolean fits = record instanceof StateChange change ? encoder.state(change.id(), change.peer(), change.state(), bytes)
        : encoder.add((HistoryEntry) record, bytes);
      if (!fits) {
        // A 64 KiB text makes a record of ~64 KiB: only a misconfigured limit gets here.
        log.error("history journal {}: a record is above maxRecordBytes ({}); not saved", file, options.getMaxRecordBytes());
      }
    }
    ByteBuffer buf = bytes.contents();
    while (buf.hasRemaining()) {
      channel.write(buf);
    }
    if (bytes.capacity() > BATCH_GUESS_BYTES) {
      batchBytes = new JournalEncoder.Bytes(BATCH_GUESS_BYTES);
    }
  }

  /** Lets the next batch gather for the rest of the commit interval (group commit). */
  private void pauseForBatch(long startedNanos) {
    long waitNanos = options.getCommitIntervalMillis() * 1_000_000L - (System.nanoTime() - startedNanos);
    if (waitNanos <= 0) {
      return;
    }
    synchronized (lock) {
      long deadline = System.nanoTime() + waitNanos;
      long left;
      while (!closed && flushWaiters.isEmpty() && (left = deadline - System.nanoTime()) > 0) {
        try {
          lock.wait(left / 1_000_000L, (int) (left % 1_000_000L));
        } catch (InterruptedException e) {
          return;
        }
      }
    }
  }
}
