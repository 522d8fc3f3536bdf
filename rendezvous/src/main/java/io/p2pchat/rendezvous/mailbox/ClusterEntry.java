package io.p2pchat.rendezvous.mailbox;

import java.io.Serializable;

/**
 * What every entry of the cluster's mailbox maps carries besides its content: where it is on disk (the
 * instance it was made at, its {@code origin}, and its number in that instance's {@link MailboxStore}), and
 * whether it is a tombstone: delivered (or acknowledged), kept only until its origin has deleted it from disk.
 */
abstract class ClusterEntry implements Serializable {
  private static final long serialVersionUID = 1L;

  private final String origin;
  private final long localSeq;
  private final boolean gone;

  ClusterEntry(String origin, long localSeq, boolean gone) {
    this.origin = origin;
    this.localSeq = localSeq;
    this.gone = gone;
  }

  /** This entry's key in its map, as text (how an origin is told which tombstones to drop). */
  abstract String key();

  /** This entry as a tombstone. */
  abstract ClusterEntry tombstone();

  /** The attribute {@code gone} of the maps' queries. */
  public boolean isGone() {
    return gone;
  }

  String origin() {
    return origin;
  }

  long localSeq() {
    return localSeq;
  }

  /** True when this is a tombstone of an entry on {@code origin}'s disk. */
  boolean tombstoneOf(String someOrigin) {
    return gone && origin.equals(someOrigin);
  }
}
