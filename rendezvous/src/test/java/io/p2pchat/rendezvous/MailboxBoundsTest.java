package io.p2pchat.rendezvous;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.p2pchat.crypto.NodeIdentity;
import io.p2pchat.rendezvous.mailbox.MailboxOptions;
import io.vertx.core.json.JsonObject;
import java.io.File;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The mailbox's bounds as a depositor sees them on the wire: a deposit over each bound is answered
 * {@code refused} with the bound's reason and nothing of it is stored; a flood from one depositor leaves the
 * mailbox's files and counts within the configured bounds.
 */
class MailboxBoundsTest {

  /** The envelope of every line up to 158 bytes. */
  private static final int SHORT = 353;
  /** The next size up (plaintexts of 159 to 414 bytes), still one part. */
  private static final int LONGER = 609;

  @TempDir
  Path dataDir;
  private RendezvousHarness server;
  private UdpClient alice;
  private final Random random = new Random(17);

  private void start(JsonObject mailbox) {
    server = new RendezvousHarness(new JsonObject().put("dataDir", dataDir.toString()).put("mailbox", mailbox));
    alice = new UdpClient(server.port(), "alice", "lobby", NodeIdentity.generate());
    assertEquals("registered", alice.register().getString("t"));
  }

  @AfterEach
  void stop() {
    if (alice != null) {
      alice.close();
    }
    if (server != null) {
      server.close();
    }
  }

  private byte[] envelope(int length) {
    byte[] b = new byte[length];
    random.nextBytes(b);
    return b;
  }

  private static byte[] someone() {
    return NodeIdentity.generate().signingPublicKey();
  }

  private String deposit(String did, byte[] to, int length) {
    JsonObject answer = MailboxWire.deposit(alice, did, to, envelope(length));
    return "refused".equals(answer.getString("t")) ? answer.getString("reason") : "deposited";
  }

  private int stored() {
    return MailboxWire.stats(server).getJsonObject("store").getInteger("messages");
  }

  @Test
  void anEnvelopeOverTheSizeBoundIsRefusedTooLarge() {
    start(new JsonObject().put("maxEnvelopeBytes", 400));
    assertEquals("deposited", deposit("a", someone(), SHORT));
    assertEquals("too-large", deposit("b", someone(), LONGER));
    assertEquals("too-large", deposit("c", someone(), 65_536), "refused at its first part, before reassembly");
    assertEquals(1, stored());
  }

  @Test
  void aFullMailboxIsRefusedByCountAndByBytes() {
    start(new JsonObject().put("maxPerRecipient", 2).put("maxBytesPerRecipient", SHORT + LONGER - 1));
    byte[] bob = someone();
    assertEquals("deposited", deposit("a", bob, SHORT));
    assertEquals("recipient-bytes", deposit("b", bob, LONGER));
    assertEquals("deposited", deposit("c", bob, SHORT));
    assertEquals("recipient-full", deposit("d", bob, SHORT));
    assertEquals("deposited", deposit("e", someone(), SHORT), "another mailbox still takes deposits");
    assertEquals(3, stored());
  }

  @Test
  void aDepositorOverItsShareIsRefusedByCountAndByBytes() {
    start(new JsonObject().put("maxPerDepositor", 2).put("maxBytesPerDepositor", SHORT + LONGER - 1));
    assertEquals("deposited", deposit("a", someone(), SHORT));
    assertEquals("depositor-bytes", deposit("b", someone(), LONGER));
    assertEquals("deposited", deposit("c", someone(), SHORT));
    assertEquals("depositor-full", deposit("d", someone(), SHORT));
    assertEquals(2, stored());
  }

  @Test
  void aFullStoreIsRefusedByCountAndByBytes() {
    start(new JsonObject().put("maxTotal", 2).put("maxTotalBytes", SHORT + LONGER - 1));
    assertEquals("deposited", deposit("a", someone(), SHORT));
    assertEquals("store-bytes", deposit("b", someone(), LONGER));
    assertEquals("deposited", deposit("c", someone(), SHORT));
    assertEquals("store-full", deposit("d", someone(), SHORT));
    JsonObject refused = MailboxWire.stats(server).getJsonObject("refused");
    assertEquals(1, refused.getInteger("store-full"), refused.encode());
    assertEquals(1, refused.getInteger("store-bytes"), refused.encode());
  }

  @Test
  void aFloodFromOneDepositorStaysWithinTheBoundsOnDiskAndInMemory() {
    int maxCount = 40;
    int maxBytes = maxCount * LONGER;
    start(new JsonObject().put("maxPerDepositor", maxCount).put("maxBytesPerDepositor", maxBytes));
    int flood = 1000;
    int refused = 0;
    for (int i = 0; i < flood; i++) {
      // A new recipient each time: only the depositor's own bounds stand in the way.
      if (!"deposited".equals(deposit("f" + i, someone(), LONGER))) {
        refused++;
      }
    }
    assertEquals(flood - maxCount, refused);
    JsonObject stats = MailboxWire.stats(server);
    JsonObject store = stats.getJsonObject("store");
    assertEquals(maxCount, store.getInteger("messages"), store.encode());
    assertTrue(store.getLong("bytes") <= maxBytes, store.encode());
    assertEquals(0, stats.getInteger("assembling"), "no envelope in progress is kept");
    server.close(); // the store checkpoints its WAL into the database file and removes it
    server = null;
    long onDisk = 0;
    for (File f : dataDir.toFile().listFiles((d, name) -> name.startsWith(MailboxOptions.DEFAULT_FILE))) {
      onDisk += f.length();
    }
    // The documented bound (MailboxOptions): envelopes, ~150 bytes a row, and SQLite's own pages (schema, the
    // notices table, indexes' roots: a few 4 KiB pages). 1000 stored envelopes would be 609 KB and more.
    long bound = maxBytes + (long) maxCount * MailboxOptions.ROW_OVERHEAD_BYTES + 16 * 4096;
    assertTrue(onDisk <= bound, "mailbox files " + onDisk + " bytes > " + bound);
  }
}
