package io.p2pchat.rendezvous;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.p2pchat.crypto.NodeIdentity;
import io.p2pchat.wire.Control;
import io.p2pchat.wire.ControlType;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A {@code mail-ack} deletes only its sender's own mail: an ack naming bob's seq from the depositor (who learned
 * the seq from its {@code deposited}), from another registered client, or from an unregistered one deletes
 * nothing, whether bob is away or his pick-up has the message in flight; a replayed ack datagram of bob's is
 * dropped as a replay. Bob then still gets the message.
 */
class MailboxForgedAckTest {

  @TempDir
  Path dataDir;
  private RendezvousHarness server;
  private UdpClient alice;
  private UdpClient mallory;
  private UdpClient bob;
  private final NodeIdentity bobId = NodeIdentity.generate();

  @BeforeEach
  void start() {
    server = new RendezvousHarness(new JsonObject().put("dataDir", dataDir.toString()).put("ttlSeconds", 600));
    alice = UdpClient.registered(server.port(), "alice", "lobby");
    mallory = UdpClient.registered(server.port(), "mallory", "lobby");
    bob = new UdpClient(server.port(), "bob", "lobby", bobId);
  }

  @AfterEach
  void stop() {
    alice.close();
    mallory.close();
    bob.close();
    server.close();
  }

  private int stored() {
    return MailboxWire.stats(server).getJsonObject("store").getInteger("messages");
  }

  /** A keep-alive answered: every datagram {@code c} sent before it was handled. */
  private static void fence(UdpClient c) {
    c.sendControl(Control.of(ControlType.KEEPALIVE));
    c.receiveControl(ControlType.KEEPALIVE_ACK);
  }

  @Test
  void anAckFromAnotherIdentityDeletesNothingAwayOrInFlight() {
    byte[] env = new byte[353];
    env[7] = 42;
    long seq = MailboxWire.deposit(alice, "m1", bobId.signingPublicKey(), env).getLong("seq");

    // bob is away: the depositor and another client ack his seq.
    alice.sendControl(MailboxWire.ack(seq));
    mallory.sendControl(MailboxWire.ack(seq, seq + 1, 1));
    fence(alice);
    fence(mallory);
    try (UdpClient stranger = new UdpClient(server.port(), "stranger", "lobby")) {
      stranger.sendControl(MailboxWire.ack(seq));
      assertEquals("not-registered", stranger.receiveControl(ControlType.ERROR).getString(Control.CODE));
    }
    assertEquals(1, stored(), "nothing deleted while bob is away");

    // bob registers; the message is in flight to him (not acked yet): others' acks still delete nothing.
    assertEquals("registered", bob.register().getString("t"));
    JsonObject mail = bob.receiveControl(ControlType.MAIL);
    assertEquals(seq, mail.getLong("seq"));
    alice.sendControl(MailboxWire.ack(seq));
    mallory.sendControl(MailboxWire.ack(seq));
    fence(alice);
    fence(mallory);
    assertEquals(1, stored(), "nothing deleted by acks of other identities while in flight");
    JsonObject dropped = MailboxWire.stats(server).getJsonObject("dropped");
    // alice's and mallory's four acks (of 2, 3 and 1 seqs): each counted, none acted on. Neither has mail, so
    // neither holds a pick-up state of its own (MailboxDelivery: a state only while its client has mail).
    assertEquals(4, dropped.getLong("mail-ack-without-pick-up", 0L), dropped.encode());
    assertEquals(0, dropped.getLong("mail-ack-not-in-flight", 0L), dropped.encode());

    // bob's own ack deletes it, and he got it whole.
    List<MailboxWire.Mail> got = MailboxWire.pickUp(bob, 1, () -> true);
    assertArrayEquals(env, got.get(0).envelope());
    RendezvousHarness.awaitTrue("bob's ack deleted it", () -> stored() == 0);
  }

  @Test
  void aReplayedAckDatagramIsDroppedAsAReplay() {
    long first = MailboxWire.deposit(alice, "m1", bobId.signingPublicKey(), new byte[353]).getLong("seq");
    assertEquals("registered", bob.register().getString("t"));
    assertEquals(first, bob.receiveControl(ControlType.MAIL).getLong("seq"));
    Buffer ackDatagram = bob.encode(MailboxWire.ack(first));
    bob.send(ackDatagram);
    fence(bob);
    RendezvousHarness.awaitTrue("bob's ack deleted the first", () -> stored() == 0);

    long second = MailboxWire.deposit(alice, "m2", bobId.signingPublicKey(), new byte[353]).getLong("seq");
    assertEquals(second, bob.receiveControl(ControlType.MAIL).getLong("seq"));
    long replaysBefore = server.drops("replayed");
    bob.send(ackDatagram);
    mallory.send(ackDatagram);
    fence(bob);
    RendezvousHarness.awaitTrue("both replays dropped", () -> server.drops("replayed") >= replaysBefore + 2);
    assertEquals(1, stored(), "the second message is still there");
  }
}
