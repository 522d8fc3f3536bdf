package io.p2pchat.rendezvous.tls;

import io.p2pchat.wire.Endpoint;
import io.p2pchat.wire.StreamEndpoint;
import io.vertx.core.buffer.Buffer;

/**
 * What the rendezvous needs of its stream connections, by their synthetic {@link StreamEndpoint}: the one
 * place that decides where a datagram to such an endpoint goes (its WebSocket, never the UDP socket), and
 * which real address a connection counts against for per-ip limits.
 */
public interface StreamEndpoints {

  /**
   * Writes {@code datagram} to the connection behind {@code to} as one binary message, or drops and
   * counts it when that connection is closed or its write queue is full.
   */
  void send(Endpoint to, Buffer datagram);

  /**
   * The ip a per-ip limit counts {@code from} against ({@link Endpoint#networkKey}): the connection's real remote
   * ip, else {@code from}'s own.
   */
  long hostOf(Endpoint from);

  /** No stream connections (TLS off): a datagram to a synthetic endpoint is dropped. */
  static StreamEndpoints none() {
    return new StreamEndpoints() {
      @Override
      public void send(Endpoint to, Buffer datagram) {
      }

      @Override
      public long hostOf(Endpoint from) {
        return from.networkKey();
      }
    };
  }
}
