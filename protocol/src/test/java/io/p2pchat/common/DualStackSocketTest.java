package io.p2pchat.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.p2pchat.wire.Endpoint;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 16: the two sockets on real loopback sockets, on both of Vert.x's transports. Each datagram
 * reaches the one handler with its sender in canonical form, leaves from the socket of its
 * destination's family, and IPv6 turned off lets no IPv6 datagram in, even through the native
 * transport's dual-stack wildcard socket.
 */
class DualStackSocketTest {

  /** Generous for a loaded 2-core machine; a datagram on loopback takes microseconds. */
  private static final long WAIT_SECONDS = 20;

  private Vertx vertx;

  @AfterEach
  void close() throws Exception {
    if (vertx != null) {
      vertx.close().toCompletionStage().toCompletableFuture().get(WAIT_SECONDS, TimeUnit.SECONDS);
    }
  }

  /** Binds on a fresh Vert.x; received datagrams go to {@code in} as "sender text". */
  private DualStackSocket listen(boolean nativeTransport, String host, String host6, BlockingQueue<String> in)
    throws Exception {
    vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(nativeTransport).setEventLoopPoolSize(1));
    if (nativeTransport) {
      assumeTrue(vertx.isNativeTransportEnabled(), "the native transport is there (Linux x86-64)");
    }
    NodeLog log = NodeLog.of(DualStackSocketTest.class, "dual", "target/dual-stack-test");
    DualStackSocket socket = DualStackSocket.create(vertx, log);
    socket.handler(p -> in.add(Endpoint.of(p.sender()) + " " + p.data().toString(StandardCharsets.UTF_8)));
    return socket.listen(0, host, host6).toCompletionStage().toCompletableFuture().get(WAIT_SECONDS, TimeUnit.SECONDS);
  }

  private static String take(BlockingQueue<String> in) throws InterruptedException {
    String line = in.poll(WAIT_SECONDS, TimeUnit.SECONDS);
    assertTrue(line != null, "a datagram arrived within " + WAIT_SECONDS + " s");
    return line;
  }

  private static void send(DatagramSocket from, String text, String host, int port) throws Exception {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    from.send(new DatagramPacket(bytes, bytes.length, InetAddress.getByName(host), port));
  }

  @Test
  void nioTwoSocketsOnOnePortEachFamilyInAndOutOfItsOwn() throws Exception {
    BlockingQueue<String> in = new LinkedBlockingQueue<>();
    DualStackSocket socket = listen(false, "127.0.0.1", "::1", in);
    assertEquals(socket.localAddress().port(), socket.localAddress6().port(), "the same port, free on ::1");
    try (DatagramSocket four = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
         DatagramSocket six = new DatagramSocket(new InetSocketAddress("::1", 0))) {
      send(four, "v4", "127.0.0.1", socket.localAddress().port());
      assertEquals("127.0.0.1:" + four.getLocalPort() + " v4", take(in));
      send(six, "v6", "::1", socket.localAddress6().port());
      assertEquals("[::1]:" + six.getLocalPort() + " v6", take(in), "one canonical spelling");
      // Out: the IPv6 destination gets it from the IPv6 socket.
      socket.send(Buffer.buffer("back"), new Endpoint("::1", six.getLocalPort()));
      six.setSoTimeout((int) TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
      DatagramPacket answer = new DatagramPacket(new byte[16], 16);
      six.receive(answer);
      assertEquals(new InetSocketAddress("::1", socket.localAddress6().port()), answer.getSocketAddress());
    }
  }

  @Test
  void nativeWildcardIsOneDualStackSocket() throws Exception {
    BlockingQueue<String> in = new LinkedBlockingQueue<>();
    DualStackSocket socket = listen(true, "0.0.0.0", "::", in);
    assertTrue(socket.hasIpv6());
    assertEquals(socket.localAddress().port(), socket.localAddress6().port());
    try (DatagramSocket six = new DatagramSocket(new InetSocketAddress("::1", 0))) {
      send(six, "v6", "::1", socket.localAddress().port());
      assertEquals("[::1]:" + six.getLocalPort() + " v6", take(in), "not 0:0:0:0:0:0:0:1%0");
    }
  }

  /** IPv6 off beside the native dual-stack wildcard socket: the IPv6 datagram never reaches the handler. */
  @Test
  void nativeWildcardWithIpv6OffLetsNoIpv6In() throws Exception {
    BlockingQueue<String> in = new LinkedBlockingQueue<>();
    DualStackSocket socket = listen(true, "0.0.0.0", "none", in);
    assertFalse(socket.hasIpv6());
    try (DatagramSocket six = new DatagramSocket(new InetSocketAddress("::1", 0));
         DatagramSocket four = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
      // The kernel queues both on the one socket in this order: when the second is read, the first was.
      send(six, "v6", "::1", socket.localAddress().port());
      send(four, "v4", "127.0.0.1", socket.localAddress().port());
      assertEquals("127.0.0.1:" + four.getLocalPort() + " v4", take(in), "the IPv6 one was dropped before it");
      assertTrue(socket.send(Buffer.buffer("x"), new Endpoint("::1", six.getLocalPort()))
        .toCompletionStage().toCompletableFuture().handle((v, e) -> e != null).get(), "nothing leaves for IPv6");
    }
  }
}
