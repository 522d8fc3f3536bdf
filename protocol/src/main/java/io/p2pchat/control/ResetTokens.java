package io.p2pchat.control;

import io.p2pchat.crypto.ProbeMac;
import java.nio.ByteBuffer;
import java.security.MessageDigest;

/**
 * Stateless reset tokens (QUIC's stateless reset, RFC 9000 section 10.3, for the control channel): the
 * token of a session is a MAC of the server's session index under a secret derived from the
 * rendezvous's long-term key. The server gives it to the client inside the authenticated IK response;
 * a server that no longer has the session (it restarted with the same key file, or expired the session)
 * can still compute it from the index a SEALED datagram names, and answers with a RESET carrying it.
 * Only a holder of the key file can make a token, so a client that sees the token it was given knows
 * its session is gone and handshakes again at once, instead of waiting for keep-alives to go unanswered;
 * anyone else's RESET is dropped. Immutable and thread-safe.
 */
public final class ResetTokens {
  /** Bytes of a token: a truncated HMAC-SHA256, 128 bits as for every other MAC here. */
  public static final int LENGTH = ProbeMac.LENGTH;
  /** {@link io.p2pchat.crypto.NodeIdentity#deriveSecret} label of the token key. */
  static final String LABEL = "control stateless reset";

  private final byte[] key;

  /** The tokens of the server holding {@code identity}. */
  public ResetTokens(RendezvousIdentity identity) {
    this.key = identity.nodeIdentity().deriveSecret(LABEL);
  }

  /** The token of the server session {@code serverIndex}. */
  public byte[] token(int serverIndex) {
    byte[] index = ByteBuffer.allocate(Integer.BYTES).putInt(serverIndex).array();
    return ProbeMac.compute(key, index, 0, index.length);
  }

  /** Constant-time comparison of two tokens (null never matches). */
  public static boolean matches(byte[] expected, byte[] presented) {
    return expected != null && presented != null && MessageDigest.isEqual(expected, presented);
  }
}
