package io.p2pchat.wire.frame;

/** PING: keep-alive / RTT probe; the peer answers with a {@link PongFrame} of the same id. */
public record PingFrame(long pingId) implements Frame {
}
