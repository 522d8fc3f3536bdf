package io.p2pchat.punch;

import java.util.List;

/**
 * The {@link PunchEvent}s of one PunchVerticle event-loop turn, in the order they happened,
 * handed to ChatVerticle as one event-bus message (local only).
 */
public record PunchEventBatch(List<PunchEvent> events) {
}
