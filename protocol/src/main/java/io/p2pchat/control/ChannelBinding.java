package io.p2pchat.control;

import io.p2pchat.crypto.NodeIdentity;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Binds the control handshake to the TLS connection it runs in (docs/PROTOCOL.md, "Control over TLS").
 * Over a WebSocket inside TLS the Noise prologue of the IK handshake is
 * <pre>
 *   PROLOGUE || "tls-server-end-point" || SHA-256(DER of the server's leaf certificate)
 * </pre>
 * RFC 5929's {@code tls-server-end-point}: the server hashes the certificate it serves, the client the
 * one it saw. A man in the middle that terminates TLS with a certificate of its own makes the two
 * prologues differ, so the server's IK responder fails to authenticate message 1 and nothing registers;
 * one that forwards the real certificate cannot read the TLS. RFC 5705's exporter, which binds to the
 * session rather than to the certificate, has no public API in Java 17's JSSE. RFC 5929 takes the hash of
 * the certificate's signature algorithm (SHA-256 for SHA-1 and MD5); this protocol always takes SHA-256:
 * both ends are ours, and one fixed hash leaves nothing to negotiate. Over UDP the prologue is
 * {@link ControlCodec#PROLOGUE} alone ({@code binding} null).
 */
public final class ChannelBinding {
  /** RFC 5929 section 4's channel binding type name, hashed into the prologue before the certificate hash. */
  public static final byte[] TLS_SERVER_END_POINT = "tls-server-end-point".getBytes(StandardCharsets.US_ASCII);
  /** Bytes of a binding: SHA-256. */
  public static final int LENGTH = 32;

  private ChannelBinding() {
  }

  /** The binding of a server certificate: SHA-256 of its DER encoding. */
  public static byte[] tlsServerEndPoint(byte[] certificateDer) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(certificateDer);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("BUG: every JDK has SHA-256", e);
    }
  }

  /** The Noise prologue of a control handshake: {@link ControlCodec#PROLOGUE}, then the binding when over TLS. */
  public static byte[] prologue(byte[] binding) {
    if (binding == null) {
      return ControlCodec.PROLOGUE;
    }
    if (binding.length != LENGTH) {
      throw new IllegalArgumentException("a tls-server-end-point binding is " + LENGTH + " bytes");
    }
    byte[] p = new byte[ControlCodec.PROLOGUE.length + TLS_SERVER_END_POINT.length + LENGTH];
    System.arraycopy(ControlCodec.PROLOGUE, 0, p, 0, ControlCodec.PROLOGUE.length);
    System.arraycopy(TLS_SERVER_END_POINT, 0, p, ControlCodec.PROLOGUE.length, TLS_SERVER_END_POINT.length);
    System.arraycopy(binding, 0, p, ControlCodec.PROLOGUE.length + TLS_SERVER_END_POINT.length, LENGTH);
    return p;
  }

  /**
   * A certificate's fingerprint as people compare it: the whole SHA-256 of its DER in hex, in groups of 4
   * digits like the key fingerprints (all 256 bits: this is what a client pins, not a short id).
   */
  public static String fingerprint(byte[] certificateDer) {
    return NodeIdentity.groupedHex(tlsServerEndPoint(certificateDer), LENGTH);
  }
}
