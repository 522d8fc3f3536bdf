package io.p2pchat.node;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.datagram.DatagramSocket;
import io.vertx.core.datagram.DatagramSocketOptions;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The kernel receive buffer is set on Vert.x's channel through a private field: this fails first
 * when a Vert.x upgrade renames it (the sockets would fall back to the kernel default).
 */
@ExtendWith(VertxExtension.class)
class UdpSocketsTest {

  @Test
  void receiveBufferIsEnlargedOnThisVertx(Vertx vertx) {
    DatagramSocket socket = vertx.createDatagramSocket(new DatagramSocketOptions());
    try {
      assertTrue(UdpSockets.setReceiveBuffer(socket, UdpSockets.RECEIVE_BUFFER_BYTES),
        "Vert.x's DatagramSocketImpl has no 'channel' field any more");
    } finally {
      socket.close();
    }
  }
}
