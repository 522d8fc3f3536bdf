package io.p2pchat.node;

import static io.p2pchat.node.TestNet.await;

import io.vertx.core.Vertx;
import io.vertx.core.datagram.DatagramSocket;
import io.vertx.core.net.SocketAddress;

/**
 * The UDP port a node takes for its rendezvous: drops everything until {@link #open}, then forwards
 * between the node and the real rendezvous (from a socket of its own, as a NAT would, letting in only
 * what comes from the rendezvous).
 */
final class UdpFirewall {
  /** A natted node's own loopback address: not the host of its public address, so nobody probes it from outside. */
  static final String NATTED_HOST = "127.0.0.2";

  private final DatagramSocket outside;
  private final DatagramSocket inside;
  private volatile boolean open;
  private volatile SocketAddress client;

  UdpFirewall(Vertx vertx, int rendezvousPort) throws Exception {
    outside = vertx.createDatagramSocket();
    inside = vertx.createDatagramSocket();
    await(outside.listen(0, "127.0.0.1"));
    await(inside.listen(0, "127.0.0.1"));
    outside.handler(p -> {
      client = p.sender();
      if (open) {
        inside.send(p.data(), rendezvousPort, "127.0.0.1");
      }
    });
    inside.handler(p -> {
      if (open && client != null && p.sender().port() == rendezvousPort) {
        outside.send(p.data(), client.port(), client.host());
      }
    });
  }

  /**
   * A node behind a NAT of its own, which lets in only what comes back from the rendezvous, bound to
   * another loopback address than the one its public address has: no peer can reach it directly, as none
   * could a node behind a firewall that drops UDP, so a pair with such a node is relayed.
   */
  static TestNet.Node nattedNode(TestNet net, String nick, int rendezvousPort) throws Exception {
    UdpFirewall nat = new UdpFirewall(net.vertx(), rendezvousPort);
    nat.open();
    io.vertx.core.json.JsonObject config = net.nodeConfig(nick, nat.port());
    config.getJsonObject("bind").put("host", NATTED_HOST);
    return net.node(config);
  }

  int port() {
    return outside.localAddress().port();
  }

  void open() {
    open = true;
  }
}
