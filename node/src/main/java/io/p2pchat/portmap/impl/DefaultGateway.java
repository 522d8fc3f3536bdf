package io.p2pchat.portmap.impl;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The IPv4 default gateway (from {@code /proc/net/route}) and our address toward it (what the kernel picks as
 * the source: a connected UDP socket, no packet sent). File and socket calls: run it off the event loop.
 *
 * @param gateway the gateway, dotted
 * @param local our address on its network, dotted
 */
public record DefaultGateway(String gateway, String local) {

  static final Path ROUTE_TABLE = Path.of("/proc/net/route");
  /** RTF_GATEWAY in a route's flags: the route goes through a gateway. */
  static final int RTF_GATEWAY = 0x2;
  /** RTF_UP: the route is usable. */
  static final int RTF_UP = 0x1;

  /** Reads the route table and asks the kernel for our source address; null when there is no IPv4 default route. */
  public static DefaultGateway find() throws IOException {
    if (!Files.isReadable(ROUTE_TABLE)) {
      return null;
    }
    String gateway = parseRouteTable(Files.readAllLines(ROUTE_TABLE));
    if (gateway == null) {
      return null;
    }
    try (DatagramSocket probe = new DatagramSocket()) {
      probe.connect(new InetSocketAddress(InetAddress.getByName(gateway), NatPmpCodec.PORT));
      InetAddress local = probe.getLocalAddress();
      if (!(local instanceof Inet4Address) || local.isAnyLocalAddress()) {
        return null;
      }
      return new DefaultGateway(gateway, local.getHostAddress());
    }
  }

  /** The gateway of the first usable default route in {@code /proc/net/route}'s lines, dotted, or null. */
  static String parseRouteTable(List<String> lines) {
    for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
      String[] f = line.trim().split("\\s+");
      if (f.length < 4 || !f[1].equals("00000000")) {
        continue;
      }
      try {
        int flags = Integer.parseInt(f[3], 16);
        long gw = Long.parseLong(f[2], 16);
        if ((flags & (RTF_GATEWAY | RTF_UP)) != (RTF_GATEWAY | RTF_UP) || gw == 0) {
          continue;
        }
        // The kernel prints the address in host byte order: little-endian here, so the first octet is lowest.
        return (gw & 0xff) + "." + ((gw >> 8) & 0xff) + "." + ((gw >> 16) & 0xff) + "." + ((gw >> 24) & 0xff);
      } catch (NumberFormatException e) {
        continue;
      }
    }
    return null;
  }
}
