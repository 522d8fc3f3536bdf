package io.p2pchat.control;

import io.p2pchat.crypto.Keys;
import io.p2pchat.crypto.NodeIdentity;
import io.p2pchat.crypto.ResponderCache;
import java.nio.ByteBuffer;

/**
 * What the client sends inside IK message 1 (encrypted to the server's static key): a timestamp
 * against replays of message 1, its Ed25519 identity key and the signature binding its Noise static
 * key to that identity ({@link NodeIdentity#staticBinding()}), so the server knows the client by the
 * same key registration uses today.
 * <pre>
 *   version u8 (1) | timestamp u64 (ms since the epoch, strictly increasing per client) | ed25519Pub [32]
 *   | binding signature [64] | ignored...                                                     105 bytes
 * </pre>
 *
 * @param timestampMillis the client's clock, made strictly increasing: the server refuses one not above
 *     the last it accepted from this client (WireGuard's TAI64N rule)
 * @param signingKey the client's raw Ed25519 public key
 * @param binding Ed25519 signature over "p2pchat-static-v1" || the client's X25519 static key
 */
public record InitiationPayload(long timestampMillis, byte[] signingKey, byte[] binding) {
  /** Version byte of this layout. */
  public static final int VERSION = 1;
  /** Encoded length. */
  public static final int LENGTH = 1 + Long.BYTES + Keys.KEY_LENGTH + Keys.SIGNATURE_LENGTH;

  /** The payload {@code identity} sends at {@code timestampMillis}. */
  public static InitiationPayload of(NodeIdentity identity, long timestampMillis) {
    return new InitiationPayload(timestampMillis, identity.signingPublicKey(), identity.staticBinding());
  }

  /** The 105 bytes. */
  public byte[] encode() {
    return ByteBuffer.allocate(LENGTH).put((byte) VERSION).putLong(timestampMillis).put(signingKey).put(binding)
        .array();
  }

  /** Parses a payload; trailing bytes are ignored (a later version may add fields). */
  public static InitiationPayload decode(byte[] bytes) throws ControlException {
    if (bytes.length < LENGTH) {
      throw new ControlException(ControlDrop.MALFORMED, "initiation payload of " + bytes.length + " bytes");
    }
    ByteBuffer in = ByteBuffer.wrap(bytes);
    int version = in.get() & 0xFF;
    if (version != VERSION) {
      throw new ControlException(ControlDrop.BAD_VERSION, "initiation payload version " + version);
    }
    long ts = in.getLong();
    byte[] key = new byte[Keys.KEY_LENGTH];
    byte[] sig = new byte[Keys.SIGNATURE_LENGTH];
    in.get(key).get(sig);
    return new InitiationPayload(ts, key, sig);
  }

  /** True if the identity key vouches for {@code clientStatic}, the X25519 key the IK handshake proved. */
  public boolean binds(byte[] clientStatic) {
    return NodeIdentity.verifyStaticBinding(signingKey, clientStatic, binding);
  }

  /** {@link #binds(byte[])}, without the verify when {@code cache} saw exactly this binding verified before. */
  public boolean binds(byte[] clientStatic, ResponderCache cache) {
    return cache.verifiedBinding(signingKey, clientStatic, binding);
  }
}
