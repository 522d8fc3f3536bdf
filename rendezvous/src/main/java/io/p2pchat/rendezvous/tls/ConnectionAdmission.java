package io.p2pchat.rendezvous.tls;

import io.p2pchat.wire.Endpoint;
import io.p2pchat.wire.StreamEndpoint;

import java.util.HashMap;
import java.util.Map;

/**
 * Which WebSocket upgrades the ingress takes: at most {@code maxPerHost} held per source network and
 * {@code maxConnections} in all. A source network is what the UDP side's per-host limits count by
 * ({@link Endpoint#network}): an IPv4 address, or an IPv6 address's /64, since one IPv6 subscriber may
 * connect from any of its /64's 2^64 addresses. A connection is held from its admission (the upgrade
 * under way) until {@link #release}. Pure state, no I/O; lives on the verticle's event loop.
 */
final class ConnectionAdmission {

  /** What {@link #admit} decided. */
  enum Verdict {
    /** Taken, and counted until released. */
    ADMITTED,
    /** The source network holds its {@code maxPerHost} already. */
    HOST_FULL,
    /** {@code maxConnections} are held already. */
    FULL
  }

  private final int maxConnections;
  private final int maxPerHost;
  /** Connections held per source network; a network leaves the map with its last connection. */
  private final Map<String, Integer> perNetwork = new HashMap<>();
  private int held;

  ConnectionAdmission(int maxConnections, int maxPerHost) {
    if (maxConnections < 1 || maxPerHost < 1) {
      throw new IllegalArgumentException("BUG: bounds must be positive (" + maxConnections + ", " + maxPerHost + ")");
    }
    this.maxConnections = maxConnections;
    this.maxPerHost = maxPerHost;
  }

  /** The source network {@code remoteIp} counts in. */
  static String network(String remoteIp) {
    return new Endpoint(remoteIp, StreamEndpoint.PORT).network();
  }

  /** Admits a connection from {@code remoteIp} (counted until {@link #release}), or says which bound refuses it. */
  Verdict admit(String remoteIp) {
    if (held >= maxConnections) {
      return Verdict.FULL;
    }
    String network = network(remoteIp);
    if (perNetwork.getOrDefault(network, 0) >= maxPerHost) {
      return Verdict.HOST_FULL;
    }
    perNetwork.merge(network, 1, Integer::sum);
    held++;
    return Verdict.ADMITTED;
  }

  /** A connection admitted from {@code remoteIp} closed, or its upgrade failed. */
  void release(String remoteIp) {
    String network = network(remoteIp);
    Integer count = perNetwork.get(network);
    if (count == null) {
      throw new IllegalStateException("BUG: a connection from " + remoteIp + " released but never admitted");
    }
    if (count > 1) {
      perNetwork.put(network, count - 1);
    } else {
      perNetwork.remove(network);
    }
    held--;
  }

  /** Connections held (open, or upgrading). */
  int held() {
    return held;
  }

  /** Source networks holding a connection now: what the map costs. */
  int networks() {
    return perNetwork.size();
  }
}
