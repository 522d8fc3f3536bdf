package io.p2pchat.rendezvous;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.p2pchat.crypto.NodeIdentity;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Deposits and the pick-up survive a lossy control channel: 20 % of what the rendezvous sends of the mailbox
 * ({@code deposited}, {@code refused}, {@code mail}) dropped and 20 % sent twice ({@code impair.*}), and the same
 * for what the clients send ({@code deposit} parts, {@code mail-ack}). 100 messages, half deposited before the
 * recipient registers and half while it picks up: each is stored once and delivered once, whole, and the
 * mailbox is empty at the end.
 */
class MailboxLossTest {

  private static final int MESSAGES = 100;
  private static final int PERCENT = 20;

  @TempDir
  Path dataDir;

  @Test
  void depositsAndPickUpSurviveLossAndDuplicationEachMessageOnce() throws Exception {
    JsonObject config = new JsonObject().put("dataDir", dataDir.toString())
      // Long enough that no registration expires while the test runs (it sends no keep-alives).
      .put("ttlSeconds", 600)
      .put("impair", new JsonObject().put("lossPercent", PERCENT).put("duplicatePercent", PERCENT).put("seed", 7));
    RendezvousHarness server = new RendezvousHarness(config);
    NodeIdentity bobId = NodeIdentity.generate();
    Random random = new Random(5);
    List<byte[]> envelopes = new ArrayList<>();
    for (int i = 0; i < MESSAGES; i++) {
      // Every fifth one is a 2-part envelope: reassembly under loss too.
      byte[] env = new byte[i % 5 == 4 ? 1121 : 353];
      random.nextBytes(env);
      envelopes.add(env);
    }
    try (UdpClient alice = new UdpClient(server.port(), "alice", "lobby", NodeIdentity.generate());
         UdpClient bob = new UdpClient(server.port(), "bob", "lobby", bobId)) {
      assertEquals("registered", alice.register().getString("t"));
      Consumer<JsonObject> aliceLink = MailboxWire.lossy(alice, PERCENT, PERCENT, 11);
      List<Long> seqs = new ArrayList<>();
      for (int i = 0; i < MESSAGES / 2; i++) {
        seqs.add(MailboxWire.deposit(alice, aliceLink, "m" + i, bobId.signingPublicKey(), envelopes.get(i)).getLong("seq"));
      }
      assertEquals("registered", bob.register().getString("t"));
      CompletableFuture<Void> rest = CompletableFuture.runAsync(() -> {
        for (int i = MESSAGES / 2; i < MESSAGES; i++) {
          seqs.add(MailboxWire.deposit(alice, aliceLink, "m" + i, bobId.signingPublicKey(), envelopes.get(i)).getLong("seq"));
        }
      });
      List<MailboxWire.Mail> mail = MailboxWire.pickUp(bob, MESSAGES, MailboxWire.lossy(bob, PERCENT, PERCENT, 13));
      rest.get();

      Set<Long> distinct = new HashSet<>();
      mail.forEach(m -> assertTrue(distinct.add(m.seq()), "seq " + m.seq() + " shown twice"));
      assertEquals(new HashSet<>(seqs), distinct, "every deposit's seq, nothing else");
      mail.sort(Comparator.comparingLong(MailboxWire.Mail::seq));
      for (int i = 0; i < MESSAGES; i++) {
        assertArrayEquals(envelopes.get(i), mail.get(i).envelope(), "message " + i + " whole, in deposit order");
      }
      JsonObject stats = MailboxWire.stats(server);
      assertEquals(MESSAGES, stats.getJsonObject("store").getLong("deposited"), "each stored once: " + stats.encode());
      RendezvousHarness.awaitTrue("the mailbox emptied by the acks (lost ones sent again)", () -> {
        // bob keeps acknowledging what comes again (its last acks may have been lost), as a node does.
        JsonObject again = bob.receiveControlUntil(io.p2pchat.wire.ControlType.MAIL, System.nanoTime() + 300_000_000L);
        if (again != null) {
          bob.sendControl(MailboxWire.ack(again.getLong("seq")));
        }
        return MailboxWire.stats(server).getJsonObject("store").getInteger("messages") == 0;
      });
      JsonObject reliable = server.stats().getJsonObject("reliable");
      assertTrue(reliable.getLong("impaired") > 0 && reliable.getLong("duplicated") > 0, reliable.encode());
      assertTrue(MailboxWire.stats(server).getLong("resent") > 0, "lost mail was sent again");
    } finally {
      server.close();
    }
  }
}
