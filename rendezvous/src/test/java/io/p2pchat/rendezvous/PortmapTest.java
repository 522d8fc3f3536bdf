package io.p2pchat.rendezvous;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.p2pchat.wire.Control;
import io.p2pchat.wire.ControlType;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 19, a port-mapped candidate ({@code portmap}, docs/PROTOCOL.md "Candidates") as a client on the wire sees
 * it: taken only on the client's registered public host, then given to its peers in {@code introduce}; an address
 * on any other host (a victim) is never acknowledged nor given to peers, and is counted.
 */
class PortmapTest {

  private RendezvousHarness server;

  @BeforeEach
  void start() {
    server = new RendezvousHarness(new JsonObject());
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private static JsonObject portmap(String address) {
    return Control.of(ControlType.PORTMAP).put(Control.ADDRESS, address);
  }

  @Test
  void aMappedAddressOnTheRegisteredHostReachesPeers() {
    try (UdpClient alice = UdpClient.registered(server.port(), "alice", "lobby")) {
      alice.sendControl(portmap("127.0.0.1:5555"));
      assertEquals("127.0.0.1:5555", alice.receiveControl(ControlType.PORTMAP_OK).getString(Control.ADDRESS));
      try (UdpClient bob = UdpClient.registered(server.port(), "bob", "lobby")) {
        JsonObject intro = bob.receiveControl(ControlType.INTRODUCE).getJsonObject(Control.PEER);
        assertEquals("127.0.0.1:5555", intro.getString(Control.PORTMAP), intro.encode());
      }
    }
    assertEquals(1, server.stats().getLong("portmapTaken"));
  }

  @Test
  void aMappedAddressOnAnotherHostIsNeverGivenToPeersAndIsCounted() {
    try (UdpClient alice = UdpClient.registered(server.port(), "alice", "lobby")) {
      refusedAndCounted(alice);
    }
    assertEquals(0, server.stats().getLong("portmapTaken"));
  }

  /** alice names another host as her mapped address: no portmap-ok, counted, and a newcomer never hears of it. */
  private void refusedAndCounted(UdpClient alice) {
    long before = server.drops("malformed");
    alice.sendControl(portmap("127.0.0.2:9"));
    // A keep-alive as a fence: its ack comes after whatever the portmap caused.
    alice.sendControl(Control.of(ControlType.KEEPALIVE));
    JsonObject msg;
    do {
      msg = alice.receiveControl(null);
      assertFalse("portmap-ok".equals(msg.getString(Control.TYPE)), "a third party's address was taken: " + msg.encode());
    } while (!"keepalive-ack".equals(msg.getString(Control.TYPE)));
    assertEquals(before + 1, server.drops("malformed"), server.stats().encode());
    try (UdpClient bob = UdpClient.registered(server.port(), "bob", "lobby")) {
      JsonObject intro = bob.receiveControl(ControlType.INTRODUCE).getJsonObject(Control.PEER);
      assertNull(intro.getValue(Control.PORTMAP), "peers never hear of it: " + intro.encode());
    }
  }
}
