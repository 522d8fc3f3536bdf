package io.p2pchat.punch;

/**
 * A chat message handed to PunchVerticle for delivery (local event bus only).
 *
 * @param id the message id, reported back in delivered/failed events
 * @param to the one peer to deliver to, or null for everyone in the room
 * @param payload the encoded {@link io.p2pchat.wire.ChatPayload}
 * @param origin  the sender's own record of the message, handed back with each outcome in
 *                {@link PunchEvent}s so the sender finds it without a look-up; PunchVerticle
 *                never reads it
 */
public record OutboundChat(String id, String to, byte[] payload, Object origin) {
}
