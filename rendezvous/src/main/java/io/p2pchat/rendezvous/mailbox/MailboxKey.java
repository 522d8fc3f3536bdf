package io.p2pchat.rendezvous.mailbox;

import io.p2pchat.crypto.Keys;
import io.p2pchat.crypto.NodeIdentity;
import java.util.Arrays;

/**
 * A client's Ed25519 identity key (raw, 32 bytes) as the mailbox uses it: the address of a recipient's
 * mailbox, and who a depositor is. The rendezvous knows both from the sealed control channel, whose
 * handshake proves the key. Immutable; equal by content.
 */
public final class MailboxKey {
  private final byte[] raw;

  private MailboxKey(byte[] raw) {
    this.raw = raw;
  }

  /** The key of raw Ed25519 public key bytes; anything but 32 bytes is refused. */
  public static MailboxKey of(byte[] raw) {
    if (raw == null || raw.length != Keys.KEY_LENGTH) {
      throw new IllegalArgumentException("a mailbox key is a " + Keys.KEY_LENGTH + "-byte Ed25519 key");
    }
    return new MailboxKey(raw.clone());
  }

  /** The raw 32 bytes. */
  public byte[] raw() {
    return raw.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof MailboxKey k && Arrays.equals(raw, k.raw);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(raw);
  }

  /** The short log id (8 hex digits), as a node's logs name a key. */
  @Override
  public String toString() {
    return NodeIdentity.keyIdOf(raw);
  }
}
