package io.p2pchat.metrics;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.p2pchat.node.TestNet;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.core.Vertx;
import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two nodes with no rendezvous find each other by LAN discovery (mDNS on this machine's LAN address) and go
 * {@code direct-lan}: the time from that LAN introduction to the direct path lands in
 * {@code p2pchat_node_direct_path_time_seconds{path="direct-lan"}}, a real time (above zero, under the time the
 * test took). Red before the fix: a LAN introduction never started that clock, so nothing was recorded (count 0).
 * Skipped on a machine with no multicast-capable IPv4 interface besides loopback.
 */
@Timeout(120)
@ExtendWith(VertxExtension.class)
class LanPathTimeTest {

  /** A scrape on a loaded 2-core machine, and the wait for the 1 s refresh of the node's figures: generous. */
  private static final long WAIT_SECONDS = 60;
  private static final String COUNT = "p2pchat_node_direct_path_time_seconds_count{path=\"direct-lan\"}";
  private static final String SUM = "p2pchat_node_direct_path_time_seconds_sum{path=\"direct-lan\"}";

  private final Scrapes scrapes = new Scrapes(WAIT_SECONDS);

  @Test
  void aPathFoundByLanDiscoveryIsTimedFromItsIntroduction(Vertx vertx, @TempDir Path dir) throws Exception {
    String lan = lanAddress();
    assumeTrue(lan != null, "no multicast-capable IPv4 interface besides loopback");
    long started = System.nanoTime();
    TestNet net = new TestNet(vertx, dir);
    int silent = silentPort();
    // A room of its own: another test's nodes on this LAN never answer ours.
    String room = "lan-time-" + UUID.randomUUID();
    TestNet.Node alice = net.node(lanConfig(net, "alice", silent, lan, room)
      .put("metrics", new JsonObject().put("port", 0)));
    net.node(lanConfig(net, "bob", silent, lan, room));

    alice.awaitPeer("bob", "direct-lan");
    int metricsPort = alice.verticle.metricsPort();
    assertTrue(scrapes.awaitValue(metricsPort, COUNT, v -> v >= 1) >= 1, "the LAN path's time is recorded");
    double seconds = Scrapes.value(scrapes.scrape(metricsPort), SUM);
    double elapsed = (System.nanoTime() - started) / 1e9;
    assertTrue(seconds > 0 && seconds < elapsed,
      "time to the LAN path " + seconds + " s, the test has run " + elapsed + " s");
  }

  private static JsonObject lanConfig(TestNet net, String nick, int rendezvousPort, String lan, String room) {
    JsonObject config = net.nodeConfig(nick, rendezvousPort).put("room", room)
      .put("lanRanges", new JsonArray().add(lan + "/32"));
    config.getJsonObject("bind").put("host", lan);
    return config;
  }

  /** A UDP port nobody answers on: the rendezvous stays silent, so only LAN discovery introduces the nodes. */
  private static int silentPort() throws SocketException {
    try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  /** This machine's first IPv4 address on an interface that is up and multicasts, or null. */
  private static String lanAddress() throws SocketException {
    for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
      if (!nif.isUp() || nif.isLoopback() || !nif.supportsMulticast()) {
        continue;
      }
      for (InetAddress address : Collections.list(nif.getInetAddresses())) {
        if (address instanceof Inet4Address) {
          return address.getHostAddress();
        }
      }
    }
    return null;
  }
}
