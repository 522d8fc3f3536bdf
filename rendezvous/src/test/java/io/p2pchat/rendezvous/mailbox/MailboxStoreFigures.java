package io.p2pchat.rendezvous.mailbox;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * The store's own figures (an upper bound for the README's end-to-end ones): deposits per second with
 * {@value #IN_FLIGHT} outstanding, and the time to pick up and acknowledge {@value #QUEUED} queued messages
 * in pages of {@value #PAGE}. Not a test: run on an idle machine with
 * {@code mvn -pl rendezvous -Dtest=MailboxStoreFigures -Dmailbox.figures=true test}; it prints one line.
 */
@EnabledIfSystemProperty(named = "mailbox.figures", matches = "true")
class MailboxStoreFigures {
  /** The README's case: a week's worth of a busy room for one person. */
  static final int QUEUED = 10_000;
  /** Depositors' deposits outstanding at once: many clients depositing together. */
  static final int IN_FLIGHT = 64;
  /** Messages per pick-up page: what a recipient acknowledges at once. */
  static final int PAGE = 256;
  static final int ENVELOPE_BYTES = 353;

  @TempDir
  Path dir;

  @Test
  void depositsPerSecondAndPickUpTime() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      MailboxStore store = MailboxStoreTest.get(MailboxStore.open(vertx, dir, new MailboxOptions()));
      long start = System.nanoTime();
      Promise<Void> done = Promise.promise();
      int[] next = {0};
      int[] acked = {0};
      Runnable[] depositNext = new Runnable[1];
      depositNext[0] = () -> {
        if (next[0] == QUEUED) {
          return;
        }
        int i = next[0]++;
        store.deposit(new Deposit(MailboxStoreTest.BOB, MailboxStoreTest.key(10 + i % 50), "f" + i,
            new byte[ENVELOPE_BYTES]), System.currentTimeMillis()).onComplete(ar -> {
              if (ar.failed()) {
                done.tryFail(ar.cause());
              } else if (++acked[0] == QUEUED) {
                done.tryComplete();
              } else {
                depositNext[0].run();
              }
            });
      };
      vertx.runOnContext(v -> {
        for (int i = 0; i < IN_FLIGHT; i++) {
          depositNext[0].run();
        }
      });
      MailboxStoreTest.get(done.future());
      double depositSeconds = (System.nanoTime() - start) / 1e9;

      start = System.nanoTime();
      long after = 0;
      int picked = 0;
      while (true) {
        List<StoredMessage> page = MailboxStoreTest.get(store.pickUp(MailboxStoreTest.BOB, after, PAGE));
        if (page.isEmpty()) {
          break;
        }
        picked += page.size();
        after = page.get(page.size() - 1).seq();
        MailboxStoreTest.get(store.acknowledge(MailboxStoreTest.BOB, page.stream().map(StoredMessage::seq).toList()));
      }
      double pickUpSeconds = (System.nanoTime() - start) / 1e9;
      assertEquals(QUEUED, picked);
      io.vertx.core.json.JsonObject stats = MailboxStoreTest.get(store.stats());
      System.out.printf("mailbox store: %d deposits of %d bytes in %.2f s (%.0f/s, %d commits), pick-up and ack"
          + " of %d in pages of %d: %.2f s%n", QUEUED, ENVELOPE_BYTES, depositSeconds, QUEUED / depositSeconds,
          stats.getLong("commits"), QUEUED, PAGE, pickUpSeconds);
      MailboxStoreTest.get(store.close());
    } finally {
      MailboxStoreTest.get(vertx.close());
    }
  }
}
