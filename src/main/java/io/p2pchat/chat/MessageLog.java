package io.p2pchat.chat;

import io.p2pchat.node.NodeLog;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The log lines of one batch of chat events: one line per conversation and kind that still names
 * every message id. A burst of 500 messages to one peer logs as {@code sent 500 messages to bob:
 * 3f2a-1..3f2a-500; 50000 bytes} rather than 500 lines: formatting a line costs about as much as
 * handling the message, and the ids stay greppable.
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

  /** @param target {@code room NAME} or the peer's nick */
  void sent(String id, String target, int bytes) {
    add(new Key(Kind.SENT, target, null), id, bytes);
  }

  void received(String id, String from, boolean direct, int chars) {
    add(new Key(direct ? Kind.RECEIVED_PRIVATE : Kind.RECEIVED, from, null), id, chars);
  }

  void failed(String id, String peer, String reason) {
    add(new Key(Kind.FAILED, peer, reason), id, 0);
  }

  /** Writes the lines of everything added since the last call. */
  void writeTo(NodeLog log) {
    for (Map.Entry<Key, Group> e : groups.entrySet()) {
      Key key = e.getKey();
      Group g = e.getValue();
      boolean one = g.ids.size() == 1;
      String ids = one ? g.ids.get(0) : g.ids.size() + " messages";
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
  }

  private void add(Key key, String id, long amount) {
    Group g = groups.computeIfAbsent(key, k -> new Group());
    g.ids.add(id);
    g.amount += amount;
  }

  /**
   * The ids, with runs of consecutive ones ({@code PREFIX-N}, {@code PREFIX-N+1}, …: what one
   * node gives its messages) written as {@code PREFIX-N..PREFIX-M}.
   */
  static String runs(List<String> ids) {
    StringBuilder out = new StringBuilder();
    int i = 0;
    while (i < ids.size()) {
      int j = i;
      while (j + 1 < ids.size() && follows(ids.get(j), ids.get(j + 1))) {
        j++;
      }
      if (out.length() > 0) {
        out.append(", ");
      }
      out.append(ids.get(i));
      if (j > i) {
        out.append("..").append(ids.get(j));
      }
      i = j + 1;
    }
    return out.toString();
  }

  /** True when {@code next} is {@code previous} with its number after the last '-' plus one. */
  private static boolean follows(String previous, String next) {
    int dash = previous.lastIndexOf('-');
    if (dash < 0 || dash != next.lastIndexOf('-') || !previous.regionMatches(0, next, 0, dash)) {
      return false;
    }
    try {
      return Long.parseLong(next.substring(dash + 1)) == Long.parseLong(previous.substring(dash + 1)) + 1;
    } catch (NumberFormatException notNumbered) {
      return false;
    }
  }
}
