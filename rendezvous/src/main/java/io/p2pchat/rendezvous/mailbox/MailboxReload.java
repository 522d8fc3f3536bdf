package io.p2pchat.rendezvous.mailbox;

import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * What a {@link ClusteredMailbox} does when it starts: it offers the cluster every message and notice its own
 * store holds, page by page. An entry the cluster lacks is put back (a restart of the whole cluster reloads
 * every instance's disk this way; the same deposit from two disks is one entry, the first put). An entry the
 * cluster holds as a tombstone was delivered (or its notice acknowledged) while this instance was down: it is
 * deleted from this disk and its tombstone dropped, so it never comes back. An entry the cluster holds from
 * another origin makes this copy a second one, deleted too.
 */
final class MailboxReload {
  /** Entries read from disk and offered per step: one worker call of a few hundred map calls on loopback. */
  static final int PAGE = 500;
  private final ClusteredMailbox mailbox;
  private long offered;

  MailboxReload(ClusteredMailbox mailbox) {
    this.mailbox = mailbox;
  }

  /** Completes with how many entries this instance put into the cluster. */
  Future<Long> run() {
    return messages(0).compose(v -> notices(0)).map(v -> offered);
  }

  private Future<Void> messages(long after) {
    return mailbox.local().held(after, PAGE).compose(page -> page.isEmpty() ? Future.succeededFuture()
        : mailbox.blocking(() -> offerMessages(page))
          .compose(forget -> forget(ClusteredMailbox.MESSAGE, forget))
          .compose(v -> page.size() < PAGE ? Future.succeededFuture() : messages(page.get(page.size() - 1).seq())));
  }

  private Future<Void> notices(long after) {
    return mailbox.local().heldNotices(after, PAGE).compose(page -> page.isEmpty() ? Future.succeededFuture()
        : mailbox.blocking(() -> offerNotices(page))
          .compose(forget -> forget(ClusteredMailbox.NOTICE, forget))
          .compose(v -> page.size() < PAGE ? Future.succeededFuture()
              : notices(page.get(page.size() - 1).noticeSeq())));
  }

  /** Puts each message the cluster lacks; returns what to forget. BLOCKING (Hazelcast calls). */
  private Map<MailboxKey, List<ClusterEntry>> offerMessages(List<StoredMessage> page) {
    long now = System.currentTimeMillis();
    Map<MailboxKey, List<ClusterEntry>> forget = new HashMap<>();
    Set<MailboxKey> arrived = new HashSet<>();
    for (StoredMessage m : page) {
      MailKey key = MailKey.of(m.recipient(), m.depositor(), m.depositId());
      ClusteredMailbox.Put put = mailbox.putInOrder(key, m, now);
      ClusterMessage held = put.held();
      boolean ours = held.origin().equals(mailbox.origin()) && held.localSeq() == m.seq();
      if (put.fresh()) {
        offered++;
        arrived.add(m.recipient());
      } else if (!ours || held.isGone()) {
        // This disk's copy goes; the tombstone too if it is this copy's (another origin's entry stays).
        forget.computeIfAbsent(m.recipient(), r -> new ArrayList<>()).add(ClusterMessage.of(m, 0, mailbox.origin()));
      }
    }
    mailbox.announce(arrived);
    return forget;
  }

  /** Puts each notice the cluster lacks; returns what to forget. BLOCKING (Hazelcast calls). */
  private Map<MailboxKey, List<ClusterEntry>> offerNotices(List<ExpiryNotice> page) {
    Map<MailboxKey, List<ClusterEntry>> forget = new HashMap<>();
    for (ExpiryNotice n : page) {
      String key = ClusterNotice.key(mailbox.origin(), n.noticeSeq());
      ClusterNotice held = mailbox.noticeMap().putIfAbsent(key, ClusterNotice.of(n, mailbox.newSeq(), mailbox.origin()),
          mailbox.noticeTtl(), TimeUnit.MILLISECONDS);
      if (held == null) {
        offered++;
      } else if (held.isGone()) {
        forget.computeIfAbsent(n.depositor(), d -> new ArrayList<>()).add(held);
      }
    }
    return forget;
  }

  /** Deletes from this disk what the cluster says was delivered, then the tombstones; completes when done. */
  private Future<Void> forget(String kind, Map<MailboxKey, List<ClusterEntry>> forget) {
    List<Future<Integer>> done = new ArrayList<>();
    forget.forEach((owner, entries) -> done.add(mailbox.forgetHere(ClusteredMailbox.forgetRequest(kind, owner,
        entries))));
    return Future.all(done).mapEmpty();
  }
}
