package io.p2pchat.node;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The kernel receive buffer is set on Vert.x's channel through a private field: this fails first
 * when a Vert.x upgrade renames it (the sockets would silently fall back to the kernel default).
 */
@ExtendWith(VertxExtension.class)
class UdpSocketsTest {

  @Test
  void receiveBufferIsEnlargedOnThisVertx(Vertx vertx) {
    UdpSockets.Created created = UdpSockets.create(vertx);
    try {
      assertTrue(created.receiveBufferSet(), "Vert.x's DatagramSocketImpl has no 'channel' field any more");
    } finally {
      created.socket().close();
    }
  }
}
