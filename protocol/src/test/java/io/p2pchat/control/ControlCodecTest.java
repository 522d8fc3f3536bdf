package io.p2pchat.control;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.p2pchat.wire.DatagramKind;
import io.vertx.core.buffer.Buffer;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Golden bytes, malformed inputs and seeded random inputs for {@link ControlCodec}. */
class ControlCodecTest {
  private static final HexFormat HEX = HexFormat.of();
  private static final long SEED = 0xC0_57_201L;
  private static final int ROUNDS = 100_000;

  private static byte[] filled(int n, int value) {
    byte[] b = new byte[n];
    java.util.Arrays.fill(b, (byte) value);
    return b;
  }

  @Test
  void goldenBytes() throws Exception {
    byte[] hello = ControlCodec.hello(filled(16, 0x11));
    assertEquals("d8010100" + "11".repeat(16) + "00".repeat(48), HEX.formatHex(hello));
    byte[] cookie = ControlCodec.cookie(filled(16, 0x11), filled(16, 0x22), filled(32, 0x33));
    assertEquals("d8020100" + "11".repeat(16) + "22".repeat(16) + "33".repeat(32), HEX.formatHex(cookie));
    byte[] init = ControlCodec.initiation(filled(16, 0x11), filled(16, 0x22), 0x01020304, filled(96, 0x44));
    assertEquals("d8030100" + "11".repeat(16) + "22".repeat(16) + "01020304" + "44".repeat(96), HEX.formatHex(init));
    byte[] resp = ControlCodec.response(0x01020304, 0x0a0b0c0d, filled(48, 0x55));
    assertEquals("d8040100" + "01020304" + "0a0b0c0d" + "55".repeat(48), HEX.formatHex(resp));
    byte[] sealed = ControlCodec.sealedFrame(0x01020304, 0x0102030405060708L, 0);
    assertEquals("d8050100" + "01020304" + "0102030405060708" + "00".repeat(16), HEX.formatHex(sealed));

    var h = assertInstanceOf(ControlMessage.Hello.class, ControlCodec.decode(hello));
    assertArrayEquals(filled(16, 0x11), h.nonce());
    var c = assertInstanceOf(ControlMessage.CookieReply.class, ControlCodec.decode(cookie));
    assertArrayEquals(filled(32, 0x33), c.serverKey());
    var i = assertInstanceOf(ControlMessage.Initiation.class, ControlCodec.decode(init));
    assertEquals(0x01020304, i.senderIndex());
    assertEquals(96, i.noise().length);
    var r = assertInstanceOf(ControlMessage.Response.class, ControlCodec.decode(resp));
    assertEquals(0x0a0b0c0d, r.senderIndex());
    var s = assertInstanceOf(ControlMessage.Sealed.class, ControlCodec.decode(sealed));
    assertEquals(0x0102030405060708L, s.counter());
  }

  @Test
  void sizesKeepEveryAnswerWithinItsRequest() {
    assertEquals(68, ControlCodec.HELLO_SIZE);
    assertEquals(68, ControlCodec.COOKIE_SIZE);
    assertEquals(136, ControlCodec.INITIATION_FIXED + ControlCodec.MIN_NOISE_1);
    // The real initiation: 40 fixed + IK message 1 with a 105-byte payload (32 + 48 + 105 + 16).
    assertEquals(241, ControlCodec.INITIATION_FIXED + 32 + 48 + InitiationPayload.LENGTH + 16);
    assertEquals(60, ControlCodec.RESPONSE_FIXED + ControlCodec.MIN_NOISE_2);
    assertEquals(1168, ControlCodec.MAX_PLAINTEXT);
    // A reset answers a SEALED datagram of 32 bytes at least: 4 + 4 + 16.
    assertEquals(24, ControlCodec.RESET_SIZE);
    assertTrue(ControlCodec.RESET_SIZE < ControlCodec.SEALED_HEADER_SIZE + 16);
  }

  @Test
  void theMagicCollidesWithNoOtherDatagramKind() {
    byte[] hello = ControlCodec.hello(new byte[16]);
    assertEquals(DatagramKind.CONTROL, DatagramKind.of(Buffer.buffer(hello)), "the sockets' first classification");
    assertEquals(ControlCodec.MAGIC, DatagramKind.CONTROL_MAGIC);
    assertTrue(ControlCodec.isControl(hello, hello.length));
    assertFalse(ControlCodec.isControl(new byte[] {(byte) 0xD7}, 1));
    assertFalse(ControlCodec.isControl(new byte[0], 0));
  }

  @Test
  void malformedInputsAreRefusedWithTheirReason() {
    byte[] hello = ControlCodec.hello(new byte[16]);
    record Case(String name, byte[] bytes, ControlDrop drop) {
    }
    List<Case> cases = List.of(
        new Case("empty", new byte[0], ControlDrop.TRUNCATED),
        new Case("header only", HEX.parseHex("d8010100"), ControlDrop.TRUNCATED),
        new Case("short hello", java.util.Arrays.copyOf(hello, 67), ControlDrop.TRUNCATED),
        new Case("oversized", new byte[ControlCodec.MAX_DATAGRAM + 1], ControlDrop.OVERSIZED),
        new Case("other magic", HEX.parseHex("d7010100" + "00".repeat(64)), ControlDrop.UNKNOWN_TYPE),
        new Case("version 2", HEX.parseHex("d8010200" + "00".repeat(64)), ControlDrop.BAD_VERSION),
        new Case("reserved set", HEX.parseHex("d8010101" + "00".repeat(64)), ControlDrop.MALFORMED),
        new Case("type 0", HEX.parseHex("d8000100" + "00".repeat(64)), ControlDrop.UNKNOWN_TYPE),
        new Case("type 9", HEX.parseHex("d8090100" + "00".repeat(64)), ControlDrop.UNKNOWN_TYPE),
        new Case("short resume", HEX.parseHex("d8070100" + "00".repeat(192)), ControlDrop.TRUNCATED),
        new Case("long resume", HEX.parseHex("d8070100" + "00".repeat(194)), ControlDrop.MALFORMED),
        new Case("short resumed", HEX.parseHex("d8080100" + "00".repeat(192)), ControlDrop.TRUNCATED),
        new Case("short reset", HEX.parseHex("d8060100" + "00".repeat(19)), ControlDrop.TRUNCATED),
        new Case("short cookie", HEX.parseHex("d8020100" + "00".repeat(63)), ControlDrop.TRUNCATED),
        new Case("short initiation", HEX.parseHex("d8030100" + "00".repeat(131)), ControlDrop.TRUNCATED),
        new Case("short response", HEX.parseHex("d8040100" + "00".repeat(55)), ControlDrop.TRUNCATED),
        new Case("sealed without tag", HEX.parseHex("d8050100" + "00".repeat(27)), ControlDrop.TRUNCATED));
    for (Case c : cases) {
      ControlException e = assertThrows(ControlException.class, () -> ControlCodec.decode(c.bytes()), c.name());
      assertEquals(c.drop(), e.drop(), c.name());
    }
    assertThrows(IllegalArgumentException.class, () -> ControlCodec.hello(new byte[15]));
    assertThrows(IllegalArgumentException.class, () -> ControlCodec.sealedFrame(1, 1, ControlCodec.MAX_PLAINTEXT + 1));
  }

  @Test
  void randomAndMutatedBytesOnlyEverRaiseControlException() {
    Random random = new Random(SEED);
    List<byte[]> seeds = List.of(ControlCodec.hello(new byte[16]), ControlCodec.cookie(new byte[16], new byte[16],
        new byte[32]), ControlCodec.initiation(new byte[16], new byte[16], 7, new byte[201]),
        ControlCodec.response(1, 2, new byte[48]), ControlCodec.sealedFrame(1, 2, 30),
        ControlCodec.reset(3, new byte[ResetTokens.LENGTH]));
    for (int round = 0; round < ROUNDS; round++) {
      byte[] bytes;
      if (round % 2 == 0) {
        bytes = new byte[random.nextInt(round % 10 == 0 ? 1300 : 300)];
        random.nextBytes(bytes);
        if (bytes.length > 0 && random.nextBoolean()) {
          bytes[0] = ControlCodec.MAGIC;
        }
      } else {
        bytes = seeds.get(random.nextInt(seeds.size())).clone();
        for (int m = 0; m < 1 + random.nextInt(4) && bytes.length > 0; m++) {
          switch (random.nextInt(3)) {
            case 0 -> bytes[random.nextInt(bytes.length)] ^= (byte) (1 << random.nextInt(8));
            case 1 -> bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
            default -> bytes = java.util.Arrays.copyOf(bytes, random.nextInt(bytes.length + 8));
          }
        }
      }
      try {
        ControlCodec.decode(bytes);
        InitiationPayload.decode(bytes);
      } catch (ControlException expected) {
        // refused with a reason: what the socket owner counts
      } catch (RuntimeException e) {
        throw new AssertionError("round " + round + " (seed " + SEED + "): " + HEX.formatHex(bytes), e);
      }
    }
  }
}
