package io.p2pchat.crypto;

import javax.crypto.AEADBadTagException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.util.Arrays;

/**
 * The keys of the LAN hello ({@code io.p2pchat.wire.LanHelloCodec} frames it): what two nodes that found
 * each other by mDNS (no rendezvous) use to make the introduction a rendezvous would have made. Each
 * announces its Noise static key in its TXT record; with the other's, each side computes
 * {@code dh = X25519(our static, their static)} and from it and the room's prologue, without another message:
 * <ul>
 *   <li>the hello key, {@code HMAC-SHA256(dh, "p2pchat-lan-hello-v1" || prologue)}, which seals the hello
 *       (ChaCha20-Poly1305, 12-byte nonce = 4 zero bytes and the packet's 8-byte counter);</li>
 *   <li>the probe secret of the introduction, {@code HMAC-SHA256(dh, "p2pchat-lan-probe-v1" || prologue)};</li>
 *   <li>the introduction id, the first 8 bytes of {@code HMAC-SHA256(dh, "p2pchat-lan-intro-v1" || prologue)}.</li>
 * </ul>
 * Only the two holders of those static keys, in the same room, can compute them. Opening a hello proves
 * the sender holds its static key and knows the room's prologue; it does not prove freshness (a replayed
 * hello only repeats an introduction whose probes the replayer cannot answer). The Noise XX handshake
 * that follows authenticates as always, and trust on first use applies.
 */
public final class LanHello {

  /** The derived introduction both sides compute alike. */
  public record Introduction(long introId, byte[] probeSecret) {
  }

  private static final byte[] HELLO_LABEL = "p2pchat-lan-hello-v1".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] PROBE_LABEL = "p2pchat-lan-probe-v1".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] INTRO_LABEL = "p2pchat-lan-intro-v1".getBytes(StandardCharsets.US_ASCII);
  private static final CipherSuite SUITE = CipherSuite.CHACHA20_POLY1305;
  /** The Poly1305 tag a sealed hello carries. */
  public static final int TAG_LENGTH = 16;
  private static final int NONCE = 12;

  private final NodeIdentity identity;
  private final byte[] prologue;

  public LanHello(NodeIdentity identity, byte[] prologue) {
    this.identity = identity;
    this.prologue = prologue.clone();
  }

  /** Our static key, which the hello carries in the clear (it is in our TXT record too). */
  public byte[] staticPublicKey() {
    return identity.staticPublicKey();
  }

  /** Seals {@code plain} to the holder of {@code recipientStatic}; {@code aad} is authenticated too. */
  public byte[] seal(byte[] recipientStatic, long nonce, byte[] aad, byte[] plain) throws InvalidKeyException {
    byte[] key = helloKey(recipientStatic);
    try {
      return SUITE.seal(key, iv(nonce), aad, plain);
    } finally {
      Arrays.fill(key, (byte) 0);
    }
  }

  /** Opens what the holder of {@code senderStatic} sealed to us; a forged, altered or other-room hello fails. */
  public byte[] open(byte[] senderStatic, long nonce, byte[] aad, byte[] sealed)
    throws InvalidKeyException, AEADBadTagException {
    byte[] key = helloKey(senderStatic);
    try {
      return SUITE.open(key, iv(nonce), aad, sealed);
    } finally {
      Arrays.fill(key, (byte) 0);
    }
  }

  /** The introduction both sides derive for the pair of us and the holder of {@code peerStatic}. */
  public Introduction introduction(byte[] peerStatic) throws InvalidKeyException {
    byte[] dh = Keys.dh(identity.staticPrivateKey(), peerStatic);
    try {
      long id = ByteBuffer.wrap(NoiseSymmetricState.hmac(dh, Bytes.concat(INTRO_LABEL, prologue))).getLong();
      return new Introduction(id == 0 ? 1 : id, NoiseSymmetricState.hmac(dh, Bytes.concat(PROBE_LABEL, prologue)));
    } finally {
      Arrays.fill(dh, (byte) 0);
    }
  }

  private byte[] helloKey(byte[] peerStatic) throws InvalidKeyException {
    byte[] dh = Keys.dh(identity.staticPrivateKey(), peerStatic);
    try {
      return NoiseSymmetricState.hmac(dh, Bytes.concat(HELLO_LABEL, prologue));
    } finally {
      Arrays.fill(dh, (byte) 0);
    }
  }

  /** The 12-byte nonce of a hello: 4 zero bytes and its counter, big-endian. */
  private static byte[] iv(long nonce) {
    return ByteBuffer.allocate(NONCE).putInt(0).putLong(nonce).array();
  }
}
