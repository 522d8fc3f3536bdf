package io.p2pchat.history;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Reads the body of a journal record (its frame and CRC already checked): the binary records
 * {@link JournalEncoder} writes, and the JSON records of journals written before it
 * ({@code {"op":"add",...}} and {@code {"op":"state",...}}), so an upgraded node keeps its history.
 */
final class JournalDecoder {

  /** What a record says: an entry to add, or the new delivery state of an entry. */
  sealed interface Record permits Add, StateChange, Skipped {
  }

  record Add(HistoryEntry entry) implements Record {
  }

  record StateChange(String id, HistoryEntry.State state) implements Record {
  }

  /** A record of a kind this version does not know (written by a newer one): skipped. */
  record Skipped() implements Record {
  }

  private static final Skipped SKIPPED = new Skipped();
  private static final int JSON_OBJECT = '{';

  private final ObjectMapper json = new ObjectMapper();

  /** The record in {@code body}, or null when it makes no sense (the CRC matched a corrupt record). */
  Record decode(byte[] body) {
    try {
      if (body.length > 0 && body[0] == JSON_OBJECT) {
        return decodeJson(body);
      }
      return new Reader(body).record();
    } catch (IOException | RuntimeException corrupt) {
      return null;
    }
  }

  private Record decodeJson(byte[] body) throws IOException {
    ObjectNode n = (ObjectNode) json.readTree(body);
    String op = n.path("op").asText();
    if (op.equals("add")) {
      return new Add(new HistoryEntry(n.get("id").asText(), HistoryEntry.Direction.valueOf(n.get("dir").asText()),
        text(n, "peer"), text(n, "from"), text(n, "to"), text(n, "text"), n.path("ts").asLong(),
        HistoryEntry.State.valueOf(n.get("state").asText())));
    }
    if (op.equals("state")) {
      return new StateChange(n.get("id").asText(), HistoryEntry.State.valueOf(n.get("state").asText()));
    }
    return SKIPPED;
  }

  private static String text(ObjectNode n, String field) {
    return n.hasNonNull(field) ? n.get(field).asText() : null;
  }

  /** A bounds-checked cursor over a binary body; any overrun throws (the record is corrupt). */
  private static final class Reader {
    private final byte[] body;
    private int pos;

    Reader(byte[] body) {
      this.body = body;
    }

    Record record() {
      int type = u8();
      if (type == JournalEncoder.ADD) {
        int flags = u8();
        long ts = i64();
        String id = string(true);
        return new Add(new HistoryEntry(id,
          (flags & JournalEncoder.DIRECTION_OUT) != 0 ? HistoryEntry.Direction.OUT : HistoryEntry.Direction.IN,
          string((flags & JournalEncoder.PEER) != 0), string((flags & JournalEncoder.FROM) != 0),
          string((flags & JournalEncoder.TO) != 0), string((flags & JournalEncoder.TEXT) != 0), ts, state(flags)));
      }
      if (type == JournalEncoder.STATE) {
        int flags = u8();
        return new StateChange(string(true), state(flags));
      }
      return SKIPPED;
    }

    private static HistoryEntry.State state(int flags) {
      return switch (flags & 0x3) {
        case JournalEncoder.SENDING -> HistoryEntry.State.SENDING;
        case JournalEncoder.DELIVERED -> HistoryEntry.State.DELIVERED;
        case JournalEncoder.FAILED -> HistoryEntry.State.FAILED;
        default -> HistoryEntry.State.QUEUED;
      };
    }

    private int u8() {
      if (pos >= body.length) {
        throw new IllegalArgumentException("record cut short");
      }
      return body[pos++] & 0xFF;
    }

    private long i64() {
      long v = 0;
      for (int i = 0; i < 8; i++) {
        v = (v << 8) | u8();
      }
      return v;
    }

    private String string(boolean present) {
      if (!present) {
        return null;
      }
      int length = 0;
      for (int shift = 0; ; shift += 7) {
        int b = u8();
        if (shift > 28) {
          throw new IllegalArgumentException("varint too long");
        }
        length |= (b & 0x7F) << shift;
        if ((b & 0x80) == 0) {
          break;
        }
      }
      if (length < 0 || length > body.length - pos) {
        throw new IllegalArgumentException("string of " + length + " bytes past the record's end");
      }
      String s = new String(body, pos, length, StandardCharsets.UTF_8);
      pos += length;
      return s;
    }
  }
}
