package io.p2pchat.wire.frame;

/**
 * A range of received sequence numbers, {@code start} inclusive, {@code end} exclusive.
 */
public record SeqRange(long start, long end) {
}
