package io.p2pchat.rendezvous;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.p2pchat.wire.Control;
import io.p2pchat.wire.ControlType;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A client that re-registers with new instance ids over and over gets its pair with each member
 * introduced at most {@link PairPacing#BURST} times at once; the newest registration is still
 * introduced once the pair's budget allows (a restarted peer is never left out).
 */
class PairPacingTest {

  private static final int REREGISTRATIONS = 10;

  private static JsonObject ack(JsonObject msg) {
    return Control.of(ControlType.ACK).put(Control.MID, msg.getLong(Control.MID));
  }

  @Test
  void reRegistrationsAreIntroducedAtTheBurstThenTheNewestOnce() {
    try (RendezvousHarness server = new RendezvousHarness(new JsonObject());
         UdpClient peer = new UdpClient(server.port(), "peer", "lobby");
         UdpClient mallory = new UdpClient(server.port(), "mallory", "lobby")) {
      assertEquals("registered", peer.register().getString(Control.TYPE));
      assertEquals("registered", mallory.register().getString(Control.TYPE));
      String last = null;
      for (int i = 0; i < REREGISTRATIONS; i++) {
        last = "restart-" + i;
        assertEquals("registered", mallory.register(mallory.registration().put(Control.INSTANCE, last))
          .getString(Control.TYPE));
      }
      Set<String> introductions = new LinkedHashSet<>();
      JsonObject intro;
      do {
        intro = peer.receiveControl(ControlType.INTRODUCE);
        peer.sendControl(ack(intro));
        introductions.add(intro.getString(Control.INTRO_ID));
      } while (!last.equals(intro.getJsonObject(Control.PEER).getString(Control.INSTANCE)));
      assertTrue(introductions.size() <= PairPacing.BURST + 1,
        (1 + REREGISTRATIONS) + " registrations made " + introductions.size() + " introductions");
      JsonObject reliable = server.stats().getJsonObject("reliable");
      assertTrue(reliable.getLong("introductionsDeferred") >= 1, reliable.encode());
    }
  }
}
