package io.p2pchat.rendezvous.mailbox;

/** Why a deposit was refused: one named reason each, what the depositor's {@code chat.failed} says. */
public enum Refusal {
  /** The envelope is longer than {@link MailboxOptions#getMaxEnvelopeBytes()}. */
  TOO_LARGE("too-large"),
  /** The deposit id is empty, too long or has characters outside {@code [A-Za-z0-9._:@-]}. */
  BAD_ID("bad-id"),
  /** The recipient's mailbox holds {@link MailboxOptions#getMaxPerRecipient()} messages. */
  RECIPIENT_COUNT("recipient-full"),
  /** The recipient's mailbox would exceed {@link MailboxOptions#getMaxBytesPerRecipient()}. */
  RECIPIENT_BYTES("recipient-bytes"),
  /** This depositor has {@link MailboxOptions#getMaxPerDepositor()} messages waiting, in all mailboxes. */
  DEPOSITOR_COUNT("depositor-full"),
  /** This depositor's waiting messages would exceed {@link MailboxOptions#getMaxBytesPerDepositor()}. */
  DEPOSITOR_BYTES("depositor-bytes"),
  /** The store holds {@link MailboxOptions#getMaxTotal()} messages. */
  TOTAL_COUNT("store-full"),
  /** The store would exceed {@link MailboxOptions#getMaxTotalBytes()}. */
  TOTAL_BYTES("store-bytes"),
  /** The store is closed (the rendezvous is stopping) or its disk failed: try again later. */
  UNAVAILABLE("unavailable");

  private final String code;

  Refusal(String code) {
    this.code = code;
  }

  /** The reason on the wire, in counters and in logs. */
  public String code() {
    return code;
  }
}
