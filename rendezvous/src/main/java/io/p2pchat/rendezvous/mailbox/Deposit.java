package io.p2pchat.rendezvous.mailbox;

import java.util.regex.Pattern;

/**
 * What a depositor leaves for a recipient: a sealed envelope ({@code io.p2pchat.crypto.MailboxSeal}), opaque
 * here, and the depositor's id for it. The id makes a retried deposit idempotent: a second deposit with the
 * same depositor and id is the first one (same sequence number), never a second copy.
 */
public record Deposit(MailboxKey recipient, MailboxKey depositor, String depositId, byte[] envelope) {
  /** The longest deposit id: room for a node's message id, a 64-bit counter in hex and separators. */
  public static final int MAX_ID_LENGTH = 64;
  /** What a deposit id may hold: printable ASCII without spaces or quotes, safe in JSON, logs and SQL text. */
  static final Pattern ID = Pattern.compile("[A-Za-z0-9._:@-]{1," + MAX_ID_LENGTH + "}");

  public Deposit {
    if (recipient == null || depositor == null || depositId == null || envelope == null) {
      throw new NullPointerException("recipient, depositor, depositId and envelope are required");
    }
    envelope = envelope.clone();
  }

  /** True when {@link #depositId()} is one the store accepts. */
  public boolean hasValidId() {
    return ID.matcher(depositId).matches();
  }

  @Override
  public byte[] envelope() {
    return envelope.clone();
  }

  /** The envelope's length without a copy: what the byte bounds count. */
  public int bytes() {
    return envelope.length;
  }

  /** The envelope itself, for the store's writer only (no copy per row). */
  byte[] envelopeUnsafe() {
    return envelope;
  }
}
