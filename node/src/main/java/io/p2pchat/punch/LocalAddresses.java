package io.p2pchat.punch;

import io.p2pchat.wire.Control;
import io.p2pchat.wire.Endpoint;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The node's host candidates: the addresses of its own interfaces with the bound port, reported
 * at registration so peers on the same LAN can reach it without the router (which usually does
 * not hairpin). Blocking (interface enumeration): call on a worker.
 */
final class LocalAddresses {

  private LocalAddresses() {
  }

  static List<Endpoint> of(String bindHost, int port) throws SocketException {
    List<Endpoint> out = new ArrayList<>();
    if (!bindHost.equals("0.0.0.0") && !bindHost.equals("::")) {
      out.add(new Endpoint(bindHost, port));
      return out;
    }
    for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
      if (!nic.isUp() || nic.isLoopback()) {
        continue;
      }
      for (InetAddress addr : Collections.list(nic.getInetAddresses())) {
        if (addr instanceof Inet4Address && out.size() < Control.MAX_LOCAL_CANDIDATES) {
          out.add(new Endpoint(addr.getHostAddress(), port));
        }
      }
    }
    if (out.isEmpty()) {
      out.add(new Endpoint("127.0.0.1", port));
    }
    return out;
  }
}
