package io.p2pchat.rendezvous.cluster;

import io.p2pchat.rendezvous.mailbox.Deposit;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The instance that dies in {@link ClusteredMailboxIT}: joins the cluster (args: the Hazelcast XML file, the
 * mailbox directory), prints {@code READY}, then deposits for bob one after the other as fast as it can,
 * printing {@code ACK id seq} for each acknowledged deposit, until it is killed.
 */
public final class ClusteredMailboxChild {
  static final int MAX_DEPOSITS = 50_000;
  static final int MAX_SECONDS = 300;
  static final int ENVELOPE_BYTES = 353;

  private static MailboxMember member;
  private static int next;

  public static void main(String[] args) throws Exception {
    member = MailboxMember.start(Files.readString(Path.of(args[0])), Path.of(args[1]));
    System.out.println("READY");
    member.vertx.runOnContext(v -> depositNext());
    Thread.sleep(TimeUnit.SECONDS.toMillis(MAX_SECONDS));
    System.exit(0);
  }

  /** One deposit at a time: each acknowledged deposit is older than the next, as one sender's are. */
  private static void depositNext() {
    if (next >= MAX_DEPOSITS) {
      return;
    }
    String id = ClusteredMailboxIT.depositId(next++);
    member.mailbox.deposit(new Deposit(MailboxMember.BOB, MailboxMember.ALICE, id, new byte[ENVELOPE_BYTES]),
        System.currentTimeMillis())
      .onFailure(e -> System.out.println("FAILED " + id + " " + e))
      .onSuccess(seq -> {
        System.out.println("ACK " + id + " " + seq);
        depositNext();
      });
  }

  private ClusteredMailboxChild() {
  }
}
