package io.p2pchat.rendezvous;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.p2pchat.wire.Control;
import io.p2pchat.wire.ControlType;
import io.p2pchat.wire.RoomDigest;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Reliable control as a client on the wire sees it: an introduction or departure not acked comes
 * again, the same message with the same id; an ack stops it; a keep-alive whose view differs from the
 * room gets the last introduction again (same introduction id: nothing for the client to redo).
 */
class ReliableIntroductionsTest {

  private RendezvousHarness server;
  private final List<UdpClient> clients = new ArrayList<>();

  @BeforeEach
  void start() {
    server = new RendezvousHarness(new JsonObject());
  }

  @AfterEach
  void stop() {
    clients.forEach(UdpClient::close);
    server.close();
  }

  private UdpClient registered(String nick) {
    UdpClient c = UdpClient.registered(server.port(), nick, "lobby");
    clients.add(c);
    return c;
  }

  private static JsonObject ack(JsonObject msg) {
    return Control.of(ControlType.ACK).put(Control.MID, msg.getLong(Control.MID));
  }

  @Test
  void anUnackedIntroductionComesAgainUntilAcked() {
    UdpClient alice = registered("alice");
    UdpClient bob = registered("bob");
    JsonObject first = alice.receiveControl(ControlType.INTRODUCE);
    assertNotNull(first.getLong(Control.MID), first.encode());
    // alice does not ack: the same message comes again, same id, same introduction.
    JsonObject again = alice.receiveControl(ControlType.INTRODUCE);
    assertEquals(first, again);
    alice.sendControl(ack(again));
    bob.sendControl(ack(bob.receiveControl(ControlType.INTRODUCE)));
    // The keep-alive after the acks is a fence: once it is answered, the acks were handled.
    alice.sendControl(Control.of(ControlType.KEEPALIVE));
    List<String> types = new ArrayList<>();
    JsonObject msg;
    do {
      msg = alice.receiveControl(null);
      types.add(msg.getString(Control.TYPE));
    } while (!"keepalive-ack".equals(msg.getString(Control.TYPE)));
    // At most one copy was already on its way when the ack arrived.
    assertTrue(types.size() <= 2, types.toString());
    JsonObject stats = server.stats().getJsonObject("reliable");
    assertEquals(0, stats.getInteger("outstanding"), stats.encode());
    assertTrue(stats.getLong("retransmitted") >= 1, stats.encode());
  }

  @Test
  void aDepartureComesAgainUntilAckedAndNamesTheProcessThatLeft() {
    UdpClient alice = registered("alice");
    UdpClient bob = registered("bob");
    alice.sendControl(ack(alice.receiveControl(ControlType.INTRODUCE)));
    bob.sendControl(bob.signedBye());
    JsonObject gone = alice.receiveControl(ControlType.GONE);
    assertEquals("bob", gone.getString(Control.NICK));
    assertEquals(bob.instance, gone.getString(Control.INSTANCE));
    assertEquals(gone, alice.receiveControl(ControlType.GONE), "not acked: sent again");
    alice.sendControl(ack(gone));
  }

  @Test
  void aKeepAliveWhoseViewDiffersGetsTheLastIntroductionAgain() {
    UdpClient alice = registered("alice");
    UdpClient bob = registered("bob");
    JsonObject intro = alice.receiveControl(ControlType.INTRODUCE);
    alice.sendControl(ack(intro));
    bob.sendControl(ack(bob.receiveControl(ControlType.INTRODUCE)));

    // A view that matches: nothing to repair.
    String matching = new RoomDigest().add("bob", bob.instance).text();
    alice.sendControl(Control.of(ControlType.KEEPALIVE).put(Control.VIEW, matching));
    assertEquals("keepalive-ack", alice.receiveControl(null).getString(Control.TYPE));
    assertEquals(0L, server.stats().getJsonObject("reliable").getLong("outstanding"));

    // An empty view (the introduction was lost for good): the same introduction comes again.
    alice.sendControl(Control.of(ControlType.KEEPALIVE).put(Control.VIEW, new RoomDigest().text()));
    JsonObject repaired = alice.receiveControl(ControlType.INTRODUCE);
    assertEquals(intro.getString(Control.INTRO_ID), repaired.getString(Control.INTRO_ID));
    assertEquals(intro.getString(Control.SECRET), repaired.getString(Control.SECRET));
  }
}
