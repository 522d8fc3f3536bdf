package io.p2pchat.history;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Durable chat history of one node: an append-only journal in the node's dataDir plus the last N
 * entries of each conversation in memory.
 *
 * <p>Journal record: {@code length u32 | crc32c u32 | length bytes of JSON} (big-endian), the JSON
 * being either an entry ({@code "op":"add"}) or a state change ({@code "op":"state"}). On open the
 * journal is replayed; the first record that is cut short, longer than {@code maxRecordBytes}, or
 * whose CRC does not match (a write torn by kill -9 or a crash) ends the journal: the file is
 * truncated there, so every earlier record survives and later appends continue after it.
 *
 * <p>Group commit: {@link #append} and {@link #updateState} update memory at once and queue the
 * record; a writer thread writes each batch and fsyncs it (at most every {@code commitIntervalMillis});
 * {@link #flush()} completes when everything queued before it is durable. Safe to call from any
 * thread; never blocks an event loop (only {@link #close()} waits for the writer).
 */
public final class HistoryStore implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(HistoryStore.class);
  private static final int RECORD_HEADER_BYTES = 8;
  /** Map key of the room conversation (peer nicks are never empty). */
  private static final String ROOM = "";

  private final ObjectMapper json = new ObjectMapper();
  private final HistoryOptions options;
  private final Path file;
  private final FileChannel channel;
  private final Map<String, ArrayDeque<HistoryEntry>> recent;
  private final Object lock = new Object();
  private List<byte[]> queue = new ArrayList<>();
  private List<CompletableFuture<Void>> flushWaiters = new ArrayList<>();
  private boolean closed;
  private final Thread writer;
  private volatile IOException writeFailure;
  private long recoveredRecords;
  private long truncatedBytes;

  private HistoryStore(Path dataDir, HistoryOptions options) throws IOException {
    this.options = options;
    Files.createDirectories(dataDir);
    this.file = dataDir.resolve(options.getFileName());
    this.recent = new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, ArrayDeque<HistoryEntry>> eldest) {
        return size() > options.getMaxConversations();
      }
    };
    this.channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
    replay();
    this.writer = new Thread(this::writeLoop, "history-writer");
    writer.setDaemon(true);
    writer.start();
  }

  /** Opens (creating if needed) the history journal in {@code dataDir} and replays it. Blocking. */
  public static HistoryStore open(Path dataDir, HistoryOptions options) throws IOException {
    return new HistoryStore(dataDir, options);
  }

  // ---------------------------------------------------------------- API

  /** Adds an entry (memory at once, journal at the next group commit). */
  public void append(HistoryEntry entry) {
    byte[] record = encode(toJson(entry).put("op", "add"));
    synchronized (lock) {
      ensureOpen();
      remember(entry);
      queue.add(record);
      lock.notifyAll();
    }
  }

  /** Changes the delivery state of entry {@code id} in conversation {@code peer} (null: room). */
  public void updateState(String id, String peer, HistoryEntry.State state) {
    ObjectNode node = json.createObjectNode().put("op", "state").put("id", id).put("peer", peer)
        .put("state", state.name());
    byte[] record = encode(node);
    synchronized (lock) {
      ensureOpen();
      applyState(id, peer, state);
      queue.add(record);
      lock.notifyAll();
    }
  }

  /** The last {@code limit} entries of a conversation (null: the room), oldest first. */
  public List<HistoryEntry> recent(String peerOrNull, int limit) {
    synchronized (lock) {
      ArrayDeque<HistoryEntry> entries = recent.get(key(peerOrNull));
      if (entries == null || limit <= 0) {
        return List.of();
      }
      List<HistoryEntry> out = new ArrayList<>(Math.min(limit, entries.size()));
      Iterator<HistoryEntry> it = entries.descendingIterator();
      while (it.hasNext() && out.size() < limit) {
        out.add(it.next());
      }
      java.util.Collections.reverse(out);
      return out;
    }
  }

  /** The last {@code limit} entries of every conversation together (room and direct), oldest first by time. */
  public List<HistoryEntry> recentAll(int limit) {
    synchronized (lock) {
      List<HistoryEntry> all = new ArrayList<>();
      for (ArrayDeque<HistoryEntry> entries : recent.values()) {
        Iterator<HistoryEntry> it = entries.descendingIterator();
        for (int n = 0; it.hasNext() && n < limit; n++) {
          all.add(it.next());
        }
      }
      all.sort(java.util.Comparator.comparingLong(HistoryEntry::ts));
      return all.size() <= limit ? all : new ArrayList<>(all.subList(all.size() - limit, all.size()));
    }
  }

  /** Completes once every record queued before this call is written and fsynced. */
  public CompletableFuture<Void> flush() {
    CompletableFuture<Void> done = new CompletableFuture<>();
    synchronized (lock) {
      if (writeFailure != null) {
        done.completeExceptionally(writeFailure);
        return done;
      }
      flushWaiters.add(done);
      lock.notifyAll();
    }
    return done;
  }

  /** Records replayed from the journal when it was opened. */
  public long recoveredRecords() {
    return recoveredRecords;
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

  private void remember(HistoryEntry entry) {
    ArrayDeque<HistoryEntry> entries = recent.computeIfAbsent(key(entry.peer()), k -> new ArrayDeque<>());
    entries.addLast(entry);
    if (entries.size() > options.getRecentPerConversation()) {
      entries.removeFirst();
    }
  }

  private void applyState(String id, String peer, HistoryEntry.State state) {
    ArrayDeque<HistoryEntry> entries = recent.get(key(peer));
    if (entries == null) {
      return;
    }
    // newest first: a state change almost always concerns a line just sent
    List<HistoryEntry> newer = new ArrayList<>();
    HistoryEntry e;
    while ((e = entries.pollLast()) != null) {
      if (e.id().equals(id)) {
        entries.addLast(e.withState(state));
        break;
      }
      newer.add(e);
    }
    for (int i = newer.size() - 1; i >= 0; i--) {
      entries.addLast(newer.get(i));
    }
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("history store closed");
    }
  }

  // ---------------------------------------------------------------- journal

  private ObjectNode toJson(HistoryEntry e) {
    return json.createObjectNode().put("id", e.id()).put("dir", e.direction().name()).put("peer", e.peer())
        .put("from", e.from()).put("to", e.to()).put("text", e.text()).put("ts", e.ts())
        .put("state", e.state().name());
  }

  private byte[] encode(ObjectNode node) {
    byte[] body;
    try {
      body = json.writeValueAsBytes(node);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (body.length > options.getMaxRecordBytes()) {
      throw new IllegalArgumentException("history record of " + body.length + " bytes above the maximum");
    }
    CRC32C crc = new CRC32C();
    crc.update(body);
    ByteBuffer out = ByteBuffer.allocate(RECORD_HEADER_BYTES + body.length);
    out.putInt(body.length).putInt((int) crc.getValue()).put(body);
    return out.array();
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
      LOG.warn("history journal {}: cut {} bytes of torn or corrupt tail after {} records", file, truncatedBytes,
          recoveredRecords);
      channel.truncate(pos);
      channel.force(true);
    }
    channel.position(pos);
  }

  private boolean applyRecord(byte[] body) {
    try {
      ObjectNode n = (ObjectNode) json.readTree(body);
      String op = n.path("op").asText();
      if (op.equals("add")) {
        remember(new HistoryEntry(n.get("id").asText(), HistoryEntry.Direction.valueOf(n.get("dir").asText()),
            text(n, "peer"), text(n, "from"), text(n, "to"), text(n, "text"), n.path("ts").asLong(),
            HistoryEntry.State.valueOf(n.get("state").asText())));
      } else if (op.equals("state")) {
        applyState(n.get("id").asText(), text(n, "peer"), HistoryEntry.State.valueOf(n.get("state").asText()));
      }
      return true; // an unknown op from a newer version is skipped, not fatal
    } catch (IOException | RuntimeException e) {
      return false; // CRC matched but the record makes no sense: treat as the end of the journal
    }
  }

  private static String text(ObjectNode n, String field) {
    return n.hasNonNull(field) ? n.get(field).asText() : null;
  }

  private void writeLoop() {
    while (true) {
      List<byte[]> batch;
      List<CompletableFuture<Void>> waiters;
      boolean last;
      synchronized (lock) {
        while (queue.isEmpty() && flushWaiters.isEmpty() && !closed) {
          try {
            lock.wait();
          } catch (InterruptedException e) {
            return;
          }
        }
        batch = queue;
        waiters = flushWaiters;
        queue = new ArrayList<>();
        flushWaiters = new ArrayList<>();
        last = closed;
      }
      long started = System.nanoTime();
      try {
        if (!batch.isEmpty() && writeFailure == null) {
          writeBatch(batch);
        }
        if (writeFailure != null) {
          waiters.forEach(w -> w.completeExceptionally(writeFailure));
        } else {
          waiters.forEach(w -> w.complete(null));
        }
      } catch (IOException e) {
        writeFailure = e;
        LOG.error("history journal {}: write failed, history is no longer saved", file, e);
        waiters.forEach(w -> w.completeExceptionally(e));
      }
      if (last) {
        synchronized (lock) {
          if (queue.isEmpty() && flushWaiters.isEmpty()) {
            return;
          }
        }
        continue;
      }
      pauseForBatch(started);
    }
  }

  private void writeBatch(List<byte[]> batch) throws IOException {
    int total = 0;
    for (byte[] r : batch) {
      total += r.length;
    }
    ByteBuffer buf = ByteBuffer.allocate(total);
    for (byte[] r : batch) {
      buf.put(r);
    }
    buf.flip();
    while (buf.hasRemaining()) {
      channel.write(buf);
    }
    channel.force(false);
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
