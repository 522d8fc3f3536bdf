package io.p2pchat.rendezvous;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.p2pchat.crypto.NodeIdentity;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A registration's pick-up reads the mailbox only when it may hold something for the client
 * ({@link MailboxDelivery#registered}): mail deposited before its recipient registers reaches it at its
 * registration, also across a restart of the rendezvous (what is held is counted again from the disk); a client
 * with nothing waiting is registered without a read, and what is deposited for it afterwards still reaches it.
 */
class MailboxPickUpTest {

  @TempDir
  Path dataDir;
  private final Random random = new Random(23);

  private byte[] envelope() {
    byte[] b = new byte[353];
    random.nextBytes(b);
    return b;
  }

  private static long skipped(RendezvousHarness server) {
    return MailboxWire.stats(server).getLong("pickUpsSkipped");
  }

  @Test
  void mailWaitingAtRegistrationIsDeliveredAndAClientWithoutMailRegistersWithoutARead() {
    // Long enough that no registration expires while the test runs (it sends no keep-alives).
    JsonObject config = new JsonObject().put("dataDir", dataDir.toString()).put("ttlSeconds", 600);
    NodeIdentity bobId = NodeIdentity.generate();
    NodeIdentity carolId = NodeIdentity.generate();
    byte[] forBob = envelope();
    byte[] forCarol = envelope();

    RendezvousHarness first = new RendezvousHarness(config);
    try (UdpClient alice = new UdpClient(first.port(), "alice", "lobby", NodeIdentity.generate())) {
      JsonObject registered = alice.register();
      assertEquals("registered", registered.getString("t"));
      assertEquals(0, registered.getInteger("mail"), "registered says nothing waits");
      assertEquals(1, skipped(first), "nothing waits for alice: her registration read nothing");
      assertEquals("deposited", MailboxWire.deposit(alice, "to-bob", bobId.signingPublicKey(), forBob).getString("t"));
    } finally {
      first.close();
    }

    RendezvousHarness server = new RendezvousHarness(config);
    try (UdpClient bob = new UdpClient(server.port(), "bob", "lobby", bobId);
         UdpClient carol = new UdpClient(server.port(), "carol", "lobby", carolId)) {
      JsonObject registered = bob.register();
      assertEquals("registered", registered.getString("t"));
      assertEquals(1, registered.getInteger("mail"), "counted again from the disk after the restart");
      List<MailboxWire.Mail> bobs = MailboxWire.pickUp(bob, 1, () -> true);
      assertArrayEquals(forBob, bobs.get(0).envelope(), "deposited before a restart, delivered at registration");
      assertEquals(0, skipped(server), "bob's registration read his mailbox");

      assertEquals("registered", carol.register().getString("t"));
      assertEquals(1, skipped(server), "nothing waits for carol: her registration read nothing");
      assertEquals("deposited", MailboxWire.deposit(bob, "to-carol", carolId.signingPublicKey(), forCarol).getString("t"));
      List<MailboxWire.Mail> carols = MailboxWire.pickUp(carol, 1, () -> true);
      assertArrayEquals(forCarol, carols.get(0).envelope(), "deposited after a registration without a read, delivered");
      RendezvousHarness.awaitTrue("both acknowledged and deleted",
        () -> MailboxWire.stats(server).getJsonObject("store").getInteger("messages") == 0);
    } finally {
      server.close();
    }
  }

  /** {@code registered} says how many messages wait ({@code mail}), so that only a node with mail holds anything. */
  @Test
  void registeredSaysHowManyMessagesWait() {
    JsonObject config = new JsonObject().put("dataDir", dataDir.toString()).put("ttlSeconds", 600);
    NodeIdentity bobId = NodeIdentity.generate();
    int n = 5;
    RendezvousHarness server = new RendezvousHarness(config);
    try (UdpClient alice = new UdpClient(server.port(), "alice", "lobby", NodeIdentity.generate())) {
      assertEquals(0, alice.register().getInteger("mail"));
      for (int i = 0; i < n; i++) {
        assertEquals("deposited", MailboxWire.deposit(alice, "to-bob-" + i, bobId.signingPublicKey(), envelope())
          .getString("t"));
      }
      try (UdpClient bob = new UdpClient(server.port(), "bob", "lobby", bobId)) {
        JsonObject registered = bob.register();
        assertEquals("registered", registered.getString("t"));
        assertEquals(n, registered.getInteger("mail"), "every deposit waiting for bob");
        assertEquals(n, MailboxWire.pickUp(bob, n, () -> true).size());
      }
    } finally {
      server.close();
    }
  }
}
