package io.p2pchat.bench;

import io.vertx.core.json.JsonObject;

/**
 * What one sender driver does, handed to it in the node config under
 * {@code "extensionConfig": {"bench": ...}}: the peer to flood, the message size, the flood (warm-up, then a measured part that ends at a message count
 * or a time, whichever comes first) and the round-trip part at a fixed rate.
 *
 * @param peer            the echo node's nick
 * @param size            bytes of text per message
 * @param window          most messages in send requests not yet replied to (back-pressure paces the rest)
 * @param batch           texts per send request (1: the single-text form)
 * @param warmupMessages  warm-up flood: at most this many messages…
 * @param warmupMillis    …or this long, whichever ends first
 * @param messages        measured flood: at most this many messages…
 * @param millis          …or this long, whichever ends first
 * @param rttRate         round-trip messages per second
 * @param rttMillis       how long the round-trip part sends
 * @param rttWarmupMillis round trips started in this first part are not counted
 * @param connectMillis   how long the peer may take to be reachable on {@code path}
 * @param path            the path state the run waits for before it floods: {@code "direct"} (either direct
 *                        state) or {@code "relayed"}
 * @param idleMillis      once connected, the nodes stay idle this long before the warm-up, and the sender prints
 *                        {@link BenchSenderVerticle#IDLE} for the bench to read both nodes' memory (0: no idle part)
 */
record BenchPlan(String peer, int size, int window, int batch, long warmupMessages, long warmupMillis, long messages,
                 long millis, int rttRate, long rttMillis, long rttWarmupMillis, long connectMillis, String path,
                 long idleMillis) {

  /** The config key the plan travels under. */
  static final String KEY = "bench";
  /** {@link #path}: a direct path ({@code direct} or {@code direct-lan}). */
  static final String DIRECT = "direct";
  /** {@link #path}: the rendezvous's relay. */
  static final String RELAYED = "relayed";

  JsonObject toJson() {
    return new JsonObject()
      .put("peer", peer).put("size", size).put("window", window).put("batch", batch)
      .put("warmupMessages", warmupMessages).put("warmupMillis", warmupMillis)
      .put("messages", messages).put("millis", millis)
      .put("rttRate", rttRate).put("rttMillis", rttMillis).put("rttWarmupMillis", rttWarmupMillis)
      .put("connectMillis", connectMillis).put("path", path).put("idleMillis", idleMillis);
  }

  static BenchPlan fromJson(JsonObject json) {
    if (json == null) {
      throw new IllegalArgumentException("the sender driver needs a \"" + KEY + "\" object in its config");
    }
    return new BenchPlan(json.getString("peer"), json.getInteger("size"), json.getInteger("window"), json.getInteger("batch"),
      json.getLong("warmupMessages"), json.getLong("warmupMillis"), json.getLong("messages"),
      json.getLong("millis"), json.getInteger("rttRate"), json.getLong("rttMillis"),
      json.getLong("rttWarmupMillis"), json.getLong("connectMillis"), json.getString("path", DIRECT),
      json.getLong("idleMillis", 0L));
  }
}
