package io.p2pchat.rendezvous.mailbox;

import com.hazelcast.partition.PartitionAware;
import java.io.Serializable;

/**
 * The key of a deposit in the cluster's map {@value ClusteredMailbox#MESSAGES_MAP}: its recipient, depositor
 * and id (the depositor's id is unique per depositor, so a retry finds the entry at any instance). All of a
 * recipient's entries live in one partition, its recipient's: a pick-up reads one partition at one moment
 * (a query over several partitions reads each at another moment and could see a later entry without an
 * earlier one), and the recipient's lock orders the puts into it. Text form {@code recipient/depositor/id}
 * (hex keys; an id has no {@code /}).
 */
final class MailKey implements PartitionAware<String>, Serializable {
  private static final long serialVersionUID = 1L;
  private static final String SEPARATOR = "/";

  private final String recipient;
  private final String depositor;
  private final String depositId;

  private MailKey(String recipient, String depositor, String depositId) {
    this.recipient = recipient;
    this.depositor = depositor;
    this.depositId = depositId;
  }

  static MailKey of(MailboxKey recipient, MailboxKey depositor, String depositId) {
    return new MailKey(ClusterMessage.hex(recipient), ClusterMessage.hex(depositor), depositId);
  }

  static MailKey of(String recipientHex, String depositorHex, String depositId) {
    return new MailKey(recipientHex, depositorHex, depositId);
  }

  /** The key of {@link #toString()}'s text. */
  static MailKey parse(String text) {
    String[] parts = text.split(SEPARATOR, 3);
    if (parts.length != 3) {
      throw new IllegalArgumentException("not a mailbox key: " + text);
    }
    return new MailKey(parts[0], parts[1], parts[2]);
  }

  @Override
  public String getPartitionKey() {
    return recipient;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof MailKey k && recipient.equals(k.recipient) && depositor.equals(k.depositor)
        && depositId.equals(k.depositId);
  }

  @Override
  public int hashCode() {
    return (recipient.hashCode() * 31 + depositor.hashCode()) * 31 + depositId.hashCode();
  }

  @Override
  public String toString() {
    return recipient + SEPARATOR + depositor + SEPARATOR + depositId;
  }
}
