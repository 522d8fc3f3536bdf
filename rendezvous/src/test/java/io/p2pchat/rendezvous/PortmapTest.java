package io.p2pchat.rendezvous;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.p2pchat.wire.Control;
import io.p2pchat.wire.ControlType;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
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
  private final List<AutoCloseable> closing = new ArrayList<>();

  @BeforeEach
  void start() {
    server = new RendezvousHarness(new JsonObject());
  }

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable c : closing) {
      c.close();
    }
    server.close();
  }

  private UdpClient registered(String nick) {
    UdpClient c = UdpClient.registered(server.port(), nick, "lobby");
    closing.add(c);
    return c;
  }

  private static JsonObject portmap(String address) {
    return Control.of(ControlType.PORTMAP).put(Control.ADDRESS, address);
  }

  @Test
  void aMappedAddressOnTheRegisteredHostReachesPeers() {
    UdpClient alice = registered("alice");
    alice.sendControl(portmap("127.0.0.1:5555"));
    assertEquals("127.0.0.1:5555", alice.receiveControl(ControlType.PORTMAP_OK).getString(Control.ADDRESS));
    UdpClient bob = registered("bob");
    JsonObject intro = bob.receiveControl(ControlType.INTRODUCE).getJsonObject(Control.PEER);
    assertEquals("127.0.0.1:5555", intro.getString(Control.PORTMAP), intro.encode());
    assertEquals(1, server.stats().getLong("portmapTaken"));
  }

  @Test
  void aMappedAddressOnAnotherHostIsNeverGivenToPeersAndIsCounted() {
    UdpClient alice = registered("alice");
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
    UdpClient bob = registered("bob");
    JsonObject intro = bob.receiveControl(ControlType.INTRODUCE).getJsonObject(Control.PEER);
    assertNull(intro.getValue(Control.PORTMAP), "peers never hear of it: " + intro.encode());
    assertEquals(0, server.stats().getLong("portmapTaken"));
  }
}
