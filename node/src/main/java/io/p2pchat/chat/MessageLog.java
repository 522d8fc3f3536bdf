package io.p2pchat.chat;

import io.p2pchat.common.NodeLog;
import io.p2pchat.common.Plural;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The log lines of the chat events of a short interval: one line per conversation and kind that
 * still names every message id. A burst of 500 messages to one peer logs as {@code sent 500
 * messages to bob: 3f2a-1..3f2a-500; 50000 bytes} rather than 500 lines: formatting a line costs
 * about as much as handling the message, and the ids stay greppable.
 */
final class MessageLog {

  private enum Kind { SENT, RECEIVED, RECEIVED_PRIVATE, FAILED }

  private record Key(Kind kind, String who, String reason) {
  }

  private static final class Group {
    final List<String> ids = new ArrayList<>();
    long amount;
  }

  private final Map<Key, Group> groups = new LinkedHashMap<>();
  private int pendingIds;
  /**
   * The group of the last id added, and its key: a flood adds one id after another to the same group, so the
   * next id usually goes there without a key made and hashed for it (a {@code Key} per message was ~1 % of a
   * flooding node's garbage, async-profiler alloc).
   */
  private Key lastKey;
  private Group lastGroup;

  /** @param target {@code room NAME} or the peer's nick */
  void sent(String id, String target, int bytes) {
    add(Kind.SENT, target, null, id, bytes);
  }

  void received(String id, String from, boolean direct, int chars) {
    add(direct ? Kind.RECEIVED_PRIVATE : Kind.RECEIVED, from, null, id, chars);
  }

  void failed(String id, String peer, String reason) {
    add(Kind.FAILED, peer, reason, id, 0);
  }

  /** Ids added and not written yet. */
  int pending() {
    return pendingIds;
  }

  /** Writes the lines of everything added since the last call. */
  void writeTo(NodeLog log) {
    for (Map.Entry<Key, Group> e : groups.entrySet()) {
      Key key = e.getKey();
      Group g = e.getValue();
      boolean one = g.ids.size() == 1;
      String ids = one ? g.ids.get(0) : Plural.of(g.ids.size(), "message");
      switch (key.kind) {
        case SENT -> {
          if (one) {
            log.info("sent {} to {}: {} bytes", ids, key.who, g.amount);
          } else {
            log.info("sent {} to {}: {}; {} bytes", ids, key.who, runs(g.ids), g.amount);
          }
        }
        case RECEIVED, RECEIVED_PRIVATE -> {
          String how = key.kind == Kind.RECEIVED_PRIVATE ? " (private)" : "";
          if (one) {
            log.info("received {} from {}{}: {} chars", ids, key.who, how, g.amount);
          } else {
            log.info("received {} from {}{}: {}; {} chars", ids, key.who, how, runs(g.ids), g.amount);
          }
        }
        case FAILED -> {
          if (one) {
            log.warn("message {} not delivered to {}: {}", ids, key.who, key.reason);
          } else {
            log.warn("{} not delivered to {}: {}: {}", ids, key.who, key.reason, runs(g.ids));
          }
        }
      }
    }
    groups.clear();
    lastKey = null;
    lastGroup = null;
    pendingIds = 0;
  }

  private void add(Kind kind, String who, String reason, String id, long amount) {
    Key key = lastKey;
    if (key == null || key.kind != kind || !Objects.equals(key.who, who) || !Objects.equals(key.reason, reason)) {
      lastKey = key = new Key(kind, who, reason);
      lastGroup = groups.computeIfAbsent(key, k -> new Group());
    }
    Group g = lastGroup;
    g.ids.add(id);
    g.amount += amount;
    pendingIds++;
  }

  /**
   * The ids, with runs of consecutive ones ({@code PREFIX-N}, {@code PREFIX-N+1}, …: what one
   * node gives its messages) written as {@code PREFIX-N..PREFIX-M}. Each id is parsed once.
   */
  static String runs(List<String> ids) {
    StringBuilder out = new StringBuilder();
    String runStart = null;
    String previous = null;
    long previousNumber = -1;
    for (String id : ids) {
      long number = numberOf(id);
      boolean continues = previous != null && number >= 0 && previousNumber >= 0 && number == previousNumber + 1
        && samePrefix(previous, id);
      if (!continues) {
        closeRun(out, runStart, previous);
        runStart = id;
      }
      previous = id;
      previousNumber = number;
    }
    closeRun(out, runStart, previous);
    return out.toString();
  }

  private static void closeRun(StringBuilder out, String first, String last) {
    if (first == null) {
      return;
    }
    if (out.length() > 0) {
      out.append(", ");
    }
    out.append(first);
    if (!first.equals(last)) {
      out.append("..").append(last);
    }
  }

  /** The number after the last '-', or -1 when there is none. */
  private static long numberOf(String id) {
    int dash = id.lastIndexOf('-');
    if (dash < 0 || dash == id.length() - 1) {
      return -1;
    }
    try {
      return Long.parseLong(id, dash + 1, id.length(), 10);
    } catch (NumberFormatException notNumbered) {
      return -1;
    }
  }

  /** Both ids have the same text up to their last '-'. */
  private static boolean samePrefix(String a, String b) {
    int dash = a.lastIndexOf('-');
    return dash == b.lastIndexOf('-') && a.regionMatches(0, b, 0, dash);
  }
}
