package io.p2pchat.history;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The history writer's group commit for a flood: one batch of {@link #BATCH} messages, each an "add" record of a
 * 100-byte line and a "state" record (delivered), framed into the batch buffer and written to a file (at its
 * start, so the file stays small; the write still copies into the page cache). One op = one message.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class JournalBench {

  /** Messages per group commit: 5 ms of a 20,000 messages/s flood (HistoryOptions' commit interval). */
  static final int BATCH = 100;

  private final JournalEncoder encoder = new JournalEncoder(new HistoryOptions().getMaxRecordBytes());
  private final JournalEncoder.Bytes bytes = new JournalEncoder.Bytes(1 << 20);
  private final List<HistoryEntry> entries = new ArrayList<>();
  private Path file;
  private FileChannel channel;

  @Setup
  public void setUp() throws IOException {
    file = Files.createTempFile("journal-bench", ".log");
    channel = FileChannel.open(file, StandardOpenOption.WRITE);
    for (int i = 0; i < BATCH; i++) {
      entries.add(new HistoryEntry("a1b2c3d4-" + i, HistoryEntry.Direction.OUT, "bob", "alice", "bob",
        "T" + i + " " + "x".repeat(94), 1_700_000_000_000L + i, HistoryEntry.State.SENDING));
    }
  }

  @TearDown
  public void tearDown() throws IOException {
    channel.close();
    Files.deleteIfExists(file);
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public int groupCommit() throws IOException {
    bytes.reset();
    for (HistoryEntry e : entries) {
      encoder.add(e, bytes);
      encoder.state(e.id(), e.peer(), HistoryEntry.State.DELIVERED, bytes);
    }
    ByteBuffer buf = bytes.contents();
    long at = 0;
    while (buf.hasRemaining()) {
      at += channel.write(buf, at);
    }
    return bytes.size();
  }
}
