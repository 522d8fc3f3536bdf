package io.p2pchat.bench;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Where simulated client {@code i} speaks from: one {@code ip:port} of its own in 127.0.0.0/8 (all of it
 * is loopback on Linux, no setup needed), because the rendezvous keys a registration by its source
 * address. Client {@code i} is host {@code i % hosts} (127.1.0.0 upward: 127.0.0.x is left to the
 * rendezvous and to everything else on the machine) at port {@code basePort + i / hosts}.
 *
 * <p>No OS socket is held per client: a socket is bound to a client's address only while that client
 * has something to send and await (its handshake and register, a keep-alive, a re-registration), without
 * {@code SO_REUSEADDR} (so two runs that met on one address would fail loudly, not steal answers), and closed after, so the same address is bound again at its next turn. A
 * million clients cost as many sockets as there are worker threads.
 *
 * @param firstHost the first of the plan's hosts (0 is 127.1.0.0): a test picks a block of its own at random, so
 *                 two runs on one machine never share a source address
 * @param hosts    distinct source ips (at most {@link #MAX_HOSTS} - {@code firstHost})
 * @param basePort first source port of each host: below the ephemeral range (32768-60999), so no other
 *                 program on the machine is handed one of these by the kernel
 */
record SourceAddresses(int firstHost, int hosts, int basePort) {

  /** 127.1.0.0 .. 127.254.255.255: far more than the 3,000,000 clients the bench goes to need. */
  static final int MAX_HOSTS = 254 * 65_536;
  /** Source ports start here (below Linux's ephemeral range: a client's port is never taken by another program). */
  static final int BASE_PORT = 20_000;
  /** Clients per source ip by default: 1,000,000 clients come from 62,500 ips at ports 20000..20015. */
  static final int CLIENTS_PER_HOST = 16;

  SourceAddresses {
    if (firstHost < 0 || hosts < 1 || hosts > MAX_HOSTS - firstHost) {
      throw new IllegalArgumentException("hosts must be 1.." + (MAX_HOSTS - firstHost) + ": " + hosts);
    }
  }

  /**
   * The default plan for {@code clients}: {@link #CLIENTS_PER_HOST} each, from a block of hosts picked at
   * random, so two bench runs on one machine at once (helpers sharing it) do not meet on one address.
   */
  static SourceAddresses forClients(int clients) {
    int hosts = Math.max(1, Math.min(MAX_HOSTS, (clients + CLIENTS_PER_HOST - 1) / CLIENTS_PER_HOST));
    return new SourceAddresses(ThreadLocalRandom.current().nextInt(MAX_HOSTS - hosts + 1), hosts, BASE_PORT);
  }

  /** Source address of client {@code i}. */
  InetSocketAddress of(int i) {
    int host = firstHost + i % hosts;
    int port = basePort + i / hosts;
    if (port > 65_535) {
      throw new IllegalArgumentException("client " + i + " needs port " + port + ": use more hosts");
    }
    byte[] ip = {127, (byte) (1 + host / 65_536), (byte) (host / 256 % 256), (byte) (host % 256)};
    try {
      return new InetSocketAddress(InetAddress.getByAddress(ip), port);
    } catch (UnknownHostException e) {
      throw new IllegalStateException("4 bytes are always an address", e);
    }
  }
}
