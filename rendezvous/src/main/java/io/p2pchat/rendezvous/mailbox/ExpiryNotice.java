package io.p2pchat.rendezvous.mailbox;

/**
 * What the depositor is told when its deposit expired unread: which deposit, for whom, when it was
 * deposited and when it expired. Kept (owner-only, on disk) until the depositor acknowledges it or it is
 * {@link MailboxOptions#getNoticeTtlSeconds()} old.
 */
public record ExpiryNotice(long noticeSeq, MailboxKey depositor, MailboxKey recipient, String depositId,
    long depositedAtMillis, long expiredAtMillis, int bytes) {
}
