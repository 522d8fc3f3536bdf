package io.p2pchat.punch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.p2pchat.crypto.CipherSuite;
import io.p2pchat.crypto.NodeIdentity;
import io.p2pchat.crypto.SecureChannel;
import io.p2pchat.wire.DropReason;
import io.p2pchat.wire.HandshakeCodec;
import io.p2pchat.wire.PacketCodec;
import io.p2pchat.wire.PacketType;
import io.p2pchat.wire.WireException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Issue 15: a message 1 proves nothing about its sender, so it must not redirect an established
 * session (its sender index is adopted only when a handshake authenticates), one too short to
 * pay for its answer is dropped unanswered, and one without the introduction's MAC never takes a
 * handshake slot.
 */
class ForgedHandshakeTest {

  private static final long SETTLE_NANOS = TimeUnit.SECONDS.toNanos(2);
  /** The index a forger names: bob's data would go to a session alice does not have. */
  private static final int FORGED_INDEX = 0x7777;
  private static final byte[] PROLOGUE = "p2pchat test room".getBytes(StandardCharsets.UTF_8);

  private static byte[] message1() throws Exception {
    return new SecureChannel(NodeIdentity.generate(), "alice", "bob", PROLOGUE, CipherSuite.CHACHA20_POLY1305,
      true, payload -> true).start().bytes();
  }

  @Test
  void aForgedMessage1DoesNotRedirectTheEstablishedSession() throws Exception {
    SessionPair net = new SessionPair();
    net.connect();
    // Someone spoofing alice's address sends bob (the responder) a message 1 naming another index.
    // Someone who knows the introduction's secret (a member of the room, or the rendezvous) at that.
    net.alice.transmit(HandshakeCodec.encode(net.bob.session.localIndex, 1, 1, FORGED_INDEX, message1(),
      net.bob.session.secret));
    net.pump();
    assertEquals(net.alice.session.localIndex, net.bob.session.remoteIndex, "bob still sends to alice's index");
    net.exchange("after the forgery", SETTLE_NANOS);
  }

  @Test
  void anUnpaddedMessage1IsDroppedUnanswered() throws Exception {
    SessionPair net = new SessionPair();
    net.connect();
    int sentBefore = net.bob.handshakes.size();
    byte[] unpadded = java.util.Arrays.copyOf(message1(), SecureChannel.MESSAGE1_MIN_LENGTH - 1);
    net.alice.transmit(HandshakeCodec.encode(net.bob.session.localIndex, 1, 1, net.alice.session.localIndex, unpadded,
      net.bob.session.secret));
    net.pump();
    assertEquals(DropReason.AMPLIFICATION, net.bob.drops.get(net.bob.drops.size() - 1));
    assertEquals(sentBefore, net.bob.handshakes.size(), "no message 2 for it");
  }

  /**
   * Someone who can spoof alice's address and sees bob's index (on the path, watching probes) but does
   * not know the introduction's secret floods bob with messages 1 while alice, restarted, handshakes
   * again: one before her message 1 and one between her message 1 and her message 3 (which is lost
   * once). Without the MAC the first took bob's protected slot and the second displaced alice's
   * handshake, so her message 3 matched nothing; with it, both are dropped and counted before any
   * Diffie-Hellman, and her handshake completes at her next retransmission.
   */
  @Test
  void messages1WithoutTheIntroductionsMacCannotHoldUpANewHandshake() throws Exception {
    SessionPair net = new SessionPair();
    net.connect();
    net.alice.start();
    net.bob.unreachable = true; // alice's first message 1 is lost: the forger's comes first
    net.introduceBoth();
    net.bob.unreachable = false;
    byte[] guessed = new byte[net.bob.session.secret.length];
    int bobIndex = net.bob.session.localIndex;
    net.alice.transmit(HandshakeCodec.encode(bobIndex, 1, 1, FORGED_INDEX, message1(), guessed));
    net.pump();
    assertEquals(DropReason.UNAUTHENTICATED, net.bob.drops.get(net.bob.drops.size() - 1));
    // alice's retransmitted message 1 is answered; her message 3 is lost once.
    net.bob.lose = packet -> isMessage3(packet);
    net.advance(TimeUnit.MILLISECONDS.toNanos(SECOND_MESSAGE1_AFTER_MS));
    net.bob.lose = null;
    net.alice.transmit(HandshakeCodec.encode(bobIndex, 2, 1, FORGED_INDEX + 1, message1(), guessed));
    net.pump();
    assertEquals(DropReason.UNAUTHENTICATED, net.bob.drops.get(net.bob.drops.size() - 1));
    net.exchange("after the flood", SETTLE_NANOS);
  }

  /** After alice's first retransmission of message 1 (300 ms), before her message 3's (300 ms after that). */
  private static final long SECOND_MESSAGE1_AFTER_MS = 400;

  private static boolean isMessage3(io.vertx.core.buffer.Buffer packet) {
    try {
      return PacketCodec.decodeHeader(packet).type() == PacketType.HANDSHAKE
        && HandshakeCodec.decode(packet).number() == 3;
    } catch (WireException e) {
      return false;
    }
  }

  /**
   * A replayed message 2 reaching an initiator whose session is confirmed once made it send a null
   * message 3 (a NullPointerException out of the session, logged as a BUG): it is ignored now.
   */
  @Test
  void aReplayedMessage2ToAConfirmedInitiatorIsIgnored() {
    SessionPair net = new SessionPair();
    net.connect();
    net.exchange("confirmed", SETTLE_NANOS);
    int sentBefore = net.alice.handshakes.size();
    net.bob.transmit(net.bob.handshakes.get(0));
    net.pump();
    assertEquals(sentBefore, net.alice.handshakes.size(), "nothing sent for it");
    net.exchange("after the replay", SETTLE_NANOS);
  }
}
