package io.p2pchat.chat;

import io.vertx.core.Vertx;
import io.vertx.core.shareddata.LocalMap;

/**
 * Who listens to a node's in-process event batches ({@link LocalEventBatch}): a count per internal address,
 * kept in a local shared map of the Vert.x instance, so a node publishes a {@link LocalEventBatch} only while a
 * typed client of this instance listens (the node can know this one: the internal addresses have no consumer
 * but {@code ChatClient}'s, which count themselves here; the public addresses it never guesses about).
 *
 * <p>A listener counts itself after its consumer is registered and uncounts itself before it unregisters, so
 * the node never publishes to a listener that is not there yet, nor skips one that is.
 */
public final class LocalEventListeners {

  /** The local shared map: internal address → listeners (absent: none). */
  static final String LOCAL_MAP = "io.p2pchat.chat.localEventListeners";

  private final LocalMap<String, Integer> counts;

  private LocalEventListeners(LocalMap<String, Integer> counts) {
    this.counts = counts;
  }

  /** The listeners of {@code vertx}'s nodes. */
  public static LocalEventListeners of(Vertx vertx) {
    return new LocalEventListeners(vertx.sharedData().getLocalMap(LOCAL_MAP));
  }

  /** One more listener of {@code address}. */
  public void add(String address) {
    counts.merge(address, 1, Integer::sum);
  }

  /** One listener of {@code address} fewer. */
  public void remove(String address) {
    counts.computeIfPresent(address, (a, n) -> n == 1 ? null : n - 1);
  }

  /** True while anyone listens to {@code address}. */
  boolean any(String address) {
    return counts.containsKey(address);
  }
}
