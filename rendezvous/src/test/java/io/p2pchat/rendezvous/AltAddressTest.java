package io.p2pchat.rendezvous;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.p2pchat.wire.Control;
import io.p2pchat.wire.ControlType;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import io.p2pchat.wire.StunCodec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 16, registering over both families (docs/PROTOCOL.md, "Registering over both families") as a client
 * on the wire sees it: a client registered over IPv4 proves its IPv6 address (an {@code alt} from its IPv6
 * socket, the {@code alt-challenge} read there, an {@code alt-confirm} over IPv4) and its peers are introduced
 * with both; an address whose cookie was not issued to it is never given to peers and is counted; the
 * challenge to the unvalidated IPv6 source is never bigger than the alt; the alt never moves the session.
 */
class AltAddressTest {

  private static final String LOOPBACK6 = "::1";
  /** Generous for a loaded 2-core machine: loopback answers in well under a millisecond. */
  private static final int RECEIVE_TIMEOUT_MS = 10_000;

  private RendezvousHarness server;
  private final List<AutoCloseable> closing = new ArrayList<>();

  @BeforeEach
  void start() {
    server = new RendezvousHarness(new JsonObject().put("host6", LOOPBACK6));
  }

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable c : closing) {
      c.close();
    }
    server.close();
  }

  private UdpClient registered(String nick) {
    UdpClient c = UdpClient.registered(server.port(), nick, "lobby");
    closing.add(c);
    return c;
  }

  /** A client's IPv6 socket on ::1, any port. */
  private DatagramSocket socket6() {
    try {
      DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getByName(LOOPBACK6), 0));
      s.setSoTimeout(RECEIVE_TIMEOUT_MS);
      closing.add(s);
      return s;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void sendTo6(DatagramSocket s, byte[] data) {
    try {
      s.send(new DatagramPacket(data, data.length, InetAddress.getByName(LOOPBACK6), server.verticle.port6()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The next datagram on {@code s}, or null after {@code timeoutMs}. */
  private static byte[] receive(DatagramSocket s, long timeoutMs) {
    try {
      s.setSoTimeout((int) timeoutMs);
      byte[] buf = new byte[2048];
      DatagramPacket p = new DatagramPacket(buf, buf.length);
      s.receive(p);
      return Arrays.copyOf(buf, p.getLength());
    } catch (SocketTimeoutException e) {
      return null;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Sends a STUN request from {@code s} to the rendezvous's IPv6 port and returns every datagram that came
   * before its answer: what was sent to {@code s} until then (loopback keeps one socket pair's order).
   */
  private List<byte[]> fence6(DatagramSocket s) {
    byte[] txId = new byte[StunCodec.TRANSACTION_ID_SIZE];
    Arrays.fill(txId, (byte) 0x6f);
    sendTo6(s, StunCodec.bindingRequest(txId).getBytes());
    List<byte[]> before = new ArrayList<>();
    while (true) {
      byte[] d = receive(s, RECEIVE_TIMEOUT_MS);
      assertNotNull(d, "the fence's STUN answer");
      if (d.length >= StunCodec.HEADER_SIZE && Arrays.equals(d, 8, StunCodec.HEADER_SIZE, txId, 0, txId.length)) {
        return before;
      }
      before.add(d);
    }
  }

  /** An alt as a node sends it: padded to {@link Control#ALT_MIN_DATAGRAM}. */
  private static JsonObject alt() {
    return Control.of(ControlType.ALT).put(Control.PAD, "-".repeat(Control.ALT_MIN_DATAGRAM));
  }

  private static JsonObject confirm(String address, String cookie) {
    return Control.of(ControlType.ALT_CONFIRM).put(Control.ADDRESS, address).put(Control.COOKIE, cookie);
  }

  private static String endpoint6(DatagramSocket s) {
    return "[" + LOOPBACK6 + "]:" + s.getLocalPort();
  }

  @Test
  void aClientRegisteredOverBothFamiliesIsIntroducedWithBoth() {
    UdpClient alice = registered("alice");
    DatagramSocket alice6 = socket6();
    byte[] request = alice.encode(alt()).getBytes();
    sendTo6(alice6, request);
    byte[] answer = receive(alice6, RECEIVE_TIMEOUT_MS);
    assertNotNull(answer, "an alt-challenge on the IPv6 socket");
    JsonObject challenge = alice.open(answer);
    assertEquals("alt-challenge", challenge.getString(Control.TYPE), challenge.encode());
    assertEquals(endpoint6(alice6), challenge.getString(Control.ADDRESS), "the IPv6 address the rendezvous saw");
    assertTrue(answer.length <= request.length, "the answer to the unvalidated IPv6 source (" + answer.length
      + " bytes) is no bigger than the alt (" + request.length + ")");

    alice.sendControl(confirm(challenge.getString(Control.ADDRESS), challenge.getString(Control.COOKIE)));
    JsonObject ok = alice.receiveControl(ControlType.ALT_OK);
    assertEquals(endpoint6(alice6), ok.getString(Control.ADDRESS));

    UdpClient bob = registered("bob");
    JsonObject intro = bob.receiveControl(ControlType.INTRODUCE).getJsonObject(Control.PEER);
    assertEquals("alice", intro.getString(Control.NICK));
    assertEquals("127.0.0.1:" + alice.port(), intro.getString(Control.PUBLIC), "the IPv4 address it registered from");
    assertEquals(endpoint6(alice6), intro.getString(Control.ALT), "and the validated IPv6 one: " + intro.encode());
    assertEquals(1, server.stats().getLong("altValidated"));

    // The session never moved: what the rendezvous tells alice still goes to her IPv4 socket, none to IPv6.
    alice.sendControl(Control.of(ControlType.KEEPALIVE));
    assertNotNull(alice.receiveControl(ControlType.KEEPALIVE_ACK), "answered over IPv4");
    assertEquals(List.of(), fence6(alice6), "nothing more to the IPv6 socket");
    assertEquals(0, server.stats().getLong("bugs"));
  }

  @Test
  void anAltNeverMovesTheSessionToTheOtherFamily() {
    UdpClient alice = registered("alice");
    UdpClient bob = registered("bob");
    alice.sendControl(Control.of(ControlType.ACK).put(Control.MID,
      alice.receiveControl(ControlType.INTRODUCE).getLong(Control.MID)));
    DatagramSocket alice6 = socket6();
    sendTo6(alice6, alice.encode(alt()).getBytes());
    assertEquals("alt-challenge", alice.open(receive(alice6, RECEIVE_TIMEOUT_MS)).getString(Control.TYPE));
    // alice says nothing more over IPv4; bob asks to meet her again: her introduction must reach her IPv4 socket.
    bob.sendControl(Control.of(ControlType.CONNECT).put(Control.NICK, "alice"));
    JsonObject intro = alice.receiveControl(ControlType.INTRODUCE);
    assertEquals("bob", intro.getJsonObject(Control.PEER).getString(Control.NICK));
    assertEquals(List.of(), fence6(alice6), "nothing sealed to the IPv6 source but its challenge");
  }

  @Test
  void anAltAddressWhoseCookieWasNotIssuedToItIsNeverGivenToPeersAndIsCounted() {
    UdpClient alice = registered("alice");
    DatagramSocket alice6 = socket6();
    sendTo6(alice6, alice.encode(alt()).getBytes());
    JsonObject challenge = alice.open(receive(alice6, RECEIVE_TIMEOUT_MS));
    String cookie = challenge.getString(Control.COOKIE);

    // A victim's address with alice's own cookie, a random cookie, and an IPv4 address (her registered family).
    String victim = "[::1]:9";
    alice.sendControl(confirm(victim, cookie));
    alice.sendControl(confirm(endpoint6(alice6), Base64.getEncoder().encodeToString(new byte[16])));
    alice.sendControl(confirm("127.0.0.1:9", cookie));
    // A keep-alive as a fence: its ack comes after whatever the three confirms caused.
    alice.sendControl(Control.of(ControlType.KEEPALIVE));
    JsonObject msg;
    do {
      msg = alice.receiveControl(null);
      assertFalse("alt-ok".equals(msg.getString(Control.TYPE)), "a forged alt was taken: " + msg.encode());
    } while (!"keepalive-ack".equals(msg.getString(Control.TYPE)));
    assertEquals(3, server.drops("alt-unvalidated"), server.stats().encode());

    UdpClient bob = registered("bob");
    JsonObject intro = bob.receiveControl(ControlType.INTRODUCE).getJsonObject(Control.PEER);
    assertNull(intro.getValue(Control.ALT), "peers never hear of an unvalidated address: " + intro.encode());
    assertEquals(0, server.stats().getLong("altValidated"));
  }

  @Test
  void anAltUnderItsMinimumSizeGetsNoAnswerAndIsCounted() {
    UdpClient alice = registered("alice");
    DatagramSocket alice6 = socket6();
    sendTo6(alice6, alice.encode(Control.of(ControlType.ALT)).getBytes());
    assertEquals(List.of(), fence6(alice6), "nothing to an unvalidated source for a short alt");
    assertEquals(1, server.drops("alt-unvalidated"));
  }
}
