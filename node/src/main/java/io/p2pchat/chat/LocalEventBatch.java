package io.p2pchat.chat;

import java.util.Collections;
import java.util.List;

/**
 * The in-process form of a batched per-message event, for the typed API ({@code ChatClient}) in the node's own
 * Vert.x instance: the very bodies of one event-loop turn that the public {@code <address>.batch} event carries,
 * shared, not copied. Published on an internal address ({@link ChatAddresses#receivedLocal()} …) with local-only
 * delivery and passed by reference ({@code LocalCodec}), and only while a typed client listens
 * ({@link LocalEventListeners}).
 *
 * <p>Why a body of its own: Vert.x copies a {@code JsonObject} body for every local consumer (its codec's
 * {@code transform} is a deep copy), so a typed application following a flood through the public batches paid for
 * a copy of every event per handler (issue 20, docs/BENCH.md). Nothing here, and nothing that receives one, may
 * change the list or its bodies: the node built them once and publishes them on the public addresses too, where
 * each consumer gets its own copy.
 */
public final class LocalEventBatch {

  private final List<Object> events;

  /** @param events the turn's bodies ({@code JsonObject}s), in order; the caller never changes the list again */
  LocalEventBatch(List<Object> events) {
    this.events = Collections.unmodifiableList(events);
  }

  /** The turn's event bodies ({@code JsonObject}s), in order; read only, shared with every other consumer. */
  public List<Object> events() {
    return events;
  }
}
