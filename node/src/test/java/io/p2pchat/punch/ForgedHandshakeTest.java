package io.p2pchat.punch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.p2pchat.crypto.CipherSuite;
import io.p2pchat.crypto.NodeIdentity;
import io.p2pchat.crypto.SecureChannel;
import io.p2pchat.wire.DropReason;
import io.p2pchat.wire.HandshakeCodec;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Issue 15: a message 1 proves nothing about its sender, so it must not redirect an established
 * session (its sender index is adopted only when a handshake authenticates), and one too short to
 * pay for its answer is dropped unanswered.
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
    net.alice.transmit(HandshakeCodec.encode(net.bob.session.localIndex, 1, 1, FORGED_INDEX, message1()));
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
    net.alice.transmit(HandshakeCodec.encode(net.bob.session.localIndex, 1, 1, net.alice.session.localIndex, unpadded));
    net.pump();
    assertEquals(DropReason.AMPLIFICATION, net.bob.drops.get(net.bob.drops.size() - 1));
    assertEquals(sentBefore, net.bob.handshakes.size(), "no message 2 for it");
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
