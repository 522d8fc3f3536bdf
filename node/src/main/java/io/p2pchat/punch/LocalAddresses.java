package io.p2pchat.punch;

import io.p2pchat.common.DualStackSocket;
import io.p2pchat.common.LanRanges;
import io.p2pchat.wire.Control;
import io.p2pchat.wire.Endpoint;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The node's host candidates: the addresses of its own interfaces with the bound port, reported
 * at registration so peers on the same LAN can reach it without the router (which usually does
 * not hairpin). IPv4 first, then, when the node has an IPv6 socket, its IPv6 addresses with that
 * socket's port: global unicast ones (2000::/3, reachable without NAT; the rendezvous keeps them only
 * within the /64 the registration came from) and unique-local ones (fc00::/7, a LAN). Link-local
 * addresses (fe80::/10) are left out: sending to one needs the receiver's own interface (zone) for
 * it, which a peer's candidate cannot carry, and a peer on the same link has the others too.
 * Blocking (interface enumeration): call on a worker.
 */
final class LocalAddresses {

  /** The IPv4 wildcard: every interface's address is a candidate. */
  private static final String IPV4_ANY = "0.0.0.0";

  private LocalAddresses() {
  }

  /**
   * @param port6 the IPv6 socket's port, or -1 when the node has none
   */
  static List<Endpoint> of(String bindHost, int port, String bindHost6, int port6) throws SocketException {
    List<Endpoint> out = new ArrayList<>();
    boolean every4 = bindHost.equals(IPV4_ANY) || bindHost.equals(DualStackSocket.IPV6_WILDCARD);
    boolean every6 = port6 >= 0 && bindHost6.equals(DualStackSocket.IPV6_WILDCARD);
    if (!every4) {
      out.add(new Endpoint(bindHost, port));
    }
    if (port6 >= 0 && !every6) {
      out.add(new Endpoint(bindHost6, port6));
    }
    if (every4 || every6) {
      for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
        if (!nic.isUp() || nic.isLoopback()) {
          continue;
        }
        for (InetAddress addr : Collections.list(nic.getInetAddresses())) {
          if (every4 && addr instanceof Inet4Address && out.size() < Control.MAX_LOCAL_CANDIDATES) {
            out.add(new Endpoint(addr.getHostAddress(), port));
          }
        }
      }
      if (every6) {
        addIpv6(out, port6);
      }
    }
    if (out.isEmpty()) {
      out.add(new Endpoint("127.0.0.1", port));
    }
    return out;
  }

  /**
   * The first IPv4 candidate a gateway could forward to (not loopback), or null: a node bound to loopback only
   * has none, and neither a port mapping nor a LAN announcement can reach it.
   */
  static Endpoint lanIpv4(List<Endpoint> locals) {
    return locals.stream().filter(e -> !e.isIpv6() && !e.host().startsWith("127.")).findFirst().orElse(null);
  }

  /** The interfaces' global and unique-local IPv6 addresses, after the IPv4 ones, within the cap. */
  private static void addIpv6(List<Endpoint> out, int port6) throws SocketException {
    for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
      if (!nic.isUp() || nic.isLoopback()) {
        continue;
      }
      for (InetAddress addr : Collections.list(nic.getInetAddresses())) {
        if (addr instanceof Inet6Address six && out.size() < Control.MAX_LOCAL_CANDIDATES && isIpv6Candidate(six)) {
          out.add(new Endpoint(six.getHostAddress(), port6));
        }
      }
    }
  }

  /** Global unicast or unique-local: not link-local, loopback, multicast nor IPv4-mapped. */
  static boolean isIpv6Candidate(Inet6Address addr) {
    if (addr.isLinkLocalAddress() || addr.isLoopbackAddress() || addr.isMulticastAddress()) {
      return false;
    }
    String host = new Endpoint(addr.getHostAddress(), 0).host();
    return LanRanges.isGlobalIpv6(host) || LanRanges.DEFAULT.allowsHostCandidate(host, host);
  }
}
