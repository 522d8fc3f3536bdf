package io.p2pchat.wire;

import io.vertx.core.net.SocketAddress;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/**
 * A UDP address as a map key and as text: {@code 203.0.113.7:4000} or {@code [2001:db8::1]:4000}.
 * The host is always a numeric address, never a name to resolve.
 *
 * <p>An IPv6 host is kept in one canonical spelling (RFC 5952: lower case, the longest run of zero
 * groups as {@code ::}), so that the same address equals itself however a socket or a config spelled
 * it ({@code 0:0:0:0:0:0:0:1%0} from a socket, {@code ::1} from a config). An IPv4-mapped IPv6 address
 * ({@code ::ffff:192.0.2.1}, what a dual-stack socket may report for an IPv4 sender) becomes the IPv4
 * address. A zone ({@code %eth0}) is kept only on link-local addresses, where it names the interface
 * to send on; {@code %0} (no zone) is dropped.
 */
public record Endpoint(String host, int port) {

  /** The first 12 bytes of an IPv4-mapped IPv6 address (RFC 4291 2.5.5.2). */
  private static final byte[] IPV4_MAPPED_PREFIX = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff};
  /** An IPv6 address is 16 bytes, an IPv4 one 4. */
  private static final int IPV6_BYTES = 16;
  private static final int IPV4_BYTES = 4;
  /** The network part of an IPv6 address that per-host limits count by: the /64 of one link (RFC 4291 2.5.1). */
  private static final int IPV6_NETWORK_BYTES = 8;

  /** Four decimal octets of 0-255: no names, no shorthand such as {@code 1.2.3} (which the JDK reads as 1.2.0.3). */
  private static final Pattern IPV4 =
    Pattern.compile("((25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)");
  /** Hex groups, colons and an optional dotted tail, starting with a hex digit or a colon. */
  private static final Pattern IPV6 = Pattern.compile("[0-9a-fA-F:][0-9a-fA-F:.]*");
  /** Digits only: {@code Integer.parseInt} alone would take {@code +80}. */
  private static final Pattern PORT = Pattern.compile("\\d{1,5}");

  public Endpoint {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port out of range: " + port);
    }
    if (host.indexOf(':') >= 0) {
      host = canonicalIpv6(host);
    }
  }

  /**
   * The canonical text of an IPv6 literal (see the class comment); a host that is not one is
   * returned as it is. Never a name lookup: Netty's parser reads literals only.
   */
  private static String canonicalIpv6(String host) {
    int zoneAt = host.indexOf('%');
    String address = zoneAt < 0 ? host : host.substring(0, zoneAt);
    byte[] bytes = io.netty.util.NetUtil.createByteArrayFromIpAddressString(address);
    if (bytes == null) {
      return host;
    }
    if (bytes.length == IPV6_BYTES && java.util.Arrays.equals(bytes, 0, IPV4_MAPPED_PREFIX.length,
        IPV4_MAPPED_PREFIX, 0, IPV4_MAPPED_PREFIX.length)) {
      bytes = java.util.Arrays.copyOfRange(bytes, IPV4_MAPPED_PREFIX.length, IPV6_BYTES);
    }
    if (bytes.length == IPV4_BYTES) {
      return (bytes[0] & 0xff) + "." + (bytes[1] & 0xff) + "." + (bytes[2] & 0xff) + "." + (bytes[3] & 0xff);
    }
    String text = io.netty.util.NetUtil.bytesToIpAddress(bytes);
    boolean linkLocal = (bytes[0] & 0xff) == 0xfe && (bytes[1] & 0xc0) == 0x80;
    String zone = zoneAt < 0 ? "" : host.substring(zoneAt + 1);
    return linkLocal && !zone.isEmpty() && !zone.equals("0") ? text + "%" + zone : text;
  }

  /**
   * What per-host limits count by: the IPv4 address, or an IPv6 address's /64 ({@code 2001:db8:1:2::/64}).
   * One IPv6 subscriber holds a whole /64 (RFC 6177) and may send from any of its 2^64 addresses, so
   * counting by address would give one attacker 2^64 fresh buckets; a /64 is what one IPv4 address
   * behind a home NAT is.
   */
  public String network() {
    if (!isIpv6()) {
      return host;
    }
    int zoneAt = host.indexOf('%');
    byte[] bytes = io.netty.util.NetUtil.createByteArrayFromIpAddressString(zoneAt < 0 ? host : host.substring(0, zoneAt));
    if (bytes == null || bytes.length != IPV6_BYTES) {
      return host;
    }
    java.util.Arrays.fill(bytes, IPV6_NETWORK_BYTES, IPV6_BYTES, (byte) 0);
    return io.netty.util.NetUtil.bytesToIpAddress(bytes) + "/" + (IPV6_NETWORK_BYTES * Byte.SIZE);
  }

  /** True for an IPv6 address: it goes out of the IPv6 socket ({@link io.p2pchat.common.DualStackSocket}). */
  public boolean isIpv6() {
    return host.indexOf(':') >= 0;
  }

  public static Endpoint of(SocketAddress address) {
    return new Endpoint(address.hostAddress() != null ? address.hostAddress() : address.host(), address.port());
  }

  /** Parses {@code host:port} or {@code [v6]:port}; throws {@link WireException} when malformed. */
  public static Endpoint parse(String text) throws WireException {
    int colon = text.lastIndexOf(':');
    if (colon <= 0 || colon == text.length() - 1 || text.length() > 64) {
      throw new WireException(DropReason.MALFORMED, "not host:port");
    }
    String host = text.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    String port = text.substring(colon + 1);
    if (!PORT.matcher(port).matches()) {
      throw new WireException(DropReason.MALFORMED, "bad port");
    }
    if (!IPV4.matcher(host).matches() && !isIpv6Literal(host)) {
      throw new WireException(DropReason.MALFORMED, "host is not a numeric address");
    }
    try {
      return new Endpoint(host, Integer.parseInt(port));
    } catch (IllegalArgumentException e) {
      throw new WireException(DropReason.MALFORMED, "bad port");
    }
  }

  /**
   * True for an IPv6 literal. It starts with a hex digit or a colon and holds a colon, so the JDK
   * parses it as a literal and never falls back to a name lookup.
   */
  private static boolean isIpv6Literal(String host) {
    if (host.indexOf(':') < 0 || !IPV6.matcher(host).matches()) {
      return false;
    }
    try {
      InetAddress.getByName(host);
      return true;
    } catch (UnknownHostException e) {
      return false;
    }
  }

  public SocketAddress toSocketAddress() {
    return SocketAddress.inetSocketAddress(port, host);
  }

  /** True for loopback, RFC 1918, link-local and unique-local addresses: a LAN candidate. */
  public boolean isPrivate() {
    return host.startsWith("10.") || host.startsWith("192.168.") || host.startsWith("127.")
      || host.matches("172\\.(1[6-9]|2[0-9]|3[01])\\..*") || host.startsWith("169.254.")
      || host.equals("::1") || host.toLowerCase().startsWith("fe80:") || host.toLowerCase().startsWith("fd");
  }

  @Override
  public String toString() {
    return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
  }
}
