package io.p2pchat.rendezvous.mailbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 in the middle of deposits: a child JVM ({@link MailboxCrashChild}) deposits in a loop and prints
 * each deposit it was told is stored; once it has printed {@value #ACKS_BEFORE_KILL} the test kills it with
 * SIGKILL (mid-commit, as likely as not), reopens the store and finds every acknowledged deposit, with the
 * sequence number it was acknowledged with.
 */
class MailboxCrashTest {
  /** Enough acknowledgements that many group commits happened and more were in flight at the kill. */
  private static final int ACKS_BEFORE_KILL = 2000;
  private static final long TIMEOUT_SECONDS = 120;

  @TempDir
  Path dir;

  @Test
  void everyAcknowledgedDepositSurvivesAKillDashNine() throws Exception {
    Path mailbox = dir.resolve("mailbox");
    Path childErr = dir.resolve("child.err");
    Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), MailboxCrashChild.class.getName(), mailbox.toString())
        .redirectError(childErr.toFile()).start();
    Map<String, Long> acked = new HashMap<>();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
    try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = out.readLine()) != null) {
        if (line.startsWith("ACK ")) {
          String[] parts = line.split(" ");
          acked.put(parts[1], Long.parseLong(parts[2]));
          if (acked.size() == ACKS_BEFORE_KILL) {
            // kill -9: no shutdown hook, no close, no flush. (Process.destroyForcibly would also close our end
            // of its stdout, losing the acknowledgements still in the pipe.)
            assertEquals(0, new ProcessBuilder("kill", "-9", Long.toString(child.pid())).start().waitFor());
          }
        }
        assertTrue(!line.startsWith("FAILED"), line);
        assertTrue(System.nanoTime() < deadline, "the child did not get to " + ACKS_BEFORE_KILL + " deposits");
      }
    }
    assertTrue(child.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS));
    assertEquals(137, child.exitValue(), "killed by SIGKILL; stderr: " + Files.readString(childErr));
    assertTrue(acked.size() >= ACKS_BEFORE_KILL, "acknowledged before the kill: " + acked.size());

    Vertx vertx = Vertx.vertx();
    try {
      MailboxStore store = MailboxStoreTest.get(MailboxStore.open(vertx, mailbox, new MailboxOptions()
          .setMaxPerRecipient(MailboxCrashChild.MAX_DEPOSITS).setMaxPerDepositor(MailboxCrashChild.MAX_DEPOSITS)));
      List<StoredMessage> stored = MailboxStoreTest.get(store.pickUp(MailboxStoreTest.BOB, 0, Integer.MAX_VALUE));
      Map<String, Long> found = new HashMap<>();
      stored.forEach(m -> found.put(m.depositId(), m.seq()));
      for (Map.Entry<String, Long> a : acked.entrySet()) {
        assertEquals(a.getValue(), found.get(a.getKey()), "acknowledged deposit " + a.getKey());
      }
      for (StoredMessage m : stored) {
        assertEquals(MailboxCrashChild.ENVELOPE_BYTES, m.envelope().length, "no torn envelope");
      }
      System.out.printf("mailbox crash: %d acknowledged before the kill, %d on disk after it%n", acked.size(),
          stored.size());
      MailboxStoreTest.get(store.close());
    } finally {
      MailboxStoreTest.get(vertx.close());
    }
  }
}
