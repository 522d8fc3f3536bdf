package io.p2pchat.wire;

import io.vertx.core.net.SocketAddress;

/**
 * A UDP address as a map key and as text: {@code 203.0.113.7:4000} or {@code [2001:db8::1]:4000}.
 * The host is always a numeric address, never a name to resolve.
 */
public record Endpoint(String host, int port) {

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
    if (!host.matches("[0-9a-fA-F.:]+")) {
      throw new WireException(DropReason.MALFORMED, "host is not a numeric address");
    }
    try {
      return new Endpoint(host, Integer.parseInt(text.substring(colon + 1)));
    } catch (IllegalArgumentException e) {
      throw new WireException(DropReason.MALFORMED, "bad port");
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
