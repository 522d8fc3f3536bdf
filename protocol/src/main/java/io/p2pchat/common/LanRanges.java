package io.p2pchat.common;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The address ranges a host candidate may lie in: a host candidate is one of a client's own
 * interface addresses, worth probing only by a peer on the same LAN. An address outside every LAN
 * range is someone else's (a victim's) and is never probed, so a registrant cannot make a room
 * flood it (docs/SECURITY.md, "Host candidates"). The rendezvous drops such candidates at
 * registration and every node drops them again from an introduction.
 *
 * <p>Loopback is a LAN only for a client that itself speaks from loopback (tests and the demo), and
 * then only its own address: any other loopback address is another process's.
 *
 * <p>Immutable; hosts are numeric literals (as {@link io.p2pchat.wire.Endpoint#parse} checks), never
 * looked up by name.
 */
public final class LanRanges {

  /**
   * The ranges every deployment treats as LAN: RFC 1918, RFC 6598's shared address space (CGNAT
   * inside addresses), IPv4 link-local (RFC 3927), IPv6 unique-local (RFC 4193) and link-local.
   */
  public static final List<String> DEFAULT_RANGES = List.of(
    "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "169.254.0.0/16", "fc00::/7", "fe80::/10");
  /** Extra ranges a config may add: a site's few LANs, bounded since each candidate is checked against all. */
  public static final int MAX_EXTRA_RANGES = 32;
  private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
  private static final int IPV6_BYTES = 16;
  /**
   * A global IPv6 host candidate must share its first 64 bits with the address its registration came
   * from: a /64 is one link (RFC 4291 2.5.1's interface identifiers are 64 bits), the registrant's own
   * LAN, so a room can be aimed only at the registrant's own link, as with IPv4 LAN ranges.
   */
  private static final int SUBNET_BYTES = 8;
  /** 2000::/3: the first three bits 001. */
  private static final int GLOBAL_UNICAST_MASK = 0xe0;
  private static final int GLOBAL_UNICAST_PREFIX = 0x20;
  /** The ranges of {@link #DEFAULT_RANGES} and nothing else (after {@link #IPV4}, which it needs). */
  public static final LanRanges DEFAULT = new LanRanges(List.of());

  /** One CIDR block: the network's bytes and the prefix length. */
  private record Block(byte[] network, int prefix) {
    boolean contains(byte[] address) {
      if (address.length != network.length) {
        return false;
      }
      int full = prefix / 8;
      for (int i = 0; i < full; i++) {
        if (address[i] != network[i]) {
          return false;
        }
      }
      int rest = prefix % 8;
      if (rest == 0) {
        return true;
      }
      int mask = (0xff << (8 - rest)) & 0xff;
      return (address[full] & mask) == (network[full] & mask);
    }
  }

  private final List<Block> blocks = new ArrayList<>();
  private final List<String> extra;

  /**
   * The default ranges plus {@code extra} CIDR blocks ({@code "192.0.2.0/24"}, {@code "2001:db8::/32"}).
   *
   * @throws ConfigException on a malformed block or more than {@link #MAX_EXTRA_RANGES}
   */
  public LanRanges(List<String> extra) {
    if (extra.size() > MAX_EXTRA_RANGES) {
      throw new ConfigException("at most " + MAX_EXTRA_RANGES + " extra LAN ranges (got " + extra.size() + ")");
    }
    for (String cidr : DEFAULT_RANGES) {
      blocks.add(parse(cidr));
    }
    for (String cidr : extra) {
      blocks.add(parse(cidr));
    }
    this.extra = List.copyOf(extra);
  }

  /** The extra ranges, as configured. */
  public List<String> extra() {
    return extra;
  }

  /**
   * True if a peer may probe host candidate {@code candidateHost} of a client whose public address
   * (where its registration came from) has host {@code publicHost}: the candidate is in a LAN range,
   * or both are loopback and the candidate is the client's own address, or the candidate is a global
   * IPv6 address in the same /64 as an IPv6 {@code publicHost} (the registration arrived over IPv6
   * from that link: docs/SECURITY.md, "Clients as amplifiers against third parties").
   */
  public boolean allowsHostCandidate(String candidateHost, String publicHost) {
    byte[] candidate = bytes(candidateHost);
    if (candidate == null) {
      return false;
    }
    if (isLoopback(candidate)) {
      byte[] source = bytes(publicHost);
      return source != null && java.util.Arrays.equals(candidate, source);
    }
    if (isGlobalIpv6(candidate)) {
      byte[] source = bytes(publicHost);
      if (source != null && source.length == IPV6_BYTES && java.util.Arrays.equals(candidate, 0, SUBNET_BYTES,
          source, 0, SUBNET_BYTES)) {
        return true;
      }
    }
    for (Block b : blocks) {
      if (b.contains(candidate)) {
        return true;
      }
    }
    return false;
  }

  /**
   * True for an IPv6 global unicast address (2000::/3, RFC 4291 2.4): reachable without NAT, so it is a
   * host candidate only under the /64 rule of {@link #allowsHostCandidate}.
   */
  public static boolean isGlobalIpv6(String host) {
    byte[] address = bytes(host);
    return address != null && isGlobalIpv6(address);
  }

  private static boolean isGlobalIpv6(byte[] address) {
    return address.length == IPV6_BYTES && (address[0] & GLOBAL_UNICAST_MASK) == GLOBAL_UNICAST_PREFIX;
  }

  private static boolean isLoopback(byte[] address) {
    if (address.length == 4) {
      return (address[0] & 0xff) == 127;
    }
    for (int i = 0; i < 15; i++) {
      if (address[i] != 0) {
        return false;
      }
    }
    return address[15] == 1;
  }

  /** The bytes of a numeric literal, or null for anything else (never a name lookup). */
  private static byte[] bytes(String host) {
    if (host == null || !(IPV4.matcher(host).matches() || host.indexOf(':') >= 0)) {
      return null;
    }
    try {
      return InetAddress.getByName(host).getAddress();
    } catch (UnknownHostException | SecurityException e) {
      return null;
    }
  }

  private static Block parse(String cidr) {
    int slash = cidr.indexOf('/');
    byte[] network = slash > 0 ? bytes(cidr.substring(0, slash)) : null;
    if (network == null) {
      throw new ConfigException("not a CIDR block (like 192.0.2.0/24): " + cidr);
    }
    int prefix;
    try {
      prefix = Integer.parseInt(cidr.substring(slash + 1));
    } catch (NumberFormatException e) {
      throw new ConfigException("bad prefix length in " + cidr);
    }
    if (prefix < 0 || prefix > network.length * 8) {
      throw new ConfigException("prefix length out of range in " + cidr);
    }
    return new Block(network, prefix);
  }
}
