package io.p2pchat.history;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/**
 * Frames history records for the journal: {@code length u32 | crc32c u32 | body} (big-endian).
 * The body is binary (JSON bodies, which journals before it hold, are still read by
 * {@link JournalDecoder}):
 * <pre>
 * add:    0x01 | flags u8 | ts i64 | id | peer? | from? | to? | text?
 * state:  0x02 | flags u8 | id | peer?
 * flags:  bits 0-1 state (0 sending, 1 delivered, 2 failed, 3 queued in a peer's mailbox), bit 2 direction out (add),
 *         bits 3-6 peer, from, to, text present (absent means null)
 * string: varint byte length | UTF-8
 * </pre>
 * The writer thread encodes every record a node sends or receives: as JSON, the keys and quoting
 * made a 100-byte chat line a 250-byte record, and copying the journal into the page cache was
 * half of the writer's time; this is ~150 bytes. Each record is encoded where it is written from: in
 * the batch's direct buffer ({@link Bytes}). Writer thread only.
 */
final class JournalEncoder {

  static final int ADD = 0x01;
  static final int STATE = 0x02;
  static final int DIRECTION_OUT = 1 << 2;
  static final int PEER = 1 << 3;
  static final int FROM = 1 << 4;
  static final int TO = 1 << 5;
  static final int TEXT = 1 << 6;
  /** Bits 0-1 of the flags, by {@link HistoryEntry.State}: explicit, the format must not follow the enum's order. */
  static final int SENDING = 0;
  static final int DELIVERED = 1;
  static final int FAILED = 2;
  static final int QUEUED = 3;
  /** Bytes of a record's frame header: length u32 and crc32c u32. */
  static final int HEADER_BYTES = 8;

  private final CRC32C crc = new CRC32C();
  private final int maxRecordBytes;

  JournalEncoder(int maxRecordBytes) {
    this.maxRecordBytes = maxRecordBytes;
  }

  /** Appends an "add" record of {@code e} to {@code out}; false when it is over maxRecordBytes (nothing appended). */
  boolean add(HistoryEntry e, Bytes out) {
    int start = out.beginRecord();
    out.write(ADD);
    out.write(stateCode(e.state()) | (e.direction() == HistoryEntry.Direction.OUT ? DIRECTION_OUT : 0)
      | present(e.peer(), PEER) | present(e.from(), FROM) | present(e.to(), TO) | present(e.text(), TEXT));
    out.writeLong(e.ts());
    out.writeString(e.id());
    out.writeString(e.peer());
    out.writeString(e.from());
    out.writeString(e.to());
    out.writeString(e.text());
    return frame(out, start);
  }

  /** Appends a "state" record to {@code out}; false when it is over maxRecordBytes (nothing appended). */
  boolean state(String id, String peer, HistoryEntry.State state, Bytes out) {
    int start = out.beginRecord();
    out.write(STATE);
    out.write(stateCode(state) | present(peer, PEER));
    out.writeString(id);
    out.writeString(peer);
    return frame(out, start);
  }

  static int stateCode(HistoryEntry.State state) {
    return switch (state) {
      case SENDING -> SENDING;
      case DELIVERED -> DELIVERED;
      case FAILED -> FAILED;
      case QUEUED -> QUEUED;
    };
  }

  private static int present(String field, int flag) {
    return field == null ? 0 : flag;
  }

  /**
   * Ends the record begun at {@code start}: fills in its header (length, CRC of the body as it lies in
   * {@code out}), or takes it back when it is over maxRecordBytes.
   */
  private boolean frame(Bytes out, int start) {
    int length = out.size() - start - HEADER_BYTES;
    if (length > maxRecordBytes) {
      out.truncate(start);
      return false;
    }
    crc.reset();
    crc.update(out.range(start + HEADER_BYTES, length));
    out.putInt(start, length);
    out.putInt(start + 4, (int) crc.getValue());
    return true;
  }

  /**
   * A growable buffer of records, off the heap: each record is encoded in place after a header it fills in
   * when done, and the whole batch goes to the file from here. Before, each record was encoded into a
   * record buffer and copied into the batch, and the batch, a heap array, was copied again by the JDK into a
   * temporary direct buffer for the write.
   */
  static final class Bytes {
    /** {@link #ascii}'s first size: a chat line or two; it grows to the longest string written. */
    private static final int ASCII_SCRATCH_BYTES = 256;

    private ByteBuffer buf;
    private int count;
    /** A second view of {@code buf} for {@link #range} and {@link #contents}: no object per record. */
    private ByteBuffer view;
    /**
     * Where {@link #writeString} puts an ASCII string's bytes on their way into {@code buf}: reused, as long as the
     * longest string written (a text is at most ChatPayload.MAX_TEXT_BYTES); a chat line's size to start.
     */
    private byte[] ascii = new byte[ASCII_SCRATCH_BYTES];

    Bytes(int size) {
      buf = ByteBuffer.allocateDirect(size);
      view = buf.duplicate();
    }

    /** Reserves a record's header; returns where the record starts. */
    int beginRecord() {
      int start = count;
      ensure(HEADER_BYTES);
      count += HEADER_BYTES;
      return start;
    }

    void write(int b) {
      ensure(1);
      buf.put(count++, (byte) b);
    }

    void write(byte[] b) {
      ensure(b.length);
      buf.put(count, b);
      count += b.length;
    }

    void putInt(int at, int value) {
      buf.putInt(at, value); // big-endian, the buffer's default
    }

    void writeInt(int value) {
      ensure(4);
      buf.putInt(count, value);
      count += 4;
    }

    void writeLong(long value) {
      ensure(8);
      buf.putLong(count, value);
      count += 8;
    }

    /**
     * {@code s} as varint length and UTF-8 (nothing for null: the flags say it is absent). An ASCII string (most
     * chat) is its own UTF-8: its chars' low bytes are copied into {@link #ascii} and from there into the batch in
     * one bulk copy each; a byte at a time into the direct buffer cost the history writer ~1 % of a flooding node's
     * CPU (async-profiler, {@code writeString} self time).
     */
    @SuppressWarnings("deprecation") // getBytes(int, int, byte[], int): each char's low byte, no allocation
    void writeString(String s) {
      if (s == null) {
        return;
      }
      int n = s.length();
      boolean isAscii = true;
      for (int i = 0; i < n && isAscii; i++) {
        isAscii = s.charAt(i) < 0x80;
      }
      if (!isAscii) {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        writeVarint(utf8.length);
        write(utf8);
        return;
      }
      if (ascii.length < n) {
        ascii = new byte[Math.max(n, ascii.length * 2)];
      }
      s.getBytes(0, n, ascii, 0);
      writeVarint(n);
      ensure(n);
      buf.put(count, ascii, 0, n);
      count += n;
    }

    /** Unsigned LEB128: 7 bits per byte, low first, high bit set on all but the last. */
    private void writeVarint(int value) {
      ensure(5);
      while ((value & ~0x7F) != 0) {
        buf.put(count++, (byte) ((value & 0x7F) | 0x80));
        value >>>= 7;
      }
      buf.put(count++, (byte) value);
    }

    private void ensure(int more) {
      if (count + more > buf.capacity()) {
        ByteBuffer bigger = ByteBuffer.allocateDirect(Math.max(buf.capacity() * 2, count + more));
        bigger.put(0, buf, 0, count);
        buf = bigger;
        view = buf.duplicate();
      }
    }

    /** {@code length} bytes from {@code from}, as a view valid until the next write. */
    ByteBuffer range(int from, int length) {
      return view.limit(from + length).position(from);
    }

    /** Everything written, as a view valid until the next write. */
    ByteBuffer contents() {
      return range(0, count);
    }

    void truncate(int size) {
      count = size;
    }

    void reset() {
      count = 0;
    }

    int size() {
      return count;
    }

    int capacity() {
      return buf.capacity();
    }
  }
}
