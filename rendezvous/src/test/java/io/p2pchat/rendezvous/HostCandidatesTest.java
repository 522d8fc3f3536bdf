package io.p2pchat.rendezvous;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.p2pchat.common.LanRanges;
import io.p2pchat.wire.Control;
import io.p2pchat.wire.ControlType;
import io.p2pchat.wire.Endpoint;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What a room hears of a registrant's host candidates: only addresses in a LAN range (its own
 * loopback address when it registers from loopback), at most {@link Control#MAX_LOCAL_CANDIDATES};
 * the others are dropped and counted, so nobody can make the room probe a victim's address.
 */
class HostCandidatesTest {

  /** Introduces {@code mallory} (registering {@code local}) to a peer and returns the {@code local} the peer is told. */
  private static JsonArray localHeardBy(RendezvousHarness server, JsonArray local, JsonObject[] stats) {
    try (UdpClient peer = new UdpClient(server.port(), "peer", "lobby");
         UdpClient mallory = new UdpClient(server.port(), "mallory", "lobby")) {
      assertEquals("registered", peer.register().getString(Control.TYPE));
      local.add(0, "127.0.0.1:" + mallory.port());
      JsonObject registration = mallory.registration().put(Control.LOCAL, local);
      assertEquals("registered", mallory.register(registration).getString(Control.TYPE));
      JsonObject intro = peer.receiveControl(ControlType.INTRODUCE);
      stats[0] = server.stats().getJsonObject("hostCandidatesDropped");
      return intro.getJsonObject(Control.PEER).getJsonArray(Control.LOCAL);
    }
  }

  @Test
  void onlyLanCandidatesReachTheRoomAtMostEight() {
    JsonArray local = new JsonArray().add("127.0.0.77:9").add("203.0.113.5:9").add("8.8.8.8:53")
      .add("[2001:db8::1]:9").add("[fd00::1]:9");
    for (int i = 1; i <= 9; i++) {
      local.add("10.0.0." + i + ":4000");
    }
    JsonObject[] stats = new JsonObject[1];
    try (RendezvousHarness server = new RendezvousHarness(new JsonObject())) {
      JsonArray heard = localHeardBy(server, local, stats);
      // Mallory's own loopback address (it registers from loopback), the ULA, then six of the nine 10.x.
      assertEquals(Control.MAX_LOCAL_CANDIDATES, heard.size(), heard.encode());
      assertEquals("[fd00::1]:9", heard.getString(1), heard.encode());
      assertEquals("10.0.0.6:4000", heard.getString(7), heard.encode());
      assertEquals(new JsonObject().put("notLan", 4).put("overCap", 3), stats[0]);
    }
  }

  @Test
  void configuredLanRangesAreLansToo() {
    JsonObject[] stats = new JsonObject[1];
    try (RendezvousHarness server = new RendezvousHarness(new JsonObject()
      .put("lanRanges", new JsonArray().add("203.0.113.0/24")))) {
      JsonArray heard = localHeardBy(server, new JsonArray().add("203.0.113.5:9").add("203.0.114.5:9"), stats);
      assertEquals(2, heard.size(), heard.encode());
      assertEquals("203.0.113.5:9", heard.getString(1));
      assertEquals(1L, stats[0].getLong("notLan"));
    }
  }

  /**
   * A global IPv6 address (2000::/3) needs no NAT to be reached, so as a host candidate it could aim
   * the room at anyone: it is kept only when the registration itself came over IPv6 from the same /64
   * (the registrant's own link, proven by the cookie round trip to that address).
   */
  @Test
  void aGlobalIpv6CandidateIsKeptOnlyFromARegistrationOverIpv6FromItsOwnSlash64() {
    HostCandidates candidates = new HostCandidates(LanRanges.DEFAULT);
    List<Endpoint> offered = List.of(new Endpoint("2001:db8:1:2::7", 9), new Endpoint("2001:db8:1:3::7", 9),
      new Endpoint("2600::1", 9), new Endpoint("fd00::1", 9));
    assertEquals(List.of(new Endpoint("2001:db8:1:2::7", 9), new Endpoint("fd00::1", 9)),
      candidates.keep(offered, new Endpoint("2001:db8:1:2::99", 4000)), "the registrant's own /64, and the ULA");
    assertEquals(List.of(new Endpoint("fd00::1", 9)), candidates.keep(offered, new Endpoint("203.0.113.9", 4000)),
      "registered over IPv4: no global IPv6 candidate at all");
    assertEquals(new JsonObject().put("notLan", 5).put("overCap", 0), candidates.toJson());
  }
}
