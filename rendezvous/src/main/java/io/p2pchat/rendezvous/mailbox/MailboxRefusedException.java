package io.p2pchat.rendezvous.mailbox;

/** A deposit the store did not take; {@link #refusal()} says why. Nothing of it was stored. */
public final class MailboxRefusedException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final Refusal refusal;

  public MailboxRefusedException(Refusal refusal, String message) {
    super(refusal.code() + ": " + message, null, false, false); // an expected outcome: no stack trace
    this.refusal = refusal;
  }

  public Refusal refusal() {
    return refusal;
  }
}
