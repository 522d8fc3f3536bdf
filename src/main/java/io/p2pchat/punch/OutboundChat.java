package io.p2pchat.punch;

/**
 * A chat message handed to PunchVerticle for delivery (local event bus only).
 *
 * @param id the message id, reported back in delivered/failed events
 * @param to the one peer to deliver to, or null for everyone in the room
 * @param payload the encoded {@link io.p2pchat.wire.ChatPayload}
 */
public record OutboundChat(String id, String to, byte[] payload) {
}
