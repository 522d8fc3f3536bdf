package io.p2pchat.wire.frame;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class FrameCodecTest {

  private static final HexFormat HEX = HexFormat.of();

  static Stream<Arguments> golden() {
    return Stream.of(
        Arguments.of("msg single fragment", new MsgFrame(7, 0, 1, "hi".getBytes(StandardCharsets.UTF_8)),
            "01" + "00000007" + "0000" + "0001" + "0002" + "6869"),
        Arguments.of("msg empty last fragment", new MsgFrame(0xFFFF_FFFFL, 2, 3, new byte[0]),
            "01" + "ffffffff" + "0002" + "0003" + "0000"),
        Arguments.of("ack no ranges", new AckFrame(5, 0, List.of()),
            "02" + "00000005" + "00000000" + "00"),
        Arguments.of("ack two ranges", new AckFrame(10, 250, List.of(new SeqRange(12, 14), new SeqRange(20, 21))),
            "02" + "0000000a" + "000000fa" + "02" + "0000000c" + "0000000e" + "00000014" + "00000015"),
        Arguments.of("ack range across the u32 wrap", new AckFrame(0xFFFF_FFFEL, 1, List.of(new SeqRange(0xFFFF_FFFFL, 2))),
            "02" + "fffffffe" + "00000001" + "01" + "ffffffff" + "00000002"),
        Arguments.of("ping", new PingFrame(0x0102030405060708L), "03" + "0102030405060708"),
        Arguments.of("pong", new PongFrame(-1L), "04" + "ffffffffffffffff"),
        Arguments.of("bye", ByeFrame.INSTANCE, "05"),
        Arguments.of("forget", new ForgetFrame(300), "06" + "0000012c"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("golden")
  void goldenHex(String name, Frame frame, String hex) throws FrameException {
    Buffer out = Buffer.buffer();
    FrameCodec.encode(out, frame);
    assertEquals(hex, HEX.formatHex(out.getBytes()), name);
    assertEquals(FrameCodec.encodedSize(frame), out.length(), name + " encodedSize");
    assertEquals(List.of(frame), FrameCodec.decodeAll(Buffer.buffer(HEX.parseHex(hex))), name);
  }

  @Test
  void packetOfManyFramesRoundTripsAndPaddingEndsIt() throws FrameException {
    List<Frame> frames = new ArrayList<>();
    frames.add(new AckFrame(100, 42, List.of(new SeqRange(102, 110))));
    for (int i = 0; i < 10; i++) {
      frames.add(new MsgFrame(200 + i, 0, 1, new byte[100]));
    }
    frames.add(new PingFrame(9));
    Buffer out = Buffer.buffer();
    frames.forEach(f -> FrameCodec.encode(out, f));
    out.appendBytes(HEX.parseHex("00ffffff01"));
    assertEquals(frames, FrameCodec.decodeAll(out));
  }

  @Test
  void bufferSinkWritesLikeEncode() throws FrameException {
    Buffer out = Buffer.buffer();
    BufferFrameSink sink = new BufferFrameSink(out, 100);
    byte[] src = "abcdef".getBytes(StandardCharsets.UTF_8);
    sink.addMsg(3, 1, 2, src, 2, 3);
    assertEquals(100 - FrameCodec.MSG_HEADER_BYTES - 3, sink.remaining());
    assertEquals(List.of(new MsgFrame(3, 1, 2, "cde".getBytes(StandardCharsets.UTF_8))), FrameCodec.decodeAll(out));
  }

  static Stream<Arguments> malformed() {
    return Stream.of(
        Arguments.of("truncated msg header", "01000000"),
        Arguments.of("msg length beyond the bytes present", "01" + "00000001" + "0000" + "0001" + "0005" + "6869"),
        Arguments.of("fragIndex == fragCount", "01" + "00000001" + "0001" + "0001" + "0000"),
        Arguments.of("fragCount zero", "01" + "00000001" + "0000" + "0000" + "0000"),
        Arguments.of("unknown type", "07"),
        Arguments.of("unknown type after a good frame", "05" + "ee"),
        Arguments.of("truncated ack", "02" + "00000001" + "0000"),
        Arguments.of("ack ranges missing", "02" + "00000001" + "00000000" + "01" + "00000003"),
        Arguments.of("ack range starting at cumulative", "02" + "00000005" + "00000000" + "01" + "00000005" + "00000006"),
        Arguments.of("ack range empty", "02" + "00000005" + "00000000" + "01" + "00000007" + "00000007"),
        Arguments.of("ack ranges overlapping", "02" + "00000001" + "00000000" + "02" + "00000003" + "00000006" + "00000005" + "00000008"),
        Arguments.of("ack ranges adjacent", "02" + "00000001" + "00000000" + "02" + "00000003" + "00000006" + "00000006" + "00000008"),
        Arguments.of("ack ranges descending", "02" + "00000001" + "00000000" + "02" + "00000009" + "0000000a" + "00000003" + "00000004"),
        Arguments.of("ack range below cumulative", "02" + "00000010" + "00000000" + "01" + "00000003" + "00000004"),
        Arguments.of("ack range count above cap", "02" + "00000001" + "00000000" + "21"),
        Arguments.of("truncated ping", "03" + "01020304"),
        Arguments.of("truncated forget", "06" + "0001"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("malformed")
  void malformedIsRejected(String name, String hex) {
    assertThrows(FrameException.class, () -> FrameCodec.decodeAll(Buffer.buffer(HEX.parseHex(hex))), name);
  }

  @Test
  void encodeRefusesBadAck() {
    assertThrows(IllegalArgumentException.class,
        () -> FrameCodec.encode(Buffer.buffer(), new AckFrame(1, 0, List.of(new SeqRange(4, 6), new SeqRange(5, 9)))));
    List<SeqRange> tooMany = new ArrayList<>();
    for (int i = 0; i <= FrameCodec.MAX_ACK_RANGES; i++) {
      tooMany.add(new SeqRange(2 + 2L * i, 3 + 2L * i));
    }
    assertThrows(IllegalArgumentException.class, () -> FrameCodec.encode(Buffer.buffer(), new AckFrame(0, 0, tooMany)));
  }

  @Test
  void randomBytesThrowNothingButFrameException() {
    long seed = 0x5EED_F4A3L;
    Random random = new Random(seed);
    List<byte[]> seeds = new ArrayList<>();
    for (Arguments a : golden().toList()) {
      seeds.add(HEX.parseHex((String) a.get()[2]));
    }
    int ok = 0;
    int rejected = 0;
    for (int i = 0; i < 200_000; i++) {
      byte[] bytes;
      if (random.nextBoolean()) {
        bytes = new byte[random.nextInt(48)];
        random.nextBytes(bytes);
        if (bytes.length > 0) {
          bytes[0] = (byte) random.nextInt(8); // mostly known types, so parsing goes deep
        }
      } else { // a valid frame with a few bytes flipped or cut
        byte[] base = seeds.get(random.nextInt(seeds.size()));
        bytes = java.util.Arrays.copyOf(base, Math.max(0, base.length + random.nextInt(5) - 3));
        for (int k = random.nextInt(3); k >= 0 && bytes.length > 0; k--) {
          bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
        }
      }
      try {
        FrameCodec.decodeAll(Buffer.buffer(bytes));
        ok++;
      } catch (FrameException e) {
        rejected++;
      } catch (RuntimeException e) {
        fail("seed " + seed + " iteration " + i + " input " + HEX.formatHex(bytes) + " threw " + e, e);
      }
    }
    System.out.println("random frames, seed " + seed + ": parsed " + ok + ", rejected " + rejected);
  }
}
