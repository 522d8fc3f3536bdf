package io.p2pchat.punch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.p2pchat.crypto.TransportCipher;
import io.p2pchat.wire.DropReason;
import io.p2pchat.wire.PacketCodec;
import io.p2pchat.wire.PacketType;
import io.p2pchat.wire.frame.AckFrame;
import io.p2pchat.wire.frame.FrameCodec;
import io.p2pchat.wire.frame.MsgFrame;
import io.vertx.core.buffer.Buffer;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 15, "Handshakes and paths": a peer that breaks the delivery protocol in an authenticated
 * packet is cut off. Bob's session seals, with its real keys, frames alice's streams cannot take;
 * alice closes the session, fails every message still pending to bob with the reason, counts the
 * packet as a protocol violation, and talks to bob again only after a fresh introduction and handshake.
 */
class ProtocolViolationTest {

  /** Far above the handful of seqs alice sends here. */
  private static final long UNSENT_SEQ = 1_000;
  /** Above any holdback the default delivery options allow, so the message can never assemble. */
  private static final int IMPOSSIBLE_FRAGMENTS = FrameCodec.MAX_U16;
  /** Messages alice has in flight when the violation arrives. */
  private static final int PENDING = 2;
  private static final long SETTLE_NANOS = TimeUnit.SECONDS.toNanos(2);

  static Stream<Arguments> violations() {
    return Stream.of(
      Arguments.of("an ACK of an unsent seq", "peer broke the protocol: ACK up to seq " + UNSENT_SEQ,
        (Consumer<Buffer>) frames -> FrameCodec.encode(frames, new AckFrame(UNSENT_SEQ + 1, 0, List.of()))),
      Arguments.of("a message that can never assemble", "peer broke the protocol: message of " + IMPOSSIBLE_FRAGMENTS,
        (Consumer<Buffer>) frames -> FrameCodec.encode(frames, new MsgFrame(0, 0, IMPOSSIBLE_FRAGMENTS, new byte[1]))),
      Arguments.of("a frame that does not parse", "peer broke the protocol: MSG fragment 0/0",
        (Consumer<Buffer>) frames -> frames.appendByte((byte) FrameCodec.TYPE_MSG).appendInt(0).appendShort((short) 0)
          .appendShort((short) 0).appendShort((short) 0)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("violations")
  void aPeerThatBreaksTheProtocolIsCutOff(String what, String reason, Consumer<Buffer> badFrames) {
    SessionPair net = new SessionPair();
    net.connect();
    SessionPair.Side alice = net.alice;
    SessionPair.Side bob = net.bob;
    net.exchange("hello", SETTLE_NANOS);

    // Two messages in flight: bob does not hear them, so they stay unacknowledged.
    bob.unreachable = true;
    List<String> pending = List.of(alice.send("pending 1"), alice.send("pending 2"));
    assertEquals(PENDING, alice.session.heldMessages());
    bob.unreachable = false;

    io.p2pchat.crypto.SecureChannel cutChannel = alice.channel;
    Buffer frames = Buffer.buffer();
    badFrames.accept(frames);
    bob.transmit(sealedByBob(bob, frames));
    net.pump();

    assertEquals(List.of(DropReason.PROTOCOL_VIOLATION), alice.drops, "counted once, as a protocol violation");
    assertNull(alice.session, "the session is closed");
    assertFalse(cutChannel.isEstablished(), "its keys are wiped");
    assertThrows(IllegalStateException.class, () -> cutChannel.seal(1, new byte[64], 16, new byte[1], 0, 1));
    assertEquals(1, alice.gone.size(), "one GONE: " + alice.gone);
    assertTrue(alice.gone.get(0).startsWith(reason), alice.gone.get(0));
    assertEquals(pending, alice.failed, "every pending message failed");
    alice.failReasons.forEach(why -> assertTrue(why.startsWith(reason), why));

    // The old session is gone: bob's packets under the old keys reach nothing.
    bob.send("into the void");
    net.advance(SETTLE_NANOS);
    assertTrue(alice.received.stream().noneMatch("into the void"::equals), "nothing from the closed session");
    assertTrue(alice.drops.stream().skip(1).allMatch(DropReason.UNKNOWN_SESSION::equals), alice.drops.toString());

    // Bob comes back as a new instance: a fresh handshake carries new messages both ways.
    alice.failed.clear();
    alice.failReasons.clear();
    bob.start();
    net.introduceBoth();
    net.advance(SETTLE_NANOS);
    net.exchange("after the fresh handshake", SETTLE_NANOS);
  }

  /** A peer that left (the rendezvous says so): its session closes and its keys are wiped; they seal nothing after. */
  @org.junit.jupiter.api.Test
  void aPeerThatLeftHasItsSessionKeysWiped() {
    SessionPair net = new SessionPair();
    net.connect();
    net.exchange("hello", SETTLE_NANOS);
    io.p2pchat.crypto.SecureChannel channel = net.alice.channel;
    assertTrue(channel.isEstablished());
    net.alice.session.close("left the rendezvous");
    assertNull(net.alice.session, "the session is gone");
    assertFalse(channel.isEstablished(), "its keys are wiped");
    assertThrows(IllegalStateException.class, () -> channel.seal(channel.nextSendCounter(), new byte[64], 16,
        new byte[1], 0, 1));
  }

  /** A DATA packet from bob's session to alice's, sealed with bob's real keys and next counter. */
  private static Buffer sealedByBob(SessionPair.Side bob, Buffer frames) {
    byte[] body = frames.getBytes();
    byte[] packet = new byte[PacketCodec.HEADER_SIZE + body.length + TransportCipher.TAG_LENGTH];
    long counter = bob.channel.nextSendCounter();
    PacketCodec.writeHeader(packet, PacketType.DATA, bob.session.remoteIndex, counter);
    int sealed = bob.channel.seal(counter, packet, PacketCodec.HEADER_SIZE, body, 0, body.length);
    assertEquals(packet.length, PacketCodec.HEADER_SIZE + sealed);
    return Buffer.buffer(packet);
  }
}
