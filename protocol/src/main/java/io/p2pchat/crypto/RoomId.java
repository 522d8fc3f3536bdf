package io.p2pchat.crypto;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/**
 * The identity of a chat room as seen by the rendezvous ({@link #wireId()}) and by the Noise
 * handshake ({@link #prologue()}).
 * <ul>
 *   <li>Public room: the wire id is the name; the prologue is {@code "p2pchat/1" | 0x00 | name}.</li>
 *   <li>Secret room: the wire id is hex(HMAC-SHA256(secret, "p2pchat-room-v1" | name)), so the
 *       rendezvous sees neither name nor secret; the prologue is {@code "p2pchat/1" | 0x01 |
 *       HMAC-SHA256(secret, "p2pchat-prologue-v1" | name)}, a value the rendezvous cannot compute from
 *       the wire id, so even the rendezvous, which knows the wire id, cannot complete a handshake with a
 *       member. Peers with another secret or room fail at Noise message 2.</li>
 * </ul>
 * The secret is only as strong as its entropy: a member's message 2 lets an attacker test guesses
 * offline, so use generated secrets (e.g. 128 random bits), not words.
 */
public final class RoomId {
  static final byte[] ROOM_CONTEXT = "p2pchat-room-v1".getBytes(StandardCharsets.US_ASCII);
  static final byte[] PROLOGUE_CONTEXT = "p2pchat-prologue-v1".getBytes(StandardCharsets.US_ASCII);
  static final byte[] PROLOGUE_PREFIX = "p2pchat/1".getBytes(StandardCharsets.US_ASCII);
  private static final byte PUBLIC = 0;
  private static final byte SECRET = 1;

  private final String wireId;
  private final byte[] prologue;
  private final boolean secret;

  private RoomId(String wireId, byte[] prologue, boolean secret) {
    this.wireId = wireId;
    this.prologue = prologue;
    this.secret = secret;
  }

  /** The room id of {@code room}, secret if {@code roomSecretOrNull} is non-null (and non-empty). */
  public static RoomId of(String room, String roomSecretOrNull) {
    if (room == null || room.isEmpty()) {
      throw new IllegalArgumentException("room name must not be empty");
    }
    byte[] name = room.getBytes(StandardCharsets.UTF_8);
    if (roomSecretOrNull == null || roomSecretOrNull.isEmpty()) {
      return new RoomId(room, Bytes.concat(PROLOGUE_PREFIX, new byte[] {PUBLIC}, name), false);
    }
    byte[] key = roomSecretOrNull.getBytes(StandardCharsets.UTF_8);
    String id = HexFormat.of().formatHex(NoiseSymmetricState.hmac(key, Bytes.concat(ROOM_CONTEXT, name)));
    byte[] tag = NoiseSymmetricState.hmac(key, Bytes.concat(PROLOGUE_CONTEXT, name));
    return new RoomId(id, Bytes.concat(PROLOGUE_PREFIX, new byte[] {SECRET}, tag), true);
  }

  /** The string to send to the rendezvous as {@code room}. */
  public static String derive(String room, String roomSecretOrNull) {
    return of(room, roomSecretOrNull).wireId();
  }

  public String wireId() {
    return wireId;
  }

  /** The Noise prologue for handshakes inside this room. */
  public byte[] prologue() {
    return prologue.clone();
  }

  public boolean isSecret() {
    return secret;
  }

  @Override
  public String toString() {
    return secret ? "RoomId[secret " + wireId.substring(0, 8) + "]" : "RoomId[" + wireId + "]";
  }
}
