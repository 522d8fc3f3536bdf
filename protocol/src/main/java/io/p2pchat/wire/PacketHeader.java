package io.p2pchat.wire;

/**
 * The 16-byte cleartext header every p2pchat packet starts with.
 *
 * @param type what the body holds
 * @param sessionId for DATA the receiver's session index; 0 otherwise
 * @param counter a fresh number per packet sent in a session (the AEAD nonce of DATA)
 */
public record PacketHeader(PacketType type, int sessionId, long counter) {
}
