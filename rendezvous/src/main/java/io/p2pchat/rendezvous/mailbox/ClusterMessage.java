package io.p2pchat.rendezvous.mailbox;

import java.util.HexFormat;

/**
 * A deposit as the cluster's map {@value ClusteredMailbox#MESSAGES_MAP} holds it, under a {@link MailKey}
 * (recipient, depositor, deposit id: a retried deposit at any instance finds it): the deposit, its cluster-wide
 * sequence number, and where it is on disk (the instance it was deposited at, {@code origin}, and its sequence
 * number there). A delivered one stays as a tombstone ({@code gone}) until its origin has deleted it from
 * disk, so an origin that was down at the time never offers it again. The getters name the attributes the
 * map's queries use ({@code recipient}, {@code seq}, {@code gone}).
 */
final class ClusterMessage extends ClusterEntry {
  private static final long serialVersionUID = 1L;

  private final String recipient;
  private final String depositor;
  private final String depositId;
  private final long seq;
  private final long depositedAt;
  private final byte[] envelope;

  private ClusterMessage(String recipient, String depositor, String depositId, long seq, long depositedAt,
      byte[] envelope, String origin, long localSeq, boolean gone) {
    super(origin, localSeq, gone);
    this.recipient = recipient;
    this.depositor = depositor;
    this.depositId = depositId;
    this.seq = seq;
    this.depositedAt = depositedAt;
    this.envelope = envelope;
  }

  /** {@code stored}, kept in {@code origin}'s store, as the cluster's entry with sequence number {@code seq}. */
  static ClusterMessage of(StoredMessage stored, long seq, String origin) {
    return new ClusterMessage(hex(stored.recipient()), hex(stored.depositor()), stored.depositId(), seq,
        stored.depositedAtMillis(), stored.envelope(), origin, stored.seq(), false);
  }

  /** This entry's key in the map. */
  MailKey mapKey() {
    return MailKey.of(recipient, depositor, depositId);
  }

  @Override
  String key() {
    return mapKey().toString();
  }

  static String hex(MailboxKey key) {
    return HexFormat.of().formatHex(key.raw());
  }

  static MailboxKey unhex(String hex) {
    return MailboxKey.of(HexFormat.of().parseHex(hex));
  }

  /** This entry delivered: the envelope is dropped, the rest kept to reach its origin. */
  @Override
  ClusterMessage tombstone() {
    return new ClusterMessage(recipient, depositor, depositId, seq, depositedAt, new byte[0], origin(), localSeq(), true);
  }

  /** What a pick-up hands out. */
  StoredMessage toStored() {
    return new StoredMessage(seq, unhex(recipient), unhex(depositor), depositId, depositedAt, envelope);
  }

  public String getRecipient() {
    return recipient;
  }

  public long getSeq() {
    return seq;
  }

  long depositedAt() {
    return depositedAt;
  }
}
