package io.p2pchat.punch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.p2pchat.wire.PacketCodec;
import io.p2pchat.wire.PacketType;
import io.p2pchat.wire.WireException;
import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The user trial: two nodes on one host found each other by LAN discovery and were introduced by the
 * rendezvous too. The second introduction reached one side while the peer's handshake answer to the
 * first was in flight; restarting the handshake there made that answer fail authentication (a WARN, an
 * {@code unauthenticated} drop, a lost round). A second introduction of a peer whose handshake is
 * running joins it: one handshake, no failure ({@link SessionPair.Side#handshakeFailed} throws).
 */
class CrossedIntroductionsTest {

  private static boolean isHandshake(Buffer packet) {
    try {
      return PacketCodec.decodeHeader(packet).type() == PacketType.HANDSHAKE;
    } catch (WireException e) {
      return false;
    }
  }

  @Test
  void aSecondIntroductionWhileTheHandshakeAnswerIsInFlightJoinsTheRunningHandshake() {
    SessionPair net = new SessionPair();
    net.alice.start();
    net.bob.start();
    // LAN discovery introduces them first; bob's message 2 to alice is held in flight.
    List<Buffer> held = new ArrayList<>();
    net.alice.lose = packet -> isHandshake(packet) && held.add(packet.copy());
    byte[] lanSecret = new byte[32];
    lanSecret[0] = 'L';
    net.alice.introduce(1001, lanSecret);
    net.bob.introduce(1001, lanSecret);
    net.pump();
    assertEquals(1, held.size(), "bob answered alice's message 1; the answer is on its way");
    net.alice.lose = null;
    // The rendezvous introduces alice to bob now, with its own id and secret; then bob's answer arrives.
    byte[] rendezvousSecret = new byte[32];
    rendezvousSecret[0] = 'R';
    net.alice.introduce(7, rendezvousSecret);
    net.bob.transmit(held.get(0));
    net.pump();
    net.bob.introduce(7, rendezvousSecret);
    net.pump();
    assertNotNull(net.alice.session.fingerprint(), "alice completed the handshake with bob's first answer");
    assertNotNull(net.bob.session.fingerprint());
    assertEquals(List.of(), net.alice.drops, "nothing failed authentication at alice");
    assertEquals(List.of(), net.bob.drops, "nor at bob");
    net.exchange("hello", 1_000_000_000L);
  }
}
