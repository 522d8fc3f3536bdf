package io.p2pchat.portmap.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.p2pchat.portmap.PortMapperOptions;
import io.p2pchat.portmap.Protocol;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.Inet4Address;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The port-mapping codecs against well-formed and hostile gateway answers. */
class PortMapCodecsTest {

  private static final Inet4Address CLIENT = PcpCodec.ipv4("192.0.2.130");
  private static final byte[] NONCE = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};

  @Test
  void natPmpRequestsAreTheRfcBytes() {
    assertEquals(Buffer.buffer(new byte[] {0, 0}), NatPmpCodec.externalAddressRequest());
    Buffer map = NatPmpCodec.mapRequest(4000, 4001, 7200);
    assertEquals(12, map.length());
    assertEquals(1, map.getUnsignedByte(1));
    assertEquals(4000, map.getUnsignedShort(4));
    assertEquals(4001, map.getUnsignedShort(6));
    assertEquals(7200, map.getUnsignedInt(8));
  }

  @Test
  void natPmpMapResponseDecodes() throws Exception {
    Buffer reply = Buffer.buffer().appendByte((byte) 0).appendByte((byte) 129).appendUnsignedShort(0)
      .appendUnsignedInt(99).appendUnsignedShort(4000).appendUnsignedShort(4100).appendUnsignedInt(3600);
    NatPmpCodec.MapResult r = NatPmpCodec.decodeMap(reply);
    assertEquals(4100, r.externalPort());
    assertEquals(3600, r.lifetimeSeconds());
  }

  @Test
  void natPmpHostileRepliesAreRejected() {
    Buffer truncated = Buffer.buffer().appendByte((byte) 0).appendByte((byte) 129).appendUnsignedShort(0)
      .appendUnsignedInt(99);
    PortMapReplyException e = assertThrows(PortMapReplyException.class, () -> NatPmpCodec.decodeMap(truncated));
    assertEquals(-1, e.resultCode(), "malformed, not a refusal");
    Buffer wrongOpcode = Buffer.buffer().appendByte((byte) 0).appendByte((byte) 128).appendUnsignedShort(0)
      .appendUnsignedInt(1).appendBytes(new byte[8]);
    assertThrows(PortMapReplyException.class, () -> NatPmpCodec.decodeMap(wrongOpcode));
    Buffer refused = Buffer.buffer().appendByte((byte) 0).appendByte((byte) 129).appendUnsignedShort(2)
      .appendUnsignedInt(1);
    assertEquals(2, assertThrows(PortMapReplyException.class, () -> NatPmpCodec.decodeMap(refused)).resultCode());
    assertThrows(PortMapReplyException.class, () -> NatPmpCodec.decodeExternalAddress(Buffer.buffer(new byte[3])));
    assertEquals(-1, NatPmpCodec.responseOpcode(Buffer.buffer(new byte[] {2, (byte) 128, 0, 0})));
  }

  @Test
  void pcpMapRoundTripsAndChecksTheNonce() throws Exception {
    Buffer request = PcpCodec.mapRequest(CLIENT, NONCE, 4000, 4000, null, 7200);
    assertEquals(60, request.length());
    assertEquals(2, request.getUnsignedByte(0));
    // The server's answer: the request with R set, a result, epoch, and the assigned address.
    Buffer reply = pcpReply(NONCE, 0, 4000, 4000);
    PcpCodec.MapResult r = PcpCodec.decodeMap(reply, NONCE, 4000);
    assertEquals("11.0.0.24", r.externalHost());
    assertEquals(4000, r.externalPort());
    assertEquals(7200, r.lifetimeSeconds());

    byte[] other = NONCE.clone();
    other[0] = 99;
    PortMapReplyException wrongNonce = assertThrows(PortMapReplyException.class,
      () -> PcpCodec.decodeMap(pcpReply(other, 2, 4000, 4000), NONCE, 4000));
    assertEquals(-1, wrongNonce.resultCode(), "a refusal under another nonce is not ours: it must not fail our request");
    assertFalse(PcpCodec.hasNonce(pcpReply(other, 0, 4000, 4000), NONCE));
    assertTrue(PcpCodec.hasNonce(reply, NONCE));
    assertThrows(PortMapReplyException.class, () -> PcpCodec.decodeMap(pcpReply(NONCE, 0, 4001, 4000), NONCE, 4000));
    assertEquals(2, assertThrows(PortMapReplyException.class,
      () -> PcpCodec.decodeMap(pcpReply(NONCE, 2, 4000, 4000), NONCE, 4000)).resultCode());
    assertThrows(PortMapReplyException.class, () -> PcpCodec.decodeMap(reply.getBuffer(0, 40), NONCE, 4000));
    Buffer oversized = reply.copy().appendBytes(new byte[2000]);
    assertThrows(PortMapReplyException.class, () -> PcpCodec.decodeMap(oversized, NONCE, 4000));
    assertEquals(-1, PcpCodec.responseOpcode(oversized));
  }

  private static Buffer pcpReply(byte[] nonce, int result, int internalPort, int externalPort) {
    return Buffer.buffer().appendByte((byte) 2).appendByte((byte) 0x81).appendByte((byte) 0).appendByte((byte) result)
      .appendUnsignedInt(7200).appendUnsignedInt(5).appendBytes(new byte[12])
      .appendBytes(nonce).appendByte((byte) 17).appendBytes(new byte[3]).appendUnsignedShort(internalPort)
      .appendUnsignedShort(externalPort)
      .appendBytes(new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, 11, 0, 0, 24});
  }

  @Test
  void ssdpLocationMustBeOnTheGatewayAndBounded() throws Exception {
    Buffer ok = Buffer.buffer("HTTP/1.1 200 OK\r\nST: x\r\nLOCATION: http://192.0.2.129:5555/rootDesc.xml\r\n\r\n");
    assertEquals("http://192.0.2.129:5555/rootDesc.xml", SsdpCodec.location(ok, "192.0.2.129"));
    assertThrows(PortMapReplyException.class, () -> SsdpCodec.location(Buffer.buffer(
      "HTTP/1.1 200 OK\r\nLOCATION: http://203.0.113.9:80/x.xml\r\n\r\n"), "192.0.2.129"));
    assertThrows(PortMapReplyException.class, () -> SsdpCodec.location(Buffer.buffer("HTTP/1.1 200 OK\r\n"),
      "192.0.2.129"));
    assertThrows(PortMapReplyException.class, () -> SsdpCodec.location(Buffer.buffer("NOTIFY * HTTP/1.1\r\n"),
      "192.0.2.129"));
    Buffer huge = Buffer.buffer("HTTP/1.1 200 OK\r\nLOCATION: http://192.0.2.129:5555/" + "a".repeat(4000) + "\r\n");
    assertThrows(PortMapReplyException.class, () -> SsdpCodec.location(huge, "192.0.2.129"));
  }

  @Test
  void igdDescriptionFindsTheControlUrlAndRefusesHostileXml() throws Exception {
    String desc = "<?xml version=\"1.0\"?><root xmlns=\"urn:schemas-upnp-org:device-1-0\"><device><serviceList>"
      + "<service><serviceType>urn:schemas-upnp-org:service:WANIPConnection:1</serviceType>"
      + "<controlURL>/ctl/IPConn</controlURL></service></serviceList></device></root>";
    IgdDescription d = IgdDescription.parse(Buffer.buffer(desc), "http://192.0.2.129:5555/rootDesc.xml", "192.0.2.129");
    assertEquals("http://192.0.2.129:5555/ctl/IPConn", d.controlUrl());
    assertEquals("urn:schemas-upnp-org:service:WANIPConnection:1", d.serviceType());

    String elsewhere = desc.replace("/ctl/IPConn", "http://203.0.113.9/ctl");
    assertThrows(PortMapReplyException.class, () -> IgdDescription.parse(Buffer.buffer(elsewhere),
      "http://192.0.2.129:5555/rootDesc.xml", "192.0.2.129"));
    String xxe = "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><root>&x;</root>";
    assertThrows(PortMapReplyException.class, () -> IgdDescription.parse(Buffer.buffer(xxe),
      "http://192.0.2.129:5555/rootDesc.xml", "192.0.2.129"));
    assertThrows(PortMapReplyException.class, () -> IgdDescription.parse(Buffer.buffer(desc.substring(0, 80)),
      "http://192.0.2.129:5555/rootDesc.xml", "192.0.2.129"));
    Buffer oversized = Buffer.buffer(desc + " ".repeat(IgdDescription.MAX_BYTES));
    assertThrows(PortMapReplyException.class, () -> IgdDescription.parse(oversized,
      "http://192.0.2.129:5555/rootDesc.xml", "192.0.2.129"));
  }

  @Test
  void soapAnswersAreParsed() throws Exception {
    String ok = "<?xml version=\"1.0\"?><s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body>"
      + "<u:GetExternalIPAddressResponse xmlns:u=\"urn:schemas-upnp-org:service:WANIPConnection:1\">"
      + "<NewExternalIPAddress>11.0.0.24</NewExternalIPAddress></u:GetExternalIPAddressResponse></s:Body></s:Envelope>";
    assertEquals("11.0.0.24", IgdSoap.externalIpAddress(Buffer.buffer(ok)));
    assertThrows(PortMapReplyException.class, () -> IgdSoap.externalIpAddress(Buffer.buffer(
      ok.replace("11.0.0.24", "not-an-ip"))));
    String fault = "<?xml version=\"1.0\"?><s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body>"
      + "<s:Fault><detail><UPnPError xmlns=\"urn:schemas-upnp-org:control-1-0\"><errorCode>718</errorCode>"
      + "</UPnPError></detail></s:Fault></s:Body></s:Envelope>";
    assertEquals(IgdSoap.CONFLICT_IN_MAPPING_ENTRY, IgdSoap.errorCode(Buffer.buffer(fault)));
    assertEquals(-1, IgdSoap.errorCode(Buffer.buffer("<truncated")));
  }

  @Test
  void routeTableGivesTheDefaultGateway() {
    List<String> table = List.of(
      "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT",
      "eth0\t00000000\t810200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0",
      "eth0\t800200C0\t00000000\t0001\t0\t0\t0\tC0FFFFFF\t0\t0\t0");
    assertEquals("192.0.2.129", DefaultGateway.parseRouteTable(table));
    assertEquals(null, DefaultGateway.parseRouteTable(List.of("Iface\tDestination", "garbage")));
  }

  @Test
  void configSwitchesAndBadKeys() {
    assertFalse(PortMapperOptions.fromConfig(false).enabled());
    assertEquals(Set.of(Protocol.UPNP), PortMapperOptions.fromConfig(
      new JsonObject().put("protocols", new JsonArray().add("upnp"))).protocols());
    IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
      () -> PortMapperOptions.fromConfig(new JsonObject().put("protocol", new JsonArray())));
    assertTrue(bad.getMessage().contains("portMapping.protocol"), bad.getMessage());
    assertThrows(IllegalArgumentException.class, () -> PortMapperOptions.fromConfig(
      new JsonObject().put("protocols", new JsonArray().add("smtp"))));
    assertThrows(IllegalArgumentException.class, () -> PortMapperOptions.fromConfig("yes"));
  }
}
