package io.p2pchat.rendezvous.mailbox;

import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The process {@link MailboxCrashTest} kills: deposits into the store in {@code args[0]} in a loop, with
 * {@link #IN_FLIGHT} deposits outstanding so that commits are batches, and prints {@code ACK id seq} for
 * each deposit only after its Future completed (what a depositor would be told). Stops by itself after
 * {@link #MAX_DEPOSITS} deposits or {@link #MAX_SECONDS}, should nobody kill it.
 */
public final class MailboxCrashChild {
  /** Outstanding deposits: several commits' worth queue behind the one on disk. */
  static final int IN_FLIGHT = 64;
  static final int MAX_DEPOSITS = 200_000;
  static final int MAX_SECONDS = 120;
  static final int ENVELOPE_BYTES = 353;

  private static Vertx vertx;
  private static MailboxStore store;
  private static int next;

  public static void main(String[] args) throws Exception {
    vertx = Vertx.vertx();
    MailboxOptions options = new MailboxOptions().setMaxPerRecipient(MAX_DEPOSITS).setMaxPerDepositor(MAX_DEPOSITS)
        .setMaxBytesPerRecipient(Integer.MAX_VALUE).setMaxBytesPerDepositor(Integer.MAX_VALUE);
    store = MailboxStore.open(vertx, Path.of(args[0]), options).toCompletionStage().toCompletableFuture()
        .get(MAX_SECONDS, TimeUnit.SECONDS);
    System.out.println("READY");
    vertx.runOnContext(v -> {
      for (int i = 0; i < IN_FLIGHT; i++) {
        depositNext();
      }
    });
    Thread.sleep(TimeUnit.SECONDS.toMillis(MAX_SECONDS));
    System.exit(0);
  }

  private static void depositNext() {
    if (next >= MAX_DEPOSITS) {
      return;
    }
    String id = "k" + next++;
    store.deposit(new Deposit(MailboxStoreTest.BOB, MailboxStoreTest.ALICE, id, new byte[ENVELOPE_BYTES]),
        System.currentTimeMillis()).onComplete(ar -> {
          if (ar.succeeded()) {
            System.out.println("ACK " + id + " " + ar.result());
            depositNext();
          } else {
            System.out.println("FAILED " + id + " " + ar.cause());
          }
        });
  }

  private MailboxCrashChild() {}
}
