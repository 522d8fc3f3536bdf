package io.p2pchat.wire;

import io.vertx.core.net.SocketAddress;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/**
 * A UDP address as a map key and as text: {@code 203.0.113.7:4000} or {@code [2001:db8::1]:4000}.
 * The host is always a numeric address, never a name to resolve.
 */
public record Endpoint(String host, int port) {

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
