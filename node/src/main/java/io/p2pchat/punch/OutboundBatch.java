package io.p2pchat.punch;

import java.util.List;

/**
 * The chat messages ChatVerticle accepted from front ends during one event-loop turn, handed to
 * PunchVerticle as one event-bus message (local only): a burst costs one hand-off, not one each.
 *
 * @param messages in the order they were sent
 */
public record OutboundBatch(List<OutboundChat> messages) {
}
