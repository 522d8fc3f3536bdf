package io.p2pchat.wire;

import io.vertx.core.net.SocketAddress;

import java.net.InetAddress;
import java.net.InetSocketAddress;
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
 *
 * <p><b>Compact.</b> An IPv4 address in its canonical dotted form is held as its 32 bits, not as text: a
 * rendezvous holds one Endpoint per client, and the text with its bytes cost ~56 bytes of each of a million
 * registrations. {@link #host()} spells it out when asked (sending a datagram, a log line); IPv6 and any other
 * host keep their text. Two Endpoints are equal when their host text and port are, whichever form holds them.
 */
public final class Endpoint {

  /** The first 12 bytes of an IPv4-mapped IPv6 address (RFC 4291 2.5.5.2). */
  private static final byte[] IPV4_MAPPED_PREFIX = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff};
  /** An IPv6 address is 16 bytes, an IPv4 one 4. */
  private static final int IPV6_BYTES = 16;
  private static final int IPV4_BYTES = 4;
  /** The network part of an IPv6 address that per-host limits count by: the /64 of one link (RFC 4291 2.5.1). */
  private static final int IPV6_NETWORK_BYTES = 8;
  /** The longest dotted IPv4 text: {@code 255.255.255.255}. */
  private static final int MAX_IPV4_TEXT = 15;
  /**
   * The top bits of an IPv4 address's {@link #networkKey()}: ff00:0:: is in IPv6's multicast range, whose
   * addresses never send a datagram, so no IPv6 /64 key equals an IPv4 one.
   */
  private static final long IPV4_NETWORK_TAG = 0xff00_0000_0000_0000L;
  /** Marks the key of a host that is neither IPv4 nor IPv6, apart from every IPv4 one. */
  private static final long OTHER_HOST_BIT = 1L << 32;
  /** 2^32 divided by the golden ratio: Knuth's multiplicative hash, spreads consecutive addresses. */
  private static final int GOLDEN_RATIO_32 = 0x9e37_79b9;
  /** The largest value of one decimal octet. */
  private static final int MAX_OCTET = 255;

  /** Four decimal octets of 0-255: no names, no shorthand such as {@code 1.2.3} (which the JDK reads as 1.2.0.3). */
  private static final Pattern IPV4 =
    Pattern.compile("((25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)");
  /** Hex groups, colons and an optional dotted tail, starting with a hex digit or a colon. */
  private static final Pattern IPV6 = Pattern.compile("[0-9a-fA-F:][0-9a-fA-F:.]*");
  /** Digits only: {@code Integer.parseInt} alone would take {@code +80}. */
  private static final Pattern PORT = Pattern.compile("\\d{1,5}");

  /** The host's text; null when the host is the IPv4 address {@link #ipv4}. */
  private final String text;
  /** The IPv4 address's 32 bits, most significant octet first, when {@link #text} is null; 0 otherwise. */
  private final int ipv4;
  private final int port;

  public Endpoint(String host, int port) {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port out of range: " + port);
    }
    if (host.indexOf(':') >= 0) {
      host = canonicalIpv6(host);
    }
    long v4 = host.indexOf(':') >= 0 ? -1 : parseCanonicalIpv4(host);
    this.text = v4 < 0 ? host : null;
    this.ipv4 = v4 < 0 ? 0 : (int) v4;
    this.port = port;
  }

  private Endpoint(int ipv4, int port) {
    this.text = null;
    this.ipv4 = ipv4;
    this.port = port;
  }

  /** The IPv4 address {@code a.b.c.d} given as {@code address} (a most significant), at {@code port}. */
  public static Endpoint ipv4(int address, int port) {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port out of range: " + port);
    }
    return new Endpoint(address, port);
  }

  /** The host as text: the IPv4 dotted form or the canonical IPv6 one (see the class comment). */
  public String host() {
    return text != null ? text : dotted(ipv4);
  }

  public int port() {
    return port;
  }

  /**
   * The 32 bits of an IPv4 host in canonical dotted form (four octets 0-255, no leading zeros), or -1 for
   * any other text: such a host keeps its text, so {@link #host()} always gives back what was given.
   */
  private static long parseCanonicalIpv4(String host) {
    int n = host.length();
    if (n > MAX_IPV4_TEXT) {
      return -1;
    }
    long address = 0;
    int octets = 0;
    int i = 0;
    while (i <= n) {
      int start = i;
      int value = 0;
      while (i < n && host.charAt(i) >= '0' && host.charAt(i) <= '9') {
        value = value * 10 + (host.charAt(i) - '0');
        i++;
      }
      int digits = i - start;
      if (digits == 0 || digits > 3 || value > MAX_OCTET || (digits > 1 && host.charAt(start) == '0')) {
        return -1;
      }
      address = (address << Byte.SIZE) | value;
      octets++;
      if (i == n) {
        break;
      }
      if (host.charAt(i) != '.' || octets == IPV4_BYTES) {
        return -1;
      }
      i++;
    }
    return octets == IPV4_BYTES ? address : -1;
  }

  private static String dotted(int address) {
    return (address >>> 24) + "." + ((address >>> 16) & MAX_OCTET) + "." + ((address >>> 8) & MAX_OCTET) + "."
      + (address & MAX_OCTET);
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
    if (text == null || !isIpv6()) {
      return host();
    }
    byte[] bytes = ipv6Bytes();
    if (bytes == null) {
      return text;
    }
    java.util.Arrays.fill(bytes, IPV6_NETWORK_BYTES, IPV6_BYTES, (byte) 0);
    return io.netty.util.NetUtil.bytesToIpAddress(bytes) + "/" + (IPV6_NETWORK_BYTES * Byte.SIZE);
  }

  /**
   * {@link #network()} as a number, for a map keyed without a String per host: an IPv6 address's /64 is its
   * first 64 bits; an IPv4 address is its 32 bits under {@link #IPV4_NETWORK_TAG}, a /64 of the multicast
   * range ff00::/8, which is never the source of a datagram, so the two families never share a key. A host
   * that is neither (never one from a socket) is its text's hash under the same tag, shifted apart.
   */
  public long networkKey() {
    if (text == null) {
      return IPV4_NETWORK_TAG | (ipv4 & 0xffff_ffffL);
    }
    byte[] bytes = isIpv6() ? ipv6Bytes() : null;
    if (bytes == null) {
      return IPV4_NETWORK_TAG | ((long) text.hashCode() << Integer.SIZE >>> Integer.SIZE) | OTHER_HOST_BIT;
    }
    return java.nio.ByteBuffer.wrap(bytes).getLong();
  }

  /** The IPv6 address's 16 bytes (without its zone), or null when the text is not one. */
  private byte[] ipv6Bytes() {
    int zoneAt = text.indexOf('%');
    byte[] bytes = io.netty.util.NetUtil.createByteArrayFromIpAddressString(zoneAt < 0 ? text : text.substring(0, zoneAt));
    return bytes == null || bytes.length != IPV6_BYTES ? null : bytes;
  }

  /** True for an IPv6 address: it goes out of the IPv6 socket ({@link io.p2pchat.common.DualStackSocket}). */
  public boolean isIpv6() {
    return text != null && text.indexOf(':') >= 0;
  }

  /** The address as the JDK's, built from its bytes for IPv4 (no text parsed); a literal is never looked up. */
  public InetSocketAddress toInetSocketAddress() {
    if (text != null) {
      return new InetSocketAddress(text, port);
    }
    byte[] bytes = {(byte) (ipv4 >>> 24), (byte) (ipv4 >>> 16), (byte) (ipv4 >>> 8), (byte) ipv4};
    try {
      return new InetSocketAddress(InetAddress.getByAddress(bytes), port);
    } catch (UnknownHostException e) {
      throw new IllegalStateException("BUG: 4 bytes are always an address", e);
    }
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
    return SocketAddress.inetSocketAddress(port, host());
  }

  /** True for loopback, RFC 1918, link-local and unique-local addresses: a LAN candidate. */
  public boolean isPrivate() {
    String host = host();
    return host.startsWith("10.") || host.startsWith("192.168.") || host.startsWith("127.")
      || host.matches("172\\.(1[6-9]|2[0-9]|3[01])\\..*") || host.startsWith("169.254.")
      || host.equals("::1") || host.toLowerCase().startsWith("fe80:") || host.toLowerCase().startsWith("fd");
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Endpoint e && port == e.port && ipv4 == e.ipv4 && java.util.Objects.equals(text, e.text);
  }

  @Override
  public int hashCode() {
    // The address's bits mixed (a golden-ratio multiply) so that neighbouring addresses and ports spread.
    return (text != null ? text.hashCode() : ipv4 * GOLDEN_RATIO_32) * 31 + port;
  }

  @Override
  public String toString() {
    return isIpv6() ? "[" + text + "]:" + port : host() + ":" + port;
  }
}
