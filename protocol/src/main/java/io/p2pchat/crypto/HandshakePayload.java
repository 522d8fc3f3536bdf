package io.p2pchat.crypto;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * What each side sends inside Noise messages 2 and 3 (encrypted there): its nick, its Ed25519 identity
 * key and the Ed25519 signature binding its Noise static key to that identity.
 * <pre>
 *   version u8 (1) | nickLen u8 | nick (UTF-8) | ed25519Pub [32] | binding signature [64] | ignored...
 * </pre>
 * Trailing bytes are ignored so a later version can add fields. Immutable.
 */
public final class HandshakePayload {
  public static final int VERSION = 1;
  /** Longest nick in UTF-8 bytes; must cover the rendezvous' own nick limit. */
  public static final int MAX_NICK_BYTES = 64;
  private static final int FIXED_LENGTH = 2 + Keys.KEY_LENGTH + Keys.SIGNATURE_LENGTH;
  /** Longest encoding: fits easily in a Noise message inside one 1200-byte datagram. */
  public static final int MAX_LENGTH = FIXED_LENGTH + MAX_NICK_BYTES;

  private final String nick;
  private final byte[] signingKey;
  private final byte[] binding;

  private HandshakePayload(String nick, byte[] signingKey, byte[] binding) {
    this.nick = nick;
    this.signingKey = signingKey;
    this.binding = binding;
  }

  /** The payload this node sends: its nick, identity key and static-key binding. */
  public static HandshakePayload of(NodeIdentity identity, String nick) {
    checkNick(nick);
    return new HandshakePayload(nick, identity.signingPublicKey(), identity.staticBinding());
  }

  /** Test/advanced use: a payload from explicit parts. */
  static HandshakePayload of(String nick, byte[] signingKey, byte[] binding) {
    checkNick(nick);
    if (signingKey.length != Keys.KEY_LENGTH || binding.length != Keys.SIGNATURE_LENGTH) {
      throw new IllegalArgumentException("bad key or signature length");
    }
    return new HandshakePayload(nick, signingKey.clone(), binding.clone());
  }

  private static void checkNick(String nick) {
    int len = nick.getBytes(StandardCharsets.UTF_8).length;
    if (len == 0 || len > MAX_NICK_BYTES) {
      throw new IllegalArgumentException("nick must be 1.." + MAX_NICK_BYTES + " UTF-8 bytes");
    }
  }

  public String nick() {
    return nick;
  }

  /** The sender's raw Ed25519 public key (check it with {@link KnownPeers}). */
  public byte[] signingKey() {
    return signingKey.clone();
  }

  /** The sender's signature binding its static key to its identity ({@code "p2pchat-static-v1"}). */
  public byte[] binding() {
    return binding.clone();
  }

  public byte[] encode() {
    byte[] n = nick.getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(FIXED_LENGTH + n.length)
        .put((byte) VERSION).put((byte) n.length).put(n).put(signingKey).put(binding).array();
  }

  /** Parses a payload; rejects short, oversized-nick, bad-UTF-8 or unknown-version input. */
  public static HandshakePayload decode(byte[] bytes) throws HandshakeException {
    if (bytes.length < FIXED_LENGTH) {
      throw new HandshakeException("handshake payload too short: " + bytes.length);
    }
    ByteBuffer buf = ByteBuffer.wrap(bytes);
    int version = buf.get() & 0xFF;
    if (version != VERSION) {
      throw new HandshakeException("handshake payload version " + version + " unsupported");
    }
    int nickLen = buf.get() & 0xFF;
    if (nickLen == 0 || nickLen > MAX_NICK_BYTES || bytes.length < FIXED_LENGTH + nickLen) {
      throw new HandshakeException("handshake payload nick length " + nickLen + " invalid");
    }
    String nick;
    try {
      nick = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes, 2, nickLen)).toString();
    } catch (CharacterCodingException e) {
      throw new HandshakeException("handshake payload nick is not UTF-8");
    }
    buf.position(2 + nickLen);
    byte[] key = new byte[Keys.KEY_LENGTH];
    byte[] sig = new byte[Keys.SIGNATURE_LENGTH];
    buf.get(key).get(sig);
    return new HandshakePayload(nick, key, sig);
  }

  /**
   * True if the binding signature proves that the owner of {@link #signingKey()} holds
   * {@code remoteStaticFromNoise} (from {@link NoiseHandshake#remoteStaticKey()}). A man in the middle
   * that completed the handshake with its own static key fails here.
   */
  public boolean verify(byte[] remoteStaticFromNoise) {
    return remoteStaticFromNoise != null
        && NodeIdentity.verify(signingKey, NodeIdentity.bindingMessage(remoteStaticFromNoise), binding);
  }

  @Override
  public String toString() {
    return "HandshakePayload[" + nick + ", " + NodeIdentity.keyIdOf(signingKey) + "]";
  }
}
