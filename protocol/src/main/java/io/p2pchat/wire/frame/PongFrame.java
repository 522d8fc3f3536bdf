package io.p2pchat.wire.frame;

/** PONG: the answer to a {@link PingFrame}. */
public record PongFrame(long pingId) implements Frame {
}
