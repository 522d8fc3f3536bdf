package io.p2pchat.node;

import io.p2pchat.app.P2pChatLauncher;
import io.p2pchat.common.UdpSockets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.datagram.DatagramSocket;
import io.vertx.core.datagram.DatagramSocketOptions;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.concurrent.TimeUnit;

/**
 * The kernel receive buffer is set on Vert.x's channel through a private field: this fails first
 * when a Vert.x upgrade renames it (the sockets would fall back to the kernel default). The
 * launcher runs nodes on the native epoll transport: it must load here (Linux x86-64, as CI) and
 * carry datagrams with the enlarged buffer.
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

  @Test
  void theNativeTransportTheLauncherAsksForLoadsAndCarriesDatagrams(VertxTestContext ctx) throws Throwable {
    Vertx vertx = Vertx.vertx(P2pChatLauncher.preferNativeTransport(new VertxOptions()));
    assertTrue(vertx.isNativeTransportEnabled(), "native transport unavailable: " + vertx.unavailableNativeTransportCause());
    DatagramSocket receiver = vertx.createDatagramSocket(new DatagramSocketOptions());
    DatagramSocket sender = vertx.createDatagramSocket(new DatagramSocketOptions());
    assertTrue(UdpSockets.setReceiveBuffer(receiver, UdpSockets.RECEIVE_BUFFER_BYTES));
    receiver.handler(packet -> ctx.verify(() -> {
      assertEquals("over epoll", packet.data().toString());
      ctx.completeNow();
    }));
    receiver.listen(0, "127.0.0.1")
      .compose(r -> sender.send(Buffer.buffer("over epoll"), r.localAddress().port(), "127.0.0.1"))
      .onFailure(ctx::failNow);
    try {
      assertTrue(ctx.awaitCompletion(30, TimeUnit.SECONDS));
      if (ctx.failed()) {
        throw ctx.causeOfFailure();
      }
    } finally {
      vertx.close().await();
    }
  }
}
