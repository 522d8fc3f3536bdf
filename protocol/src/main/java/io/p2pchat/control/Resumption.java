package io.p2pchat.control;

import io.p2pchat.crypto.CipherSuite;
import io.p2pchat.crypto.SessionKeys;
import io.p2pchat.crypto.ThreadJce;
import io.p2pchat.crypto.TransportCipher;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import javax.crypto.AEADBadTagException;

/**
 * The symmetric crypto of session resumption (docs/PROTOCOL.md, "Resumption"): every key a RESUME and
 * its RESUMED use is derived from the resumption secret of the ticket with HMAC-SHA256 (HKDF-Expand with
 * one block per key), and every AEAD is AES-256-GCM. No public-key operation anywhere: that is the point.
 * <pre>
 *   request key  = HMAC(secret, "resume request" | client nonce | binding)       seals RESUME's timestamp
 *   prk          = HMAC(secret, "resume session" | client nonce | server nonce | client index | server index | binding)
 *   c2s, s2c     = HMAC(prk, "c2s" | 1), HMAC(prk, "s2c" | 1)                     the session's two directions
 *   answer key   = HMAC(prk, "answer" | 1)                                         seals RESUMED's payload
 *   next secret  = HMAC(prk, "next secret" | 1)                                    the fresh ticket's secret
 *   session hash = HMAC(prk, "session hash" | 1)                                   the session's channel binding value
 * </pre>
 * The binding is the TLS connection's {@link ChannelBinding} (empty over UDP), as in the IK prologue: a
 * TLS man in the middle that relays a RESUME derives nothing and the real server's keys differ from the
 * client's. Request and answer keys are used once each (fresh random nonces in their inputs), so their
 * AEAD nonce is zero. Stateless and thread-safe.
 */
final class Resumption {
  /** The client's and the server's random nonces: 128 bits, so no two RESUMEs or RESUMEDs share a key. */
  static final int NONCE_SIZE = 16;
  /**
   * How far a RESUME's timestamp may lag the server's clock: 240 s, as long as the server remembers a
   * client's last timestamp ({@link ControlServer#REPLAY_MEMORY_NANOS}). A replay younger than that is
   * caught by the memory, an older one by this bound, so a RESUME replays nowhere at any time (a
   * client whose clock is further off falls back to the full handshake, which has no such bound).
   */
  static final long MAX_TIMESTAMP_LAG_MILLIS = TimeUnit.NANOSECONDS.toMillis(ControlServer.REPLAY_MEMORY_NANOS);
  /** ... and how far ahead of it: the same 240 s (a client's clock ahead of ours, within NTP's reach many times over). */
  static final long MAX_TIMESTAMP_LEAD_MILLIS = MAX_TIMESTAMP_LAG_MILLIS;

  private static final int GCM_NONCE = 12;
  private static final byte[] ZERO_NONCE = new byte[GCM_NONCE];

  /** The keys of one resumed session, as the client and the server both derive them. */
  record Keys(byte[] clientToServer, byte[] serverToClient, byte[] answerKey, byte[] nextSecret, byte[] sessionHash) {
    /** The session's ciphers, oriented for {@code role}. */
    SessionKeys sessionKeys(ControlSession.Role role) {
      TransportCipher c2s = TransportCipher.of(CipherSuite.AES_GCM, clientToServer);
      TransportCipher s2c = TransportCipher.of(CipherSuite.AES_GCM, serverToClient);
      return role == ControlSession.Role.CLIENT ? new SessionKeys(c2s, s2c, sessionHash)
          : new SessionKeys(s2c, c2s, sessionHash);
    }
  }

  private Resumption() {
  }

  /** The key that seals a RESUME's timestamp. */
  static byte[] requestKey(byte[] secret, byte[] clientNonce, byte[] binding) {
    return hmac(secret, bytes("resume request"), clientNonce, orEmpty(binding));
  }

  /** Every key of the session a RESUME with {@code clientNonce} and its RESUMED with {@code serverNonce} make. */
  static Keys sessionKeys(byte[] secret, byte[] clientNonce, byte[] serverNonce, int clientIndex, int serverIndex,
      byte[] binding) {
    byte[] indices = ByteBuffer.allocate(2 * Integer.BYTES).putInt(clientIndex).putInt(serverIndex).array();
    byte[] prk = hmac(secret, bytes("resume session"), clientNonce, serverNonce, indices, orEmpty(binding));
    return new Keys(expand(prk, "c2s"), expand(prk, "s2c"), expand(prk, "answer"), expand(prk, "next secret"),
        expand(prk, "session hash"));
  }

  /** AES-256-GCM of {@code plain} under a key used for one message only (nonce zero), {@code aad} authenticated. */
  static byte[] seal(byte[] key, byte[] aad, byte[] plain) {
    return seal(key, ZERO_NONCE, aad, plain);
  }

  /** AES-256-GCM of {@code plain} under {@code key} and a 12-byte {@code nonce} (the thread's cipher: {@link CipherSuite#seal}). */
  static byte[] seal(byte[] key, byte[] nonce, byte[] aad, byte[] plain) {
    return CipherSuite.AES_GCM.seal(key, nonce, aad, plain);
  }

  /** Opens what {@link #seal(byte[], byte[], byte[])} sealed; throws {@link AEADBadTagException} on any change. */
  static byte[] open(byte[] key, byte[] aad, byte[] sealed) throws AEADBadTagException {
    return open(key, ZERO_NONCE, aad, sealed);
  }

  /** Opens what {@link #seal(byte[], byte[], byte[], byte[])} sealed. */
  static byte[] open(byte[] key, byte[] nonce, byte[] aad, byte[] sealed) throws AEADBadTagException {
    return CipherSuite.AES_GCM.open(key, nonce, aad, sealed);
  }

  /** True if {@code timestampMillis} lies within the window around the server's {@code nowMillis}. */
  static boolean fresh(long timestampMillis, long nowMillis) {
    return timestampMillis >= nowMillis - MAX_TIMESTAMP_LAG_MILLIS && timestampMillis <= nowMillis + MAX_TIMESTAMP_LEAD_MILLIS;
  }

  private static byte[] expand(byte[] prk, String label) {
    return hmac(prk, bytes(label), new byte[] {1});
  }

  static byte[] hmac(byte[] key, byte[]... parts) {
    return ThreadJce.hmacSha256(key, parts);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  private static byte[] orEmpty(byte[] binding) {
    return binding == null ? new byte[0] : binding;
  }
}
