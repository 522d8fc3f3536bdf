package io.p2pchat.rendezvous;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.p2pchat.control.RendezvousIdentity;
import io.p2pchat.crypto.NodeIdentity;
import io.p2pchat.wire.Control;
import io.p2pchat.wire.ControlType;
import io.p2pchat.wire.Endpoint;
import io.p2pchat.wire.WireException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.util.ArrayDeque;
import org.junit.jupiter.api.Test;

/**
 * Where the channel seals to: each client's address is the source of its latest authenticated message,
 * kept once per client (its address rides on the control server's entry of the client), followed when it
 * roams, and taken from it when another client's session speaks from there. No sockets: datagrams are
 * handed to the channel as the verticle does.
 */
class SealedControlChannelTest {

  private final SealedControlChannel channel = new SealedControlChannel(RendezvousIdentity.generate(), 100);

  /** A client of the channel: handshakes from {@code from}, then sends sealed keep-alives from wherever it is. */
  private final class Client {
    final NodeIdentity id = NodeIdentity.generate();
    final TestControl control = new TestControl(id, "127.0.0.1:7000", null);

    Client(Endpoint from) {
      ArrayDeque<byte[]> replies = new ArrayDeque<>();
      control.handshake(d -> replies.add(open(from, d).reply().getBytes()), replies::poll);
    }

    void keepAliveFrom(Endpoint from) {
      assertNotNull(open(from, control.seal(Control.of(ControlType.KEEPALIVE))).message());
    }

    /** True when {@code sealed} opens in this client's session. */
    boolean opens(Buffer sealed) {
      return sealed != null && control.open(sealed.getBytes()) != null;
    }
  }

  private ControlChannel.Opened open(Endpoint from, byte[] datagram) {
    try {
      return channel.open(from, Buffer.buffer(datagram));
    } catch (WireException e) {
      throw new AssertionError(e);
    }
  }

  private static JsonObject hello() {
    return Control.of(ControlType.KEEPALIVE_ACK);
  }

  @Test
  void aClientsAddressIsItsLatestAuthenticatedSourceHeldOnceAndFollowedWhenItRoams() {
    Endpoint first = new Endpoint("192.0.2.10", 40000);
    Client alice = new Client(first);
    assertNull(channel.addressOf(alice.id.signingPublicKey()), "no address before an authenticated message");
    alice.keepAliveFrom(first);
    assertEquals(first, channel.addressOf(alice.id.signingPublicKey()));
    assertSame(first, channel.canonical(new Endpoint("192.0.2.10", 40000)), "one Endpoint per client address");
    assertTrue(alice.opens(channel.seal(first, hello())));

    Endpoint roamed = new Endpoint("192.0.2.10", 40001);
    alice.keepAliveFrom(roamed);
    assertEquals(roamed, channel.addressOf(alice.id.signingPublicKey()));
    assertNull(channel.seal(first, hello()), "nothing sealed to the address it left");
    assertTrue(alice.opens(channel.seal(roamed, hello())));
  }

  /**
   * A new client's handshake datagram and its first sealed one come with two Endpoint objects of one
   * address: the session's answered-to address becomes the one the channel keeps, so a client costs one
   * Endpoint and one host string, not two.
   */
  @Test
  void theAddressAHandshakeWasAnsweredAtIsTheOneObjectKeptForTheClient() throws Exception {
    Client alice = new Client(new Endpoint("192.0.2.20", 40000));
    Endpoint first = new Endpoint("192.0.2.20", 40000);
    alice.keepAliveFrom(first);
    java.lang.reflect.Field f = SealedControlChannel.class.getDeclaredField("server");
    f.setAccessible(true);
    io.p2pchat.control.ControlServer server = (io.p2pchat.control.ControlServer) f.get(channel);
    assertSame(first, server.sessionOf(alice.id.signingPublicKey()).answeredTo());
    assertSame(first, channel.canonical(new Endpoint("192.0.2.20", 40000)));
    org.junit.jupiter.api.Assertions.assertTrue(channel.answeredAt(alice.id.signingPublicKey(), first));
  }

  @Test
  void anotherClientSpeakingFromTheAddressTakesIt() {
    Endpoint shared = new Endpoint("198.51.100.7", 5000);
    Client alice = new Client(shared);
    alice.keepAliveFrom(shared);
    Client bob = new Client(new Endpoint("198.51.100.8", 5000));
    bob.keepAliveFrom(shared); // alice's NAT mapping went to bob
    assertEquals(shared, channel.addressOf(bob.id.signingPublicKey()));
    assertNull(channel.addressOf(alice.id.signingPublicKey()), "alice moved on: her old address is bob's now");
    assertTrue(bob.opens(channel.seal(shared, hello())));
    alice.keepAliveFrom(new Endpoint("198.51.100.7", 5001));
    assertEquals(shared, channel.addressOf(bob.id.signingPublicKey()), "bob keeps his");
    assertTrue(alice.opens(channel.seal(new Endpoint("198.51.100.7", 5001), hello())));
  }

  private static void assertTrue(boolean condition) {
    org.junit.jupiter.api.Assertions.assertTrue(condition);
  }
}
