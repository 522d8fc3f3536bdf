package io.p2pchat.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.util.Arrays;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/** Issue 3, test 10: golden hex and round trips of the packet header, probes, relay and control packets. */
class PacketCodecsTest {

  private static final HexFormat HEX = HexFormat.of();
  private static final byte[] SECRET = HEX.parseHex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");

  private static WireException refused(DropReason reason, org.junit.jupiter.api.function.Executable call) {
    WireException e = assertThrows(WireException.class, call);
    assertEquals(reason, e.reason(), e.getMessage());
    return e;
  }

  /** IPv6's minimum link MTU (RFC 8200 5): every IPv6 path carries a packet this long, and no router fragments. */
  private static final int IPV6_MIN_MTU = 1280;
  private static final int IPV6_HEADER = 40;
  private static final int UDP_HEADER = 8;

  /** The 1200-byte budget holds on IPv6: 1200 + 40 + 8 = 1248 <= 1280, whatever else changes. */
  @Test
  void theDatagramBudgetFitsIpv6sMinimumMtu() {
    assertEquals(1248, PacketCodec.MAX_DATAGRAM + IPV6_HEADER + UDP_HEADER);
    org.junit.jupiter.api.Assertions.assertTrue(PacketCodec.MAX_DATAGRAM + IPV6_HEADER + UDP_HEADER <= IPV6_MIN_MTU);
    org.junit.jupiter.api.Assertions.assertTrue(io.p2pchat.control.ControlCodec.MAX_DATAGRAM <= PacketCodec.MAX_DATAGRAM);
  }

  @Test
  void headerGoldenHex() throws WireException {
    Buffer header = PacketCodec.header(PacketType.DATA, 0x01020304, 0x1122334455667788L);
    assertEquals("d7" + "04" + "01" + "00" + "01020304" + "1122334455667788", HEX.formatHex(header.getBytes()));
    assertEquals(new PacketHeader(PacketType.DATA, 0x01020304, 0x1122334455667788L), PacketCodec.decodeHeader(header));
    // Trailing bytes a later version may add are ignored by the header parser.
    assertEquals(new PacketHeader(PacketType.CONTROL, -1, -1L),
      PacketCodec.decodeHeader(Buffer.buffer(HEX.parseHex("d7010100" + "ffffffff" + "ffffffffffffffff" + "c0ffee"))));
    assertEquals(1176, PacketCodec.MAX_PEER_PACKET, "a relay frame of a full peer packet is exactly 1200 bytes");
    assertEquals(DatagramKind.PACKET, DatagramKind.of(header));
  }

  @Test
  void headerRefusals() {
    refused(DropReason.TRUNCATED, () -> PacketCodec.decodeHeader(Buffer.buffer(HEX.parseHex("d701010000000000000000000000"))));
    refused(DropReason.OVERSIZED, () -> PacketCodec.decodeHeader(PacketCodec.header(PacketType.DATA, 1, 1)
      .appendBytes(new byte[PacketCodec.MAX_DATAGRAM - 15])));
    refused(DropReason.BAD_VERSION, () -> PacketCodec.decodeHeader(Buffer.buffer(HEX.parseHex("d7010200" + "00".repeat(12)))));
    refused(DropReason.UNKNOWN_TYPE, () -> PacketCodec.decodeHeader(Buffer.buffer(HEX.parseHex("d7000100" + "00".repeat(12)))));
    refused(DropReason.UNKNOWN_TYPE, () -> PacketCodec.decodeHeader(Buffer.buffer(HEX.parseHex("d7070100" + "00".repeat(12)))));
    refused(DropReason.UNKNOWN_KIND, () -> PacketCodec.decodeHeader(Buffer.buffer(HEX.parseHex("d8010100" + "00".repeat(12)))));
  }

  @Test
  void datagramKinds() {
    assertEquals(DatagramKind.UNKNOWN, DatagramKind.of(Buffer.buffer()));
    assertEquals(DatagramKind.PLAIN, DatagramKind.of(Buffer.buffer("punch")));
    assertEquals(DatagramKind.PLAIN, DatagramKind.of(Buffer.buffer("List 2")));
    assertEquals(DatagramKind.UNKNOWN, DatagramKind.of(Buffer.buffer("1punch")));
    assertEquals(DatagramKind.STUN, DatagramKind.of(StunCodec.bindingRequest(new byte[12])));
    // A STUN-looking start without the magic cookie is nothing we speak.
    assertEquals(DatagramKind.UNKNOWN, DatagramKind.of(Buffer.buffer(new byte[20])));
    assertEquals(DatagramKind.UNKNOWN, DatagramKind.of(Buffer.buffer(new byte[] {(byte) 0x80})));
  }

  /** The MAC recomputed here with the JDK, independently of ProbeMac. */
  private static byte[] hmac16(byte[] data) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(SECRET, "HmacSHA256"));
    return Arrays.copyOf(mac.doFinal(data), 16);
  }

  @Test
  void punchGoldenHexAndRoundTrip() throws Exception {
    Probe punch = new Probe(Probe.Kind.PUNCH, 0x0102030405060708L, 0x1112131415161718L, 0x21222324, null);
    Buffer packet = ProbeCodec.encode(punch, 9, SECRET);
    String body = "d7020100" + "00000000" + "0000000000000009"
      + "01" + "0102030405060708" + "1112131415161718" + "21222324";
    assertEquals(body + HEX.formatHex(hmac16(HEX.parseHex(body))), HEX.formatHex(packet.getBytes()));
    assertEquals(0x0102030405060708L, ProbeCodec.introId(packet));
    assertEquals(punch, ProbeCodec.decode(packet, SECRET));
  }

  @Test
  void punchedCarriesTheObservedAddress() throws Exception {
    Probe v4 = new Probe(Probe.Kind.PUNCHED, 7, 8, 9, new Endpoint("203.0.113.7", 4000));
    Buffer packet = ProbeCodec.encode(v4, 1, SECRET);
    String body = "d7020100" + "00000000" + "0000000000000001"
      + "02" + "0000000000000007" + "0000000000000008" + "00000009" + "04" + "cb007107" + "0fa0";
    assertEquals(body + HEX.formatHex(hmac16(HEX.parseHex(body))), HEX.formatHex(packet.getBytes()));
    assertEquals(v4, ProbeCodec.decode(packet, SECRET));
    Probe v6 = new Probe(Probe.Kind.PUNCHED, -1, -2, -3, new Endpoint("2001:db8:0:0:0:0:0:1", 65535));
    Probe back = ProbeCodec.decode(ProbeCodec.encode(v6, 2, SECRET), SECRET);
    assertEquals(v6, back);
    assertEquals("[2001:db8::1]:65535", back.observed().toString());
  }

  @Test
  void everyFlippedBitIsUnauthenticated() throws Exception {
    Buffer packet = ProbeCodec.encode(new Probe(Probe.Kind.PUNCHED, 7, 8, 9, new Endpoint("10.0.0.1", 1)), 3, SECRET);
    byte[] good = packet.getBytes();
    for (int bit = 0; bit < good.length * 8; bit++) {
      byte[] bad = good.clone();
      bad[bit / 8] ^= (byte) (1 << (bit % 8));
      int flipped = bit;
      WireException e = assertThrows(WireException.class, () -> ProbeCodec.decode(Buffer.buffer(bad), SECRET),
        "bit " + flipped);
      assertEquals(DropReason.UNAUTHENTICATED, e.reason(), "bit " + flipped);
    }
    byte[] otherSecret = SECRET.clone();
    otherSecret[0] ^= 1;
    refused(DropReason.UNAUTHENTICATED, () -> ProbeCodec.decode(packet, otherSecret));
    refused(DropReason.TRUNCATED, () -> ProbeCodec.decode(packet.slice(0, 16 + 21 + 15), SECRET));
    refused(DropReason.TRUNCATED, () -> ProbeCodec.introId(packet.slice(0, 20)));
  }

  @Test
  void punchedWithABadAddressFamilyIsMalformedEvenWhenSigned() throws Exception {
    // Signed with the right secret but family 5: the MAC verifies, the parser still refuses.
    Buffer unsigned = PacketCodec.header(PacketType.PROBE, 0, 1).appendByte((byte) 2).appendLong(1).appendLong(2)
      .appendInt(3).appendByte((byte) 5).appendBytes(new byte[6]);
    Buffer signed = unsigned.copy().appendBytes(hmac16(unsigned.getBytes()));
    refused(DropReason.MALFORMED, () -> ProbeCodec.decode(signed, SECRET));
    Buffer kind9 = PacketCodec.header(PacketType.PROBE, 0, 1).appendByte((byte) 9).appendLong(1).appendLong(2).appendInt(3);
    refused(DropReason.MALFORMED, () -> ProbeCodec.decode(kind9.copy().appendBytes(hmac16(kind9.getBytes())), SECRET));
  }

  @Test
  void relayFrames() throws WireException {
    Buffer inner = PacketCodec.header(PacketType.DATA, 5, 6).appendString("x");
    Buffer frame = RelayCodec.encode(0x0A0B0C0D0E0F1011L, inner);
    assertEquals("d7050100" + "00000000" + "0000000000000000" + "0a0b0c0d0e0f1011" + HEX.formatHex(inner.getBytes()),
      HEX.formatHex(frame.getBytes()));
    assertEquals(0x0A0B0C0D0E0F1011L, RelayCodec.relayId(frame));
    assertArrayEquals(inner.getBytes(), RelayCodec.inner(frame).getBytes());
    Buffer rewritten = RelayCodec.rewrite(frame, 42);
    assertEquals(42, RelayCodec.relayId(rewritten));
    assertEquals(0x0A0B0C0D0E0F1011L, RelayCodec.relayId(frame), "the original is untouched");
    assertArrayEquals(inner.getBytes(), RelayCodec.inner(rewritten).getBytes(), "the peer packet travels unchanged");
    refused(DropReason.TRUNCATED, () -> RelayCodec.relayId(frame.slice(0, 16 + 8 + 15)));
  }

  @Test
  void controlPackets() throws WireException {
    JsonObject list = Control.of(ControlType.LIST);
    Buffer packet = ControlCodec.encode(list, 5);
    assertEquals("d7010100" + "00000000" + "0000000000000005" + HEX.formatHex("{\"t\":\"list\"}".getBytes()),
      HEX.formatHex(packet.getBytes()));
    assertEquals(list, ControlCodec.decode(packet));
    refused(DropReason.UNKNOWN_TYPE, () -> ControlCodec.decode(ControlCodec.encode(new JsonObject().put("t", "dance"), 1)));
    refused(DropReason.UNKNOWN_TYPE, () -> ControlCodec.decode(ControlCodec.encode(new JsonObject().put("t", 1), 1)));
    refused(DropReason.MALFORMED, () -> ControlCodec.decode(PacketCodec.header(PacketType.CONTROL, 0, 1).appendString("[]")));
    refused(DropReason.MALFORMED, () -> ControlCodec.decode(PacketCodec.header(PacketType.CONTROL, 0, 1)
      .appendBytes(new byte[] {'{', '"', 't', '"', ':', '"', (byte) 0xC3, 0x28, '"', '}'})));
    JsonObject register = new JsonObject().put("nick", "a b").put("v", "1").put("local", "1.2.3.4:5")
      .put("peer", "x").put("token", "");
    refused(DropReason.MALFORMED, () -> Control.matching(register, "nick", Control.NICK_PATTERN));
    refused(DropReason.MALFORMED, () -> Control.number(register, "v"));
    refused(DropReason.MALFORMED, () -> Control.endpoints(register, "local"));
    refused(DropReason.MALFORMED, () -> Control.object(register, "peer"));
    refused(DropReason.MALFORMED, () -> Control.string(register, "token"));
    assertNull(ControlType.of("nope"));
  }
}
