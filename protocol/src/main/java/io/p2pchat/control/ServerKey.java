package io.p2pchat.control;

import io.p2pchat.crypto.Keys;
import io.p2pchat.crypto.NodeIdentity;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Locale;

/**
 * A rendezvous key as a user configures it ({@code rendezvous.key}, or {@code key} of an entry of
 * {@code rendezvous.servers}), in either of the two forms the rendezvous prints at start-up:
 * <ul>
 *   <li>the <b>public key</b>: 44 base64 characters, the server's raw X25519 static key; or</li>
 *   <li>the <b>fingerprint</b>: 40 hex digits (spaces allowed, as printed in groups of 4), the first 20
 *       bytes of SHA-256 of that key: shorter to read aloud, and as binding (160 bits).</li>
 * </ul>
 * Either pins the key: the client learns the full key from the server's COOKIE reply and refuses it
 * unless it {@link #matches} (and the IK handshake then proves the server holds it). Immutable.
 */
public final class ServerKey {
  /** Hex digits of a fingerprint: {@link NodeIdentity#FINGERPRINT_BYTES} bytes. */
  private static final int FINGERPRINT_HEX = NodeIdentity.FINGERPRINT_BYTES * 2;
  /** Hex digits per group of a printed fingerprint, as NodeIdentity prints them. */
  private static final int FINGERPRINT_GROUP = 4;

  private final byte[] key; // null when only the fingerprint is known
  private final byte[] fingerprint;

  private ServerKey(byte[] key, byte[] fingerprint) {
    this.key = key;
    this.fingerprint = fingerprint;
  }

  /** The pin of a known raw X25519 key. */
  public static ServerKey of(byte[] key) {
    if (key == null || key.length != Keys.KEY_LENGTH) {
      throw new IllegalArgumentException("a rendezvous key is " + Keys.KEY_LENGTH + " bytes");
    }
    return new ServerKey(key.clone(), fingerprintBytes(key));
  }

  /**
   * Parses a configured key: base64 of the 32-byte key, or its 40-hex-digit fingerprint (spaces
   * ignored). Throws {@link IllegalArgumentException} with a message fit for a config error.
   */
  public static ServerKey parse(String text) {
    String compact = text.strip().replace(" ", "");
    if (compact.length() == FINGERPRINT_HEX && compact.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
      return new ServerKey(null, HexFormat.of().parseHex(compact.toLowerCase(Locale.ROOT)));
    }
    byte[] raw;
    try {
      raw = Base64.getDecoder().decode(compact);
    } catch (IllegalArgumentException e) {
      raw = null;
    }
    if (raw == null || raw.length != Keys.KEY_LENGTH) {
      throw new IllegalArgumentException("a rendezvous key is its public key (44 base64 characters) or its"
          + " fingerprint (40 hex digits), as the rendezvous prints them at start-up; got '" + text + "'");
    }
    return of(raw);
  }

  /** True if {@code serverKey} (raw X25519) is the pinned key, or has the pinned fingerprint. */
  public boolean matches(byte[] serverKey) {
    if (serverKey == null || serverKey.length != Keys.KEY_LENGTH) {
      return false;
    }
    return key != null ? MessageDigest.isEqual(key, serverKey)
        : MessageDigest.isEqual(fingerprint, fingerprintBytes(serverKey));
  }

  /** The fingerprint, as printed: hex in groups of 4 ({@link NodeIdentity#fingerprintOf}'s format). */
  public String fingerprint() {
    String hex = HexFormat.of().formatHex(fingerprint);
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < hex.length(); i += FINGERPRINT_GROUP) {
      sb.append(i > 0 ? " " : "").append(hex, i, i + FINGERPRINT_GROUP);
    }
    return sb.toString();
  }

  /** The raw key when it was configured in full (or learned), else empty (only the fingerprint is known). */
  public java.util.Optional<byte[]> key() {
    return key == null ? java.util.Optional.empty() : java.util.Optional.of(key.clone());
  }

  /** The fingerprint of a raw X25519 server key, as the rendezvous prints it. */
  public static String fingerprintOf(byte[] serverKey) {
    return NodeIdentity.fingerprintOf(serverKey);
  }

  /** The printable form of a raw key: base64. */
  public static String text(byte[] serverKey) {
    return Base64.getEncoder().encodeToString(serverKey);
  }

  private static byte[] fingerprintBytes(byte[] key) {
    byte[] full;
    try {
      full = MessageDigest.getInstance("SHA-256").digest(key);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("JDK lacks SHA-256", e);
    }
    return java.util.Arrays.copyOf(full, NodeIdentity.FINGERPRINT_BYTES);
  }

  @Override
  public String toString() {
    return "ServerKey[" + fingerprint() + "]";
  }
}
