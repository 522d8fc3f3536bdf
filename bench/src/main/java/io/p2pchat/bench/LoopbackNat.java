package io.p2pchat.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.datagram.DatagramSocket;
import io.vertx.core.net.SocketAddress;

/**
 * A node's way to the rendezvous over UDP on one machine, standing for the network between them: the
 * node is configured with {@link #port()} as its rendezvous port. {@link #open()}: a NAT whose firewall
 * lets in only what the rendezvous sends back (the node registers, but no peer can reach it directly,
 * so a pair of such nodes is relayed); {@link #blocked()}: a network that drops every UDP datagram (a
 * node behind it falls back to the rendezvous's TLS port).
 */
final class LoopbackNat {

  private static final String LOOPBACK = "127.0.0.1";

  /** The side the node sends to: its "rendezvous". */
  private final DatagramSocket inside;
  /** The side the rendezvous sees: the node's public address. */
  private final DatagramSocket outside;
  private final int rendezvousPort;
  private final boolean forwarding;
  private SocketAddress node;

  private LoopbackNat(Vertx vertx, int rendezvousPort, boolean forwarding) {
    this.inside = vertx.createDatagramSocket();
    this.outside = vertx.createDatagramSocket();
    this.rendezvousPort = rendezvousPort;
    this.forwarding = forwarding;
  }

  /** A NAT in front of a node that forwards its rendezvous traffic and nothing else. */
  static Future<LoopbackNat> open(Vertx vertx, int rendezvousPort) {
    return new LoopbackNat(vertx, rendezvousPort, true).listen();
  }

  /** A network that drops all UDP. */
  static Future<LoopbackNat> blocked(Vertx vertx) {
    return new LoopbackNat(vertx, 0, false).listen();
  }

  private Future<LoopbackNat> listen() {
    inside.handler(packet -> {
      node = packet.sender();
      if (forwarding) {
        outside.send(packet.data(), rendezvousPort, LOOPBACK);
      }
    });
    outside.handler(packet -> {
      // The firewall: only answers from the rendezvous come in (a peer's probe to this mapping is dropped).
      if (forwarding && node != null && packet.sender().port() == rendezvousPort) {
        inside.send(packet.data(), node.port(), node.host());
      }
    });
    return inside.listen(0, LOOPBACK).compose(s -> outside.listen(0, LOOPBACK)).map(s -> this);
  }

  /** The port the node is told is its rendezvous's. */
  int port() {
    return inside.localAddress().port();
  }

  Future<Void> close() {
    return Future.join(inside.close(), outside.close()).mapEmpty();
  }
}
