package io.p2pchat.rendezvous.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.p2pchat.rendezvous.tls.ConnectionAdmission.Verdict;
import org.junit.jupiter.api.Test;

/**
 * The TLS ingress's connection bounds: per source network (an IPv4 address, an IPv6 /64, as the UDP side's
 * limits count) and in all; what is released frees its place and the map forgets a network with its last one.
 */
class ConnectionAdmissionTest {

  private static final int PER_HOST = WebSocketIngress.MAX_CONNECTIONS_PER_HOST;
  private static final int PLENTY = 1000;

  @Test
  void anIpv6SubscriberHoldsSixteenFromItsWholeSlash64() {
    ConnectionAdmission admission = new ConnectionAdmission(PLENTY, PER_HOST);
    for (int i = 1; i <= PER_HOST; i++) {
      assertEquals(Verdict.ADMITTED, admission.admit("2001:db8:1:2::" + Integer.toHexString(i)));
    }
    assertEquals(Verdict.HOST_FULL, admission.admit("2001:db8:1:2:ffff:ffff:ffff:fffe"),
      "a fresh address of the same /64 is the same subscriber");
    assertEquals(Verdict.HOST_FULL, admission.admit("2001:DB8:1:2:0:0:0:99"), "however it is spelled");
    assertEquals(Verdict.ADMITTED, admission.admit("2001:db8:1:3::1"), "the next /64 is someone else");

    admission.release("2001:db8:1:2::7");
    assertEquals(Verdict.ADMITTED, admission.admit("2001:db8:1:2::abcd"), "a closed connection frees its place");
    assertEquals(PER_HOST + 1, admission.held());
  }

  @Test
  void anIpv4SourceCountsByItsAddressAndAMappedOneAsIpv4() {
    ConnectionAdmission admission = new ConnectionAdmission(PLENTY, PER_HOST);
    for (int i = 0; i < PER_HOST - 1; i++) {
      assertEquals(Verdict.ADMITTED, admission.admit("192.0.2.1"));
    }
    assertEquals(Verdict.ADMITTED, admission.admit("::ffff:192.0.2.1"), "a dual-stack socket's view of 192.0.2.1");
    assertEquals(Verdict.HOST_FULL, admission.admit("192.0.2.1"));
    assertEquals(Verdict.ADMITTED, admission.admit("192.0.2.2"), "the next address is another host");
  }

  @Test
  void theTotalBoundRefusesFirstAndEveryReleaseIsForgotten() {
    int max = 3;
    ConnectionAdmission admission = new ConnectionAdmission(max, PER_HOST);
    for (int i = 1; i <= max; i++) {
      assertEquals(Verdict.ADMITTED, admission.admit("2001:db8:" + i + "::1"));
    }
    assertEquals(Verdict.FULL, admission.admit("2001:db8:99::1"));
    for (int i = 1; i <= max; i++) {
      admission.release("2001:db8:" + i + "::1");
    }
    assertEquals(0, admission.held());
    assertEquals(0, admission.networks(), "no network stays in the map without a connection");
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> admission.release("2001:db8:1::1"));
    assertTrue(e.getMessage().startsWith("BUG: "), e.getMessage());
  }
}
