package io.p2pchat.wire;

import io.vertx.core.json.JsonObject;

import java.util.EnumMap;
import java.util.Map;

/**
 * Counts dropped datagrams by reason. Owned by one socket owner and only touched on its event
 * loop, so plain longs suffice.
 */
public final class DropCounters {

  private final Map<DropReason, long[]> counts = new EnumMap<>(DropReason.class);

  public void count(DropReason reason) {
    counts.computeIfAbsent(reason, r -> new long[1])[0]++;
  }

  public long get(DropReason reason) {
    long[] c = counts.get(reason);
    return c == null ? 0 : c[0];
  }

  public long total() {
    long sum = 0;
    for (long[] c : counts.values()) {
      sum += c[0];
    }
    return sum;
  }

  /** {@code {"total": N, "truncated": N, ...}} for the event bus and logs. */
  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("total", total());
    counts.forEach((reason, c) -> json.put(reason.label(), c[0]));
    return json;
  }
}
