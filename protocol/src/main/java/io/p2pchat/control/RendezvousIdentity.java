package io.p2pchat.control;

import io.p2pchat.crypto.IdentityException;
import io.p2pchat.crypto.NodeIdentity;
import java.nio.file.Path;

/**
 * The rendezvous's long-term key: a node identity file ({@link NodeIdentity#loadOrCreate}: created on
 * first start, owner-only, refused when others can read it), of which the control channel uses the X25519
 * static key. That key is what clients pin; {@link #fingerprint()} and {@link #publicKeyText()} are the
 * two forms the rendezvous prints at start-up and a client may configure ({@link ServerKey#parse}).
 * Immutable and thread-safe.
 */
public final class RendezvousIdentity {
  private final NodeIdentity identity;

  private RendezvousIdentity(NodeIdentity identity) {
    this.identity = identity;
  }

  /** BLOCKING (file I/O, run it on a worker): loads {@code keyFile}, creating it on first start. */
  public static RendezvousIdentity loadOrCreate(Path keyFile) throws IdentityException {
    return new RendezvousIdentity(NodeIdentity.loadOrCreate(keyFile));
  }

  /** A fresh identity in memory only (tests, a throw-away server). */
  public static RendezvousIdentity generate() {
    return new RendezvousIdentity(NodeIdentity.generate());
  }

  /** Wraps an identity the caller already holds. */
  public static RendezvousIdentity of(NodeIdentity identity) {
    return new RendezvousIdentity(identity);
  }

  /** The raw 32-byte X25519 static key clients pin and run IK against. */
  public byte[] publicKey() {
    return identity.staticPublicKey();
  }

  /** The public key in base64 (44 characters): a valid {@code rendezvous.key} value. */
  public String publicKeyText() {
    return ServerKey.text(identity.staticPublicKey());
  }

  /** The fingerprint of {@link #publicKey()}: 10 groups of 4 hex digits, also a valid {@code rendezvous.key}. */
  public String fingerprint() {
    return ServerKey.fingerprintOf(identity.staticPublicKey());
  }

  /** The node identity holding the private keys (for {@link ControlServer}). */
  public NodeIdentity nodeIdentity() {
    return identity;
  }

  @Override
  public String toString() {
    return "RendezvousIdentity[" + fingerprint() + "]"; // never the keys
  }
}
