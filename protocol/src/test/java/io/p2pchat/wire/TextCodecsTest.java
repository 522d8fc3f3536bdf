package io.p2pchat.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Issue 3, test 10: plain-text commands, chat payloads and endpoints. */
class TextCodecsTest {

  private static final HexFormat HEX = HexFormat.of();

  static Stream<Arguments> goodCommands() {
    return Stream.of(
      Arguments.of("punch", new PlainCommand(PlainCommand.Verb.PUNCH, 0)),
      Arguments.of("PUNCH\n", new PlainCommand(PlainCommand.Verb.PUNCH, 0)),
      Arguments.of("list", new PlainCommand(PlainCommand.Verb.LIST, 1)),
      Arguments.of("list 3\r\n", new PlainCommand(PlainCommand.Verb.LIST, 3)),
      Arguments.of("list 2" + " ".repeat(1000), new PlainCommand(PlainCommand.Verb.LIST, 2)),
      Arguments.of("peer 7", new PlainCommand(PlainCommand.Verb.PEER, 7)),
      Arguments.of("peer\t1000000", new PlainCommand(PlainCommand.Verb.PEER, 1_000_000)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("goodCommands")
  void plainCommandsParse(String text, PlainCommand expected) throws WireException {
    assertEquals(expected, PlainCommand.parse(Buffer.buffer(text)));
  }

  static Stream<Arguments> badCommands() {
    return Stream.of(
      Arguments.of("dance", DropReason.UNKNOWN_TYPE),
      Arguments.of("punch now", DropReason.MALFORMED),
      Arguments.of("peer", DropReason.MALFORMED),
      Arguments.of("peer 0", DropReason.MALFORMED),
      Arguments.of("peer -1", DropReason.MALFORMED),
      Arguments.of("peer 1000001", DropReason.MALFORMED),
      Arguments.of("peer 99999999999999999999", DropReason.MALFORMED),
      Arguments.of("peer abc", DropReason.MALFORMED),
      Arguments.of("list 1 2", DropReason.MALFORMED),
      Arguments.of("list " + " ".repeat(PlainCommand.MAX_LENGTH), DropReason.OVERSIZED));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badCommands")
  void plainCommandRefusals(String text, DropReason reason) {
    assertEquals(reason, assertThrows(WireException.class, () -> PlainCommand.parse(Buffer.buffer(text))).reason());
  }

  @Test
  void chatPayloadGoldenAndRoundTrip() throws WireException {
    ChatPayload room = new ChatPayload(false, 0x0102030405060708L, "ab-1", "hé");
    assertEquals("00" + "0102030405060708" + "04" + "61622d31" + "68c3a9", HEX.formatHex(room.encode()));
    assertEquals(room, ChatPayload.decode(room.encode()));
    ChatPayload direct = new ChatPayload(true, 1_700_000_000_000L, "x", "");
    assertEquals(direct, ChatPayload.decode(direct.encode()));
    // Every bit of ts, high bytes with their sign bit set: written and read big-endian, unsigned byte by byte.
    ChatPayload late = new ChatPayload(true, 0xF1E2D3C4B5A69788L, "id", "x");
    assertEquals("01" + "f1e2d3c4b5a69788" + "02" + "6964" + "78", HEX.formatHex(late.encode()));
    assertEquals(late, ChatPayload.decode(late.encode()));
    ChatPayload big = new ChatPayload(false, 1, "id", "😀".repeat(ChatPayload.MAX_TEXT_BYTES / 4));
    assertEquals(big, ChatPayload.decode(big.encode()));
  }

  /** The ASCII path writes the very bytes the UTF-8 path does, and refuses a text that is not ASCII. */
  @Test
  void chatPayloadAsciiEncodesAsUtf8Does() {
    String[] texts = {"", "x", "T12 " + "x".repeat(96), "\u0000\u007f~", "x".repeat(ChatPayload.MAX_TEXT_BYTES)};
    for (String text : texts) {
      assertTrue(ChatPayload.isAscii(text));
      for (String id : new String[] {"ab-1", "h\u00e9", "i".repeat(ChatPayload.MAX_ID)}) {
        assertEquals(HEX.formatHex(ChatPayload.encode(true, -2, id, text.getBytes(java.nio.charset.StandardCharsets.UTF_8))),
          HEX.formatHex(ChatPayload.encodeAscii(true, -2, id, text)), "text of " + text.length() + ", id " + id);
      }
    }
    assertEquals("00" + "0102030405060708" + "04" + "61622d31" + "6869",
      HEX.formatHex(new ChatPayload(false, 0x0102030405060708L, "ab-1", "hi").encode()));
    assertTrue(!ChatPayload.isAscii("h\u00e9") && !ChatPayload.isAscii("\u0080"));
    assertThrows(IllegalArgumentException.class, () -> ChatPayload.encodeAscii(false, 1, "id", "h\u00e9"));
    assertThrows(IllegalArgumentException.class, () -> ChatPayload.encodeAscii(false, 1, "i".repeat(ChatPayload.MAX_ID + 1), "x"));
  }

  /** A sender that measures first (ChatVerticle) gets the length and the bytes encode() makes, ASCII or not. */
  @Test
  void chatPayloadMeasuredThenEncodedIsWhatEncodeMakes() {
    for (String text : new String[] {"hi", "h\u00e9", "\ud83d\ude00 x", "x".repeat(ChatPayload.MAX_TEXT_BYTES)}) {
      byte[] utf8 = ChatPayload.utf8UnlessAscii(text);
      assertEquals(ChatPayload.isAscii(text), utf8 == null, text);
      assertEquals(text.getBytes(java.nio.charset.StandardCharsets.UTF_8).length, ChatPayload.utf8Length(text, utf8));
      assertEquals(HEX.formatHex(new ChatPayload(true, 7, "ab-1", text).encode()),
        HEX.formatHex(ChatPayload.encode(true, 7, "ab-1", text, utf8)));
    }
  }

  /**
   * A peer's message id is checked on the way in (front ends key messages by sender and id, logs
   * show it): empty, longer than ours can be, or with characters ours never have is refused.
   */
  @Test
  void chatPayloadIdsAreCheckedOnTheWayIn() throws WireException {
    String ts = "0000000000000001";
    for (String badId : new String[] {"", "a b", "a\n", "<img>", "x".repeat(ChatPayload.MAX_ID + 1)}) {
      byte[] id = badId.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
      byte[] payload = HEX.parseHex("00" + ts + String.format("%02x", id.length) + HEX.formatHex(id) + "6869");
      assertEquals(DropReason.MALFORMED, assertThrows(WireException.class, () -> ChatPayload.decode(payload)).reason(),
        "id '" + badId + "'");
    }
    String longest = "a1-._Z".repeat(ChatPayload.MAX_ID / 6) + "x".repeat(ChatPayload.MAX_ID % 6);
    assertEquals(longest, ChatPayload.decode(new ChatPayload(false, 1, longest, "hi").encode()).id());
  }

  @Test
  void chatPayloadRefusals() {
    byte[] invalidUtf8 = HEX.parseHex("00" + "0000000000000001" + "01" + "61" + "c328");
    assertEquals(DropReason.MALFORMED, assertThrows(WireException.class, () -> ChatPayload.decode(invalidUtf8)).reason());
    byte[] lone = HEX.parseHex("00" + "0000000000000001" + "01" + "61" + "eda080"); // a UTF-16 surrogate encoded in UTF-8
    assertEquals(DropReason.MALFORMED, assertThrows(WireException.class, () -> ChatPayload.decode(lone)).reason());
    assertEquals(DropReason.TRUNCATED, assertThrows(WireException.class,
      () -> ChatPayload.decode(HEX.parseHex("00" + "0000000000000001" + "05" + "6162"))).reason(), "id longer than what is left");
    assertEquals(DropReason.TRUNCATED, assertThrows(WireException.class,
      () -> ChatPayload.decode(new byte[9])).reason());
    assertEquals(DropReason.MALFORMED, assertThrows(WireException.class,
      () -> ChatPayload.decode(HEX.parseHex("02" + "0000000000000001" + "00"))).reason());
    assertThrows(IllegalArgumentException.class, () -> new ChatPayload(false, 1, "i".repeat(256), "x").encode());
  }

  @Test
  void endpointsParseAndPrint() throws WireException {
    assertEquals(new Endpoint("203.0.113.7", 4000), Endpoint.parse("203.0.113.7:4000"));
    assertEquals(new Endpoint("2001:db8::1", 4000), Endpoint.parse("[2001:db8::1]:4000"));
    assertEquals("[2001:db8::1]:4000", Endpoint.parse("[2001:db8::1]:4000").toString());
    assertEquals("203.0.113.7:0", new Endpoint("203.0.113.7", 0).toString());
    assertEquals(new Endpoint("::ffff:10.0.0.1", 65535), Endpoint.parse("[::ffff:10.0.0.1]:65535"));
    assertTrue(Endpoint.parse("192.168.1.2:1").isPrivate());
    assertTrue(Endpoint.parse("172.31.0.1:1").isPrivate());
    assertTrue(!Endpoint.parse("172.32.0.1:1").isPrivate());
    assertTrue(Endpoint.parse("[fd00::1]:1").isPrivate());
    assertTrue(!Endpoint.parse("8.8.8.8:53").isPrivate());
    assertThrows(IllegalArgumentException.class, () -> new Endpoint("1.2.3.4", 65536));
  }

  /**
   * One IPv6 address is one endpoint however it is spelled: a socket reports {@code 0:0:0:0:0:0:0:1%0}
   * where a config says {@code ::1}, and a dual-stack socket may report an IPv4 sender as
   * {@code ::ffff:a.b.c.d}. Without the canonical form the rendezvous's own address from a config never
   * equals the source of its answers, and every control datagram from it is dropped.
   */
  @Test
  void ipv6EndpointsHaveOneSpellingAndMappedOnesAreIpv4() throws WireException {
    assertEquals(new Endpoint("::1", 7000), new Endpoint("0:0:0:0:0:0:0:1%0", 7000));
    assertEquals("[::1]:7000", new Endpoint("0:0:0:0:0:0:0:1", 7000).toString());
    assertEquals(new Endpoint("2001:db8::1", 1), new Endpoint("2001:DB8:0:0:0:0:0:1", 1));
    assertEquals("[2001:db8::1:0:0:1]:1", new Endpoint("2001:db8:0:0:1:0:0:1", 1).toString(), "RFC 5952: first longest run");
    assertEquals(new Endpoint("192.0.2.1", 4000), new Endpoint("::ffff:192.0.2.1", 4000));
    assertEquals(new Endpoint("192.0.2.1", 4000), Endpoint.parse("[::ffff:c000:201]:4000"));
    assertTrue(!new Endpoint("::ffff:192.0.2.1", 4000).isIpv6());
    assertTrue(new Endpoint("::1", 1).isIpv6());
    assertEquals("fe80::1%eth0", new Endpoint("fe80:0:0:0:0:0:0:1%eth0", 1).host(), "a link-local zone is kept");
    assertEquals("2001:db8::1", new Endpoint("2001:db8::1%3", 1).host(), "a zone on a global address means nothing");
    assertEquals("2001:db8:1:2::/64", new Endpoint("2001:db8:1:2:aaaa:bbbb:cccc:dddd", 1).network(), "limits count a /64");
    assertEquals("203.0.113.7", new Endpoint("203.0.113.7", 1).network(), "and an IPv4 address");
  }

  /**
   * An IPv4 endpoint is held as its 32 bits (issue 18: ~56 bytes less a registration), and that is invisible:
   * the text it gives back is the text it was given, it equals the same address however made, a host that is
   * not canonical dotted text keeps its text, and per-host keys keep the families apart.
   */
  @Test
  void ipv4EndpointsHeldAsBitsGiveBackTheirTextAndEqualEveryOtherFormOfTheAddress() throws Exception {
    for (String host : new String[] {"0.0.0.0", "203.0.113.7", "255.255.255.255", "10.0.0.1", "127.1.2.3"}) {
      Endpoint e = new Endpoint(host, 4000);
      assertEquals(host, e.host());
      assertEquals(host + ":4000", e.toString());
      assertEquals(e, Endpoint.parse(host + ":4000"));
      assertEquals(e.hashCode(), Endpoint.parse(host + ":4000").hashCode());
      assertEquals(new java.net.InetSocketAddress(host, 4000), e.toInetSocketAddress());
      assertEquals(e, Endpoint.of(io.vertx.core.net.SocketAddress.inetSocketAddress(4000, host)));
      assertTrue(!e.isIpv6());
    }
    assertEquals(new Endpoint("203.0.113.7", 1), Endpoint.ipv4(0xcb00_7107, 1));
    assertTrue(!new Endpoint("203.0.113.7", 1).equals(new Endpoint("203.0.113.7", 2)));
    assertTrue(!new Endpoint("203.0.113.7", 1).equals(new Endpoint("203.0.113.8", 1)));
    for (String odd : new String[] {"01.2.3.4", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1..2.3", "host", "1.2.3.4 "}) {
      assertEquals(odd, new Endpoint(odd, 1).host(), "a host that is not canonical dotted IPv4 keeps its text");
    }
    assertEquals(new Endpoint("203.0.113.7", 1).networkKey(), new Endpoint("203.0.113.7", 9).networkKey(), "per ip");
    assertTrue(new Endpoint("203.0.113.7", 1).networkKey() != new Endpoint("203.0.113.8", 1).networkKey());
    assertEquals(new Endpoint("2001:db8:1:2::1", 1).networkKey(), new Endpoint("2001:db8:1:2:ffff::9", 2).networkKey(),
      "an IPv6 /64 is one host");
    assertTrue(new Endpoint("2001:db8:1:3::1", 1).networkKey() != new Endpoint("2001:db8:1:2::1", 1).networkKey());
    assertTrue(new Endpoint("0.0.0.1", 1).networkKey() != new Endpoint("::1", 1).networkKey());
  }

  /** Never a name to resolve, never a half-address: an introduction must not make a client look anything up. */
  @ParameterizedTest
  @ValueSource(strings = {"", "1.2.3.4", ":80", "1.2.3.4:", "1.2.3.4:x", "1.2.3.4:65536", "1.2.3.4:-1", "1.2.3.4:+80",
    "example.com:80", "localhost:80", "cafe:80", "dead.beef:80", "999.1.1.1:80", "1.2.3:80", "1.2.3.4.5:80",
    "[1.2.3.4:80", "[]:80", "1.2.3.4 :80", "01234567890123456789012345678901234567890123456789012345678901234:1"})
  void badEndpoints(String text) {
    assertEquals(DropReason.MALFORMED, assertThrows(WireException.class, () -> Endpoint.parse(text)).reason(), text);
  }

  @Test
  void utf8OfTheTestSourceIsIntact() {
    assertArrayEquals(new byte[] {(byte) 0xc3, (byte) 0xa9}, "é".getBytes(StandardCharsets.UTF_8));
  }
}
