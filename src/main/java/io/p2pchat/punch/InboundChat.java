package io.p2pchat.punch;

/**
 * A whole chat message received from a peer, in that peer's order (local event bus only).
 *
 * @param from the peer's nick
 * @param payload the encoded {@link io.p2pchat.wire.ChatPayload}
 */
public record InboundChat(String from, byte[] payload) {
}
