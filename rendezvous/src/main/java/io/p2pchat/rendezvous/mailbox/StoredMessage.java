package io.p2pchat.rendezvous.mailbox;

/**
 * A deposit as the store keeps it: its sequence number (unique, increasing in deposit order, never reused,
 * so acknowledging {@code seq} can never delete a later deposit) and when it was deposited.
 */
public record StoredMessage(long seq, MailboxKey recipient, MailboxKey depositor, String depositId,
    long depositedAtMillis, byte[] envelope) {
  public StoredMessage {
    envelope = envelope.clone();
  }

  @Override
  public byte[] envelope() {
    return envelope.clone();
  }
}
