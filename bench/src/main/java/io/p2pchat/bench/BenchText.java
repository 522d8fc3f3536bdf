package io.p2pchat.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * The texts the bench drivers exchange: one kind letter, a sequence number, a space, then filler
 * up to the message size, so a message of N bytes is exactly N bytes of UTF-8 (all ASCII) and
 * the receiver can check the order it arrives in.
 */
final class BenchText {

  /** Sender → echo, echoed back: proves both drivers are listening before anything is measured. */
  static final char HELLO = 'H';
  /** Sender → echo, counted and order-checked by the echo driver, never echoed. */
  static final char FLOOD = 'T';
  /** Sender → echo right before the measured flood: the echo driver starts its CPU clock. */
  static final char MARK = 'M';
  /** Sender → echo after a flood: "how many did you get?"; answered with {@link #END_ACK}. */
  static final char END = 'E';
  /**
   * Echo → sender: {@code e<count> <outOfOrder> <cpuMicrosSinceMark> <allocatedBytes> <gcCount> <gcMillis>
   * <gcMaxMillis>}, the last four since the mark ({@link JvmCounters}).
   */
  static final char END_ACK = 'e';
  /** Sender → echo, echoed back unchanged: one round-trip sample. */
  static final char RTT = 'R';
  /** Sender → echo during the warm-up: "how long has your JIT compiled?"; answered with {@link #JIT_ACK}. */
  static final char JIT = 'J';
  /** Echo → sender: {@code j<compileMillis>}. */
  static final char JIT_ACK = 'j';
  /** Sender → echo: the run is over; the echo driver prints its figures. */
  static final char DONE = 'Z';

  /** Filler text, appended in slices: a char at a time cost the sender driver 7 % of its loop. */
  private static final String FILLER = "x".repeat(1024);

  private BenchText() {
  }

  /** {@code kind} + {@code seq} + ' ' + filler, {@code size} bytes long (longer only if size is tiny). */
  static String make(char kind, long seq, int size) {
    StringBuilder text = new StringBuilder(Math.max(size, 24)).append(kind).append(seq).append(' ');
    for (int left = size - text.length(); left > 0; left -= FILLER.length()) {
      text.append(FILLER, 0, Math.min(left, FILLER.length()));
    }
    return text.toString();
  }

  /** The {@code chat.send} body for {@code texts} to {@code to}: the one-text form for one, the batch form for more. */
  static JsonObject sendBody(String to, JsonArray texts) {
    return texts.size() == 1 ? new JsonObject().put("text", texts.getString(0)).put("to", to)
      : new JsonObject().put("texts", texts).put("to", to);
  }

  /** The kind letter, or 0 for an empty text. */
  static char kind(String text) {
    return text.isEmpty() ? 0 : text.charAt(0);
  }

  /** The sequence number after the kind letter, or -1 when there is none. */
  static long seq(String text) {
    long seq = 0;
    int i = 1;
    for (; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < '0' || c > '9') {
        break;
      }
      seq = seq * 10 + (c - '0');
    }
    return i == 1 ? -1 : seq;
  }
}
