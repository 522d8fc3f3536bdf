package io.p2pchat.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** Issue 3, test 10: STUN Binding, against our own encoder and the sample messages of RFC 5769. */
class StunCodecTest {

  private static final HexFormat HEX = HexFormat.of();
  private static final String RFC5769_TX = "b7e7a701bc34d686fa87dfae";
  /** RFC 5769 section 2.1: a Binding request with SOFTWARE, PRIORITY, ICE-CONTROLLED, USERNAME, MESSAGE-INTEGRITY, FINGERPRINT. */
  private static final String RFC5769_REQUEST = "000100582112a442" + RFC5769_TX
    + "80220010" + "5354554e207465737420636c69656e74"
    + "00240004" + "6e0001ff"
    + "80290008" + "932ff9b151263b36"
    + "00060009" + "6576746a3a68367659202020"
    + "00080014" + "9aeaa70cbfd8cb56781ef2b5b2d3f249c1b571a2"
    + "80280004" + "e57a3bcf";
  /** RFC 5769 section 2.2: XOR-MAPPED-ADDRESS 192.0.2.1:32853 among other attributes. */
  private static final String RFC5769_RESPONSE_V4 = "0101003c2112a442" + RFC5769_TX
    + "8022000b" + "7465737420766563746f7220"
    + "00200008" + "0001a147e112a643"
    + "00080014" + "2b91f599fd9e90c38c7489f92af9ba53f06be7d7"
    + "80280004" + "c07d4c96";
  /** RFC 5769 section 2.3: XOR-MAPPED-ADDRESS [2001:db8:1234:5678:11:2233:4455:6677]:32853. */
  private static final String RFC5769_RESPONSE_V6 = "010100482112a442" + RFC5769_TX
    + "8022000b" + "7465737420766563746f7220"
    + "00200014" + "0002a147" + "0113a9faa5d3f179bc25f4b5bed2b9d9"
    + "00080014" + "a382954e4be67bf11784c97c8292c275bfe3ed41"
    + "80280004" + "c8fb0b4c";

  @Test
  void bindingRequestGoldenAndParse() throws WireException {
    byte[] tx = HEX.parseHex(RFC5769_TX);
    Buffer request = StunCodec.bindingRequest(tx);
    assertEquals("000100002112a442" + RFC5769_TX, HEX.formatHex(request.getBytes()));
    assertEquals(DatagramKind.STUN, DatagramKind.of(request));
    assertArrayEquals(tx, StunCodec.parseBindingRequest(request));
  }

  @Test
  void rfc5769SampleRequestIsABindingRequest() throws WireException {
    Buffer request = Buffer.buffer(HEX.parseHex(RFC5769_REQUEST));
    assertEquals(DatagramKind.STUN, DatagramKind.of(request));
    assertArrayEquals(HEX.parseHex(RFC5769_TX), StunCodec.parseBindingRequest(request));
  }

  @Test
  void rfc5769SampleResponses() throws Exception {
    Buffer v4 = Buffer.buffer(HEX.parseHex(RFC5769_RESPONSE_V4));
    assertEquals(new InetSocketAddress(InetAddress.getByName("192.0.2.1"), 32853), StunCodec.parseBindingResponse(v4));
    assertArrayEquals(HEX.parseHex(RFC5769_TX), StunCodec.transactionId(v4));
    Buffer v6 = Buffer.buffer(HEX.parseHex(RFC5769_RESPONSE_V6));
    assertEquals(new InetSocketAddress(InetAddress.getByName("2001:db8:1234:5678:11:2233:4455:6677"), 32853),
      StunCodec.parseBindingResponse(v6));
  }

  @Test
  void responseRoundTrips() throws Exception {
    byte[] tx = HEX.parseHex(RFC5769_TX);
    for (String host : new String[] {"192.0.2.1", "127.0.0.1", "2001:db8:1234:5678:11:2233:4455:6677", "::1"}) {
      InetSocketAddress mapped = new InetSocketAddress(InetAddress.getByName(host), 32853);
      Buffer response = StunCodec.bindingResponse(tx, mapped);
      assertEquals(mapped, StunCodec.parseBindingResponse(response), host);
      assertArrayEquals(tx, StunCodec.transactionId(response));
    }
    // Our IPv4 response is the RFC's XOR-MAPPED-ADDRESS attribute exactly.
    assertEquals("0101000c2112a442" + RFC5769_TX + "00200008" + "0001a147e112a643",
      HEX.formatHex(StunCodec.bindingResponse(tx, new InetSocketAddress(InetAddress.getByName("192.0.2.1"), 32853))
        .getBytes()));
  }

  /**
   * RFC 5769 2.3 byte for byte: our IPv6 answer is the sample's header and XOR-MAPPED-ADDRESS (family
   * 0x02, port 32853 ^ 0x2112 = 0xa147, address XOR cookie || transaction id), without the sample's
   * SOFTWARE, MESSAGE-INTEGRITY and FINGERPRINT, which a Binding answer needs none of; and the
   * sample's attribute decodes to the sample's address.
   */
  @Test
  void ipv6ResponseIsTheRfc5769SampleAttributeByteForByte() throws Exception {
    byte[] tx = HEX.parseHex(RFC5769_TX);
    InetSocketAddress mapped = new InetSocketAddress(InetAddress.getByName("2001:db8:1234:5678:11:2233:4455:6677"), 32853);
    String attribute = "00200014" + "0002a147" + "0113a9faa5d3f179bc25f4b5bed2b9d9";
    assertEquals("010100182112a442" + RFC5769_TX + attribute, HEX.formatHex(StunCodec.bindingResponse(tx, mapped).getBytes()));
    assertTrue(RFC5769_RESPONSE_V6.contains(attribute), "the sample carries the same attribute");
    // By hand: the address XOR (cookie || transaction id) gives the sample's bytes.
    byte[] mask = HEX.parseHex("2112a442" + RFC5769_TX);
    byte[] address = mapped.getAddress().getAddress();
    byte[] xored = new byte[16];
    for (int i = 0; i < 16; i++) {
      xored[i] = (byte) (address[i] ^ mask[i]);
    }
    assertEquals("0113a9faa5d3f179bc25f4b5bed2b9d9", HEX.formatHex(xored));
    assertEquals(0xa147, 32853 ^ 0x2112);
    assertEquals(mapped, StunCodec.parseBindingResponse(Buffer.buffer(HEX.parseHex("010100182112a442" + RFC5769_TX + attribute))));
  }

  /** A family other than 0x01 and 0x02 is malformed (it was read as IPv6). */
  @Test
  void anUnknownAddressFamilyIsRefused() {
    String family3 = "010100182112a442" + RFC5769_TX + "00200014" + "0003a147" + "0113a9faa5d3f179bc25f4b5bed2b9d9";
    assertEquals(DropReason.MALFORMED, assertThrows(WireException.class,
      () -> StunCodec.parseBindingResponse(Buffer.buffer(HEX.parseHex(family3)))).reason());
  }

  @Test
  void refusals() {
    byte[] tx = HEX.parseHex(RFC5769_TX);
    Buffer response = Buffer.buffer(HEX.parseHex(RFC5769_RESPONSE_V4));
    assertEquals(DropReason.UNKNOWN_TYPE,
      assertThrows(WireException.class, () -> StunCodec.parseBindingRequest(response)).reason());
    assertEquals(DropReason.UNKNOWN_TYPE, assertThrows(WireException.class,
      () -> StunCodec.parseBindingResponse(StunCodec.bindingRequest(tx))).reason());
    assertEquals(DropReason.TRUNCATED, assertThrows(WireException.class,
      () -> StunCodec.parseBindingRequest(Buffer.buffer(HEX.parseHex("000100002112a442")))).reason());
    assertEquals(DropReason.MALFORMED, assertThrows(WireException.class,
      () -> StunCodec.parseBindingRequest(StunCodec.bindingRequest(tx).appendByte((byte) 0))).reason(),
      "length field disagrees with the datagram");
    // A success response without XOR-MAPPED-ADDRESS, and one whose attribute runs past the end.
    assertEquals(DropReason.MALFORMED, assertThrows(WireException.class, () -> StunCodec.parseBindingResponse(
      Buffer.buffer(HEX.parseHex("010100082112a442" + RFC5769_TX + "8022000474657374")))).reason());
    assertEquals(DropReason.TRUNCATED, assertThrows(WireException.class, () -> StunCodec.parseBindingResponse(
      Buffer.buffer(HEX.parseHex("010100082112a442" + RFC5769_TX + "0020000c0001a147")))).reason());
  }
}
