package io.p2pchat.wire;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * The addresses the rendezvous gives its stream connections (a WebSocket inside TLS), so that the
 * registry, the limits, the control sessions, introductions and the relay, all keyed by a UDP
 * {@link Endpoint}, serve a stream client unchanged: connection {@code n} is
 * {@code [100:0:0:0:<n as four 16-bit groups>]:443}, in the IPv6 discard-only prefix {@code 100::/64}
 * (RFC 6666), which no packet is ever routed to. A node never probes such an address, and the rendezvous
 * never sends one to, nor takes one from, its UDP socket. Tailscale's magicsock does the same with its
 * fake {@code 127.3.3.40:<region>} addresses for DERP relay connections.
 */
public final class StreamEndpoint {
  /** The port of every synthetic endpoint: HTTPS's, only for reading logs (the connection number is the key). */
  public static final int PORT = 443;
  /** The first 64 bits of {@code 100::/64}: 0x0100 then three zero groups. */
  private static final String PREFIX = "100:0:0:0:";
  private static final int PREFIX_BYTES = 8;
  private static final int PREFIX_FIRST_BYTE = 0x01;
  private static final int IPV6_BYTES = 16;

  private StreamEndpoint() {
  }

  /** The synthetic endpoint of stream connection {@code connection}. */
  public static Endpoint of(long connection) {
    return new Endpoint(PREFIX + Long.toHexString(connection >>> 48) + ":" + Long.toHexString((connection >>> 32) & 0xffff)
      + ":" + Long.toHexString((connection >>> 16) & 0xffff) + ":" + Long.toHexString(connection & 0xffff), PORT);
  }

  /** True when {@code endpoint} is in {@code 100::/64}: a stream connection of a rendezvous, never a UDP address. */
  public static boolean is(Endpoint endpoint) {
    if (!endpoint.isIpv6()) {
      return false; // IPv4 (held as bits: no text to make)
    }
    String host = endpoint.host();
    if (!host.startsWith("1")) {
      return false; // a v6 text that cannot start with 0x0100
    }
    try {
      byte[] a = InetAddress.getByName(host).getAddress(); // a numeric literal (Endpoint's invariant): no lookup
      if (a.length != IPV6_BYTES || a[0] != PREFIX_FIRST_BYTE) {
        return false;
      }
      for (int i = 1; i < PREFIX_BYTES; i++) {
        if (a[i] != 0) {
          return false;
        }
      }
      return true;
    } catch (UnknownHostException e) {
      return false;
    }
  }
}
