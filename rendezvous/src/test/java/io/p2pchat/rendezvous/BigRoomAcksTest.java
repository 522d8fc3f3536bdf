package io.p2pchat.rendezvous;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.p2pchat.wire.Control;
import io.p2pchat.wire.ControlType;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A room of {@link #MEMBERS} clients, joining one after the other (real UDP on loopback, one socket
 * each): every newcomer is sent an introduction of each member at once and acks them all at once,
 * more acks than a source's request burst (40). Acks have their own allowance, so every
 * introduction is acked the first time and none is sent twice; nothing is rate-limited.
 */
class BigRoomAcksTest {

  private static final int MEMBERS = 50;

  private static void ackIntroduction(UdpClient c) {
    JsonObject intro = c.receiveControl(ControlType.INTRODUCE);
    c.sendControl(Control.of(ControlType.ACK).put(Control.MID, intro.getLong(Control.MID)));
  }

  @Test
  void everyIntroductionOfAFiftyMemberRoomIsAckedOnceAndNeverSentTwice() {
    List<UdpClient> room = new ArrayList<>();
    try (RendezvousHarness server = new RendezvousHarness(new JsonObject())) {
      for (int i = 0; i < MEMBERS; i++) {
        UdpClient newcomer = new UdpClient(server.port(), "m" + i, "lobby");
        room.add(newcomer);
        assertEquals("registered", newcomer.register().getString(Control.TYPE), newcomer.nick);
        for (int j = 0; j < i; j++) {
          ackIntroduction(newcomer);
        }
        for (int j = 0; j < i; j++) {
          ackIntroduction(room.get(j));
        }
      }
      // A keep-alive of the last member is a fence: once answered, every ack before it was handled.
      UdpClient last = room.get(MEMBERS - 1);
      last.sendControl(Control.of(ControlType.KEEPALIVE));
      last.receiveControl(ControlType.KEEPALIVE_ACK);
      JsonObject stats = server.stats();
      JsonObject reliable = stats.getJsonObject("reliable");
      long pairs = (long) MEMBERS * (MEMBERS - 1) / 2;
      assertEquals(0L, stats.getJsonObject("drops").getLong("rate-limited", 0L), stats.encode());
      assertEquals(2 * pairs, reliable.getLong("acked"), reliable.encode());
      assertEquals(0L, reliable.getLong("retransmitted"), "an introduction was sent twice: " + reliable.encode());
      assertEquals(0, reliable.getInteger("outstanding"), reliable.encode());
    } finally {
      room.forEach(UdpClient::close);
    }
  }
}
