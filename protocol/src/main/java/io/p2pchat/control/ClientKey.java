package io.p2pchat.control;

import io.p2pchat.crypto.NodeIdentity;
import java.util.Arrays;

/**
 * A client's Ed25519 public key as a map key: equal by its bytes. 16 bytes around the caller's array,
 * which it does not copy (the caller hands over an array nobody changes), where a {@code ByteBuffer.wrap}
 * costs 56: the rendezvous keys two maps per client by it.
 */
public final class ClientKey {
  private final byte[] raw;
  private final int hash;

  private ClientKey(byte[] raw) {
    this.raw = raw;
    this.hash = Arrays.hashCode(raw);
  }

  /** The key of {@code raw}, which is kept, not copied: never change it afterwards. */
  public static ClientKey of(byte[] raw) {
    return new ClientKey(raw);
  }

  /**
   * The key's bytes themselves, not a copy: for a holder that keeps the client's one array (the
   * rendezvous's registration holds the array its control session was keyed by). Never change them.
   */
  public byte[] shared() {
    return raw;
  }

  /** The short log id of the key ({@link NodeIdentity#keyIdOf}). */
  public String keyId() {
    return NodeIdentity.keyIdOf(raw);
  }

  /** The key's bytes (a copy). */
  public byte[] bytes() {
    return raw.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ClientKey k && hash == k.hash && Arrays.equals(raw, k.raw);
  }

  @Override
  public int hashCode() {
    return hash;
  }
}
