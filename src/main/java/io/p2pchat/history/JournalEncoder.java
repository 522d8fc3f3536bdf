package io.p2pchat.history;

import com.fasterxml.jackson.core.io.JsonStringEncoder;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * Frames history records for the journal: {@code length u32 | crc32c u32 | JSON} (big-endian),
 * the JSON object of an "add" or a "state" record. The writer thread encodes every record a node
 * sends or receives, so the JSON is written straight into one reused buffer: constant keys as
 * prepared bytes, and strings of printable ASCII (most chat text, every id and nick) copied as
 * they are; any other string goes through Jackson's escaper. Jackson's generic generator spent
 * a third of the writer's time in its per-field string handling. Writer thread only.
 */
final class JournalEncoder {

  private static final byte[] ADD_ID = ascii("{\"id\":");
  private static final byte[] DIR = ascii(",\"dir\":");
  private static final byte[] PEER = ascii(",\"peer\":");
  private static final byte[] FROM = ascii(",\"from\":");
  private static final byte[] TO = ascii(",\"to\":");
  private static final byte[] TEXT = ascii(",\"text\":");
  private static final byte[] TS = ascii(",\"ts\":");
  private static final byte[] STATE = ascii(",\"state\":");
  private static final byte[] ADD_END = ascii(",\"op\":\"add\"}");
  private static final byte[] STATE_OP = ascii("{\"op\":\"state\"");
  private static final byte[] ID = ascii(",\"id\":");
  private static final byte[] NULL = ascii("null");
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
    record.write(ADD_ID);
    string(e.id());
    record.write(DIR);
    string(e.direction().name());
    record.write(PEER);
    string(e.peer());
    record.write(FROM);
    string(e.from());
    record.write(TO);
    string(e.to());
    record.write(TEXT);
    string(e.text());
    record.write(TS);
    record.writeAscii(Long.toString(e.ts()));
    record.write(STATE);
    string(e.state().name());
    record.write(ADD_END);
    return frame(out);
  }

  /** Appends a "state" record to {@code out}; false when it is over maxRecordBytes. */
  boolean state(String id, String peer, HistoryEntry.State state, Bytes out) {
    record.reset();
    record.write(STATE_OP);
    record.write(ID);
    string(id);
    record.write(PEER);
    string(peer);
    record.write(STATE);
    string(state.name());
    record.write('}');
    return frame(out);
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

  /** A JSON string (or null): copied when it is printable ASCII without quote or backslash, else escaped. */
  private void string(String s) {
    if (s == null) {
      record.write(NULL);
      return;
    }
    record.write('"');
    if (!record.writePlainAscii(s)) {
      record.write(JsonStringEncoder.getInstance().quoteAsUTF8(s));
    }
    record.write('"');
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
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

    /** {@code s}, which is ASCII (a number). */
    void writeAscii(String s) {
      ensure(s.length());
      for (int i = 0; i < s.length(); i++) {
        buf[count++] = (byte) s.charAt(i);
      }
    }

    /**
     * Copies {@code s} when every char is printable ASCII other than '"' and '\' (so JSON needs
     * no escape); otherwise writes nothing and returns false.
     */
    boolean writePlainAscii(String s) {
      int n = s.length();
      ensure(n);
      for (int i = 0; i < n; i++) {
        char c = s.charAt(i);
        if (c < 0x20 || c > 0x7E || c == '"' || c == '\\') {
          return false;
        }
        buf[count + i] = (byte) c;
      }
      count += n;
      return true;
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
