package io.p2pchat.history;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
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
 * half of the writer's time; this is ~150 bytes. Writer thread only.
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
  /** First size of the record buffer: a short chat line and its fields fit. */
  private static final int RECORD_GUESS_BYTES = 256;

  private final Bytes record = new Bytes(RECORD_GUESS_BYTES);
  private final CRC32C crc = new CRC32C();
  private final int maxRecordBytes;

  JournalEncoder(int maxRecordBytes) {
    this.maxRecordBytes = maxRecordBytes;
  }

  /** Appends an "add" record of {@code e} to {@code out}; false when it is over maxRecordBytes (nothing appended). */
  boolean add(HistoryEntry e, Bytes out) {
    record.reset();
    record.write(ADD);
    record.write(stateCode(e.state()) | (e.direction() == HistoryEntry.Direction.OUT ? DIRECTION_OUT : 0)
      | present(e.peer(), PEER) | present(e.from(), FROM) | present(e.to(), TO) | present(e.text(), TEXT));
    record.writeLong(e.ts());
    record.writeString(e.id());
    record.writeString(e.peer());
    record.writeString(e.from());
    record.writeString(e.to());
    record.writeString(e.text());
    return frame(out);
  }

  /** Appends a "state" record to {@code out}; false when it is over maxRecordBytes. */
  boolean state(String id, String peer, HistoryEntry.State state, Bytes out) {
    record.reset();
    record.write(STATE);
    record.write(stateCode(state) | present(peer, PEER));
    record.writeString(id);
    record.writeString(peer);
    return frame(out);
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

  private boolean frame(Bytes out) {
    int length = record.size();
    if (length > maxRecordBytes) {
      return false;
    }
    crc.reset();
    crc.update(record.array(), 0, length);
    out.writeInt(length);
    out.writeInt((int) crc.getValue());
    out.write(record.array(), 0, length);
    return true;
  }

  /** A growable byte array whose contents are read in place: no copy per record or batch. */
  static final class Bytes {
    private byte[] buf;
    private int count;

    Bytes(int size) {
      buf = new byte[size];
    }

    void write(int b) {
      ensure(1);
      buf[count++] = (byte) b;
    }

    void write(byte[] b) {
      write(b, 0, b.length);
    }

    void write(byte[] b, int off, int len) {
      ensure(len);
      System.arraycopy(b, off, buf, count, len);
      count += len;
    }

    void writeInt(int value) {
      ensure(4);
      buf[count++] = (byte) (value >>> 24);
      buf[count++] = (byte) (value >>> 16);
      buf[count++] = (byte) (value >>> 8);
      buf[count++] = (byte) value;
    }

    void writeLong(long value) {
      writeInt((int) (value >>> 32));
      writeInt((int) value);
    }

    /** {@code s} as varint length and UTF-8 (nothing for null: the flags say it is absent); ASCII copied as is. */
    void writeString(String s) {
      if (s == null) {
        return;
      }
      int n = s.length();
      boolean ascii = true;
      for (int i = 0; i < n && ascii; i++) {
        ascii = s.charAt(i) < 0x80;
      }
      if (!ascii) {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        writeVarint(utf8.length);
        write(utf8);
        return;
      }
      writeVarint(n);
      ensure(n);
      for (int i = 0; i < n; i++) {
        buf[count++] = (byte) s.charAt(i);
      }
    }

    /** Unsigned LEB128: 7 bits per byte, low first, high bit set on all but the last. */
    private void writeVarint(int value) {
      ensure(5);
      while ((value & ~0x7F) != 0) {
        buf[count++] = (byte) ((value & 0x7F) | 0x80);
        value >>>= 7;
      }
      buf[count++] = (byte) value;
    }

    private void ensure(int more) {
      if (count + more > buf.length) {
        buf = Arrays.copyOf(buf, Math.max(buf.length * 2, count + more));
      }
    }

    void reset() {
      count = 0;
    }

    int size() {
      return count;
    }

    byte[] array() {
      return buf;
    }

    int capacity() {
      return buf.length;
    }
  }
}
