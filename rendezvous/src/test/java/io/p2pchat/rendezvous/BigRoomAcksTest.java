package io.p2pchat.rendezvous;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.p2pchat.wire.Control;
import io.p2pchat.wire.ControlType;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A room of {@link #MEMBERS} clients, joining one after the other (real UDP on loopback, one socket
 * each): every newcomer is sent an introduction of each member at once and acks them all at once,
 * more acks than a source's request burst (40). Acks have their own allowance, so every
 * introduction is acked exactly once and none is given up on; nothing is rate-limited.
 *
 * <p>The test acks from one thread, client after client: on a starved machine (load 30 was seen) an
 * ack can come later than the first retry (250 ms), and a retransmission then is the rendezvous doing
 * its job. So a client acks every copy it reads (as a node does) and counts a copy it has seen once:
 * what must hold is one {@code acked} per introduction and none outstanding or given up.
 */
class BigRoomAcksTest {

  private static final int MEMBERS = 50;

  /** Introductions each client has read, by message id: a retransmitted copy is acked again, not counted. */
  private final Map<UdpClient, Set<Long>> seen = new HashMap<>();

  private void ackIntroduction(UdpClient c) {
    Set<Long> mids = seen.computeIfAbsent(c, k -> new HashSet<>());
    while (true) {
      long mid = c.receiveControl(ControlType.INTRODUCE).getLong(Control.MID);
      c.sendControl(Control.of(ControlType.ACK).put(Control.MID, mid));
      if (mids.add(mid)) {
        return;
      }
    }
  }

  @Test
  void everyIntroductionOfAFiftyMemberRoomIsAckedOnceAndNoneIsGivenUpOn() {
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
      long pairs = (long) MEMBERS * (MEMBERS - 1) / 2;
      RendezvousHarness.awaitTrue("every introduction acked", () -> server.stats().getJsonObject("reliable")
          .getInteger("outstanding") == 0);
      JsonObject stats = server.stats();
      JsonObject reliable = stats.getJsonObject("reliable");
      assertEquals(0L, stats.getJsonObject("drops").getLong("rate-limited", 0L), stats.encode());
      assertEquals(2 * pairs, reliable.getLong("acked"), "one ack per introduction: " + reliable.encode());
      assertEquals(0L, reliable.getLong("gaveUp"), "an introduction was given up on: " + reliable.encode());
    } finally {
      room.forEach(UdpClient::close);
    }
  }
}
