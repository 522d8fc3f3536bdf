package io.p2pchat.rendezvous.mailbox;

/**
 * An expiry notice as the cluster's map {@value ClusteredMailbox#NOTICES_MAP} holds it, under the key
 * {@code origin/localSeq} (the instance that expired the message, and the notice's number in its store), so
 * that its depositor is told wherever it registers. Like {@link ClusterMessage}, an acknowledged one stays as
 * a tombstone ({@code gone}) until its origin has deleted it from disk. The getters name the attributes the
 * map's queries use ({@code depositor}, {@code nid}, {@code gone}).
 */
final class ClusterNotice extends ClusterEntry {
  private static final long serialVersionUID = 1L;

  private final long nid;
  private final String depositor;
  private final String recipient;
  private final String depositId;
  private final long depositedAt;
  private final long expiredAt;
  private final int bytes;

  private ClusterNotice(long nid, ExpiryNotice local, String origin, boolean gone) {
    super(origin, local.noticeSeq(), gone);
    this.nid = nid;
    this.depositor = ClusterMessage.hex(local.depositor());
    this.recipient = ClusterMessage.hex(local.recipient());
    this.depositId = local.depositId();
    this.depositedAt = local.depositedAtMillis();
    this.expiredAt = local.expiredAtMillis();
    this.bytes = local.bytes();
  }

  /** {@code local}, kept in {@code origin}'s store, as the cluster's notice number {@code nid}. */
  static ClusterNotice of(ExpiryNotice local, long nid, String origin) {
    return new ClusterNotice(nid, local, origin, false);
  }

  static String key(String origin, long localSeq) {
    return origin + "/" + localSeq;
  }

  @Override
  String key() {
    return key(origin(), localSeq());
  }

  /** This notice acknowledged: kept only to reach its origin. */
  @Override
  ClusterNotice tombstone() {
    return new ClusterNotice(nid, toLocal(), origin(), true);
  }

  /** What {@code notices} hands out: the cluster's notice number. */
  ExpiryNotice toNotice() {
    return numbered(nid);
  }

  private ExpiryNotice toLocal() {
    return numbered(localSeq());
  }

  private ExpiryNotice numbered(long number) {
    return new ExpiryNotice(number, ClusterMessage.unhex(depositor), ClusterMessage.unhex(recipient), depositId,
        depositedAt, expiredAt, bytes);
  }

  public long getNid() {
    return nid;
  }

  public String getDepositor() {
    return depositor;
  }
}
