package io.p2pchat.rendezvous;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.p2pchat.crypto.NodeIdentity;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The mailbox on the wire, through a real rendezvous and real sealed control sessions (ControlClient): a
 * deposit is answered {@code deposited} with its seq once stored; the recipient registering later is sent it
 * as {@code mail}, and its {@code mail-ack} deletes it; a retried deposit id gets the same seq; an envelope
 * of many parts arrives whole; a recipient registered now gets a new deposit at once; {@code mailbox: false}
 * refuses {@code not-enabled}.
 */
class MailboxWireTest {

  @TempDir
  Path dataDir;
  private RendezvousHarness server;
  private final List<UdpClient> clients = new ArrayList<>();

  private void start(JsonObject config) {
    server = new RendezvousHarness(new JsonObject().put("dataDir", dataDir.toString()).mergeIn(config));
  }

  @AfterEach
  void stop() {
    clients.forEach(UdpClient::close);
    if (server != null) {
      server.close();
    }
  }

  private UdpClient registered(String nick, NodeIdentity id) {
    UdpClient c = new UdpClient(server.port(), nick, "lobby", id);
    clients.add(c);
    JsonObject answer = c.register();
    assertEquals("registered", answer.getString("t"), answer.encode());
    return c;
  }

  private static byte[] envelope(int length, long seed) {
    byte[] b = new byte[length];
    new Random(seed).nextBytes(b);
    return b;
  }

  @Test
  void aDepositIsStoredThenPickedUpByItsRecipientAndDeletedByItsAck() {
    start(new JsonObject());
    NodeIdentity bob = NodeIdentity.generate();
    UdpClient alice = registered("alice", NodeIdentity.generate());
    byte[] env = envelope(353, 1);
    JsonObject stored = MailboxWire.deposit(alice, "m-1", bob.signingPublicKey(), env);
    assertEquals("deposited", stored.getString("t"), stored.encode());
    long seq = stored.getLong("seq");
    assertTrue(seq > 0);
    // Retried (its answer lost): the same seq, not a second copy.
    assertEquals(seq, MailboxWire.deposit(alice, "m-1", bob.signingPublicKey(), env).getLong("seq"));
    assertEquals(1, MailboxWire.stats(server).getJsonObject("store").getInteger("messages"));

    UdpClient bobClient = registered("bob", bob);
    List<MailboxWire.Mail> mail = MailboxWire.pickUp(bobClient, 1, () -> true);
    assertEquals(seq, mail.get(0).seq());
    assertArrayEquals(env, mail.get(0).envelope());
    assertArrayEquals(alice.identity.signingPublicKey(), mail.get(0).from());
    RendezvousHarness.awaitTrue("the ack deleted it",
      () -> MailboxWire.stats(server).getJsonObject("store").getInteger("messages") == 0);
    assertEquals(1, MailboxWire.stats(server).getLong("mailAcked"));
  }

  @Test
  void theLargestEnvelopeTravelsInPartsBothWaysAndARegisteredRecipientGetsItAtOnce() {
    start(new JsonObject());
    NodeIdentity bobId = NodeIdentity.generate();
    UdpClient bob = registered("bob", bobId);
    UdpClient alice = registered("alice", NodeIdentity.generate());
    byte[] big = envelope(65_536, 2);
    byte[] small = envelope(609, 3);
    assertEquals("deposited", MailboxWire.deposit(alice, "big", bobId.signingPublicKey(), big).getString("t"));
    assertEquals("deposited", MailboxWire.deposit(alice, "small", bobId.signingPublicKey(), small).getString("t"));
    List<MailboxWire.Mail> mail = MailboxWire.pickUp(bob, 2, () -> true);
    assertArrayEquals(big, mail.get(0).envelope());
    assertArrayEquals(small, mail.get(1).envelope());
    assertTrue(mail.get(0).seq() < mail.get(1).seq(), "oldest first");
  }

  /**
   * A pick-up state (its windows, its key) is held per client with mail, not per registration: a client
   * registered with an empty mailbox holds none once its first pick-up found nothing; a deposit for it
   * starts one, which sends the mail at once and goes when the mail was acknowledged and deleted.
   */
  @Test
  void aPickUpStateIsHeldOnlyWhileItsClientHasMail() {
    start(new JsonObject());
    NodeIdentity bobId = NodeIdentity.generate();
    UdpClient bob = registered("bob", bobId);
    UdpClient alice = registered("alice", NodeIdentity.generate());
    RendezvousHarness.awaitTrue("no state for two registered clients without mail",
      () -> MailboxWire.stats(server).getInteger("recipients") == 0);
    byte[] env = envelope(353, 5);
    assertEquals("deposited", MailboxWire.deposit(alice, "m-1", bobId.signingPublicKey(), env).getString("t"));
    List<MailboxWire.Mail> held = new ArrayList<>();
    List<MailboxWire.Mail> mail = MailboxWire.pickUp(bob, 1, ack -> {
      held.add(null); // the state exists while the mail is in flight: checked before the ack goes
      assertEquals(1, MailboxWire.stats(server).getInteger("recipients"), "bob's state while his mail is in flight");
      bob.sendControl(ack);
    });
    assertArrayEquals(env, mail.get(0).envelope(), "sent at once to a registered client that had no state");
    assertEquals(1, held.size());
    RendezvousHarness.awaitTrue("the state went with the acknowledged mail",
      () -> MailboxWire.stats(server).getInteger("recipients") == 0
        && MailboxWire.stats(server).getJsonObject("store").getInteger("messages") == 0);
  }

  @Test
  void aRendezvousWithoutMailboxRefusesNotEnabled() {
    start(new JsonObject().put("mailbox", false));
    UdpClient alice = registered("alice", NodeIdentity.generate());
    JsonObject answer = MailboxWire.deposit(alice, "m-1", NodeIdentity.generate().signingPublicKey(), envelope(353, 4));
    assertEquals("refused", answer.getString("t"));
    assertEquals("not-enabled", answer.getString("reason"));
    assertTrue(!dataDir.resolve("mailbox.db").toFile().exists(), "no store opened");
  }
}
