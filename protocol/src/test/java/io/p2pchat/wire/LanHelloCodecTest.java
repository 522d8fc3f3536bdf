package io.p2pchat.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.p2pchat.crypto.LanHello;
import io.p2pchat.crypto.NodeIdentity;
import io.p2pchat.crypto.RoomId;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

/** Issue 19: the LAN hello opens only for its recipient in its room, and both sides derive one introduction. */
class LanHelloCodecTest {

  private final NodeIdentity alice = NodeIdentity.generate();
  private final NodeIdentity bob = NodeIdentity.generate();
  private final byte[] lobby = RoomId.of("lobby", null).prologue();
  private final LanHello aliceKeys = new LanHello(alice, lobby);
  private final LanHello bobKeys = new LanHello(bob, lobby);

  @Test
  void opensForItsRecipientWithTheSendersNickAndKey() throws Exception {
    Buffer hello = LanHelloCodec.encode(aliceKeys, bob.staticPublicKey(), "alice", "0123abcd", 42);
    LanHelloCodec.Hello opened = LanHelloCodec.decode(bobKeys, hello);
    assertEquals("alice", opened.nick());
    assertEquals("0123abcd", opened.instance());
    assertArrayEquals(alice.staticPublicKey(), opened.senderStatic());
    assertEquals(PacketType.LAN_HELLO, PacketCodec.decodeHeader(hello).type());
  }

  @Test
  void bothSidesDeriveTheSameIntroductionAndAnotherRoomAnother() throws Exception {
    LanHello.Introduction ab = aliceKeys.introduction(bob.staticPublicKey());
    LanHello.Introduction ba = bobKeys.introduction(alice.staticPublicKey());
    assertEquals(ab.introId(), ba.introId());
    assertArrayEquals(ab.probeSecret(), ba.probeSecret());
    LanHello.Introduction other = new LanHello(alice, RoomId.of("lobby", "s3cret").prologue())
      .introduction(bob.staticPublicKey());
    assertNotEquals(ab.introId(), other.introId());
  }

  @Test
  void doesNotOpenInAnotherRoomForAnotherKeyOrAltered() throws Exception {
    Buffer hello = LanHelloCodec.encode(aliceKeys, bob.staticPublicKey(), "alice", "0123abcd", 7);
    LanHello bobInPrivateRoom = new LanHello(bob, RoomId.of("lobby", "s3cret").prologue());
    assertReason(DropReason.UNAUTHENTICATED, bobInPrivateRoom, hello);
    assertReason(DropReason.UNAUTHENTICATED, new LanHello(NodeIdentity.generate(), lobby), hello);
    for (int i = 0; i < hello.length(); i++) {
      Buffer altered = hello.copy();
      altered.setByte(i, (byte) (altered.getByte(i) ^ 1));
      assertThrows(WireException.class, () -> LanHelloCodec.decode(bobKeys, altered), "byte " + i);
    }
  }

  @Test
  void refusesShortAndOversizedHellos() throws Exception {
    Buffer hello = LanHelloCodec.encode(aliceKeys, bob.staticPublicKey(), "", "", 1);
    assertEquals(LanHelloCodec.MIN_LENGTH, hello.length());
    assertReason(DropReason.TRUNCATED, bobKeys, hello.getBuffer(0, hello.length() - 1));
    assertReason(DropReason.OVERSIZED, bobKeys, Buffer.buffer(new byte[PacketCodec.MAX_DATAGRAM + 1]));
  }

  private static void assertReason(DropReason reason, LanHello keys, Buffer packet) {
    WireException e = assertThrows(WireException.class, () -> LanHelloCodec.decode(keys, packet));
    assertEquals(reason, e.reason(), e.getMessage());
  }
}
