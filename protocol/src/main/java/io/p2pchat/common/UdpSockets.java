package io.p2pchat.common;

import io.vertx.core.Vertx;
import io.vertx.core.datagram.DatagramSocket;
import io.vertx.core.datagram.DatagramSocketOptions;

import java.lang.reflect.Field;

/**
 * Creates the UDP sockets of a node and of the rendezvous with a large kernel receive buffer.
 *
 * <p>{@link DatagramSocketOptions#setReceiveBufferSize} cannot be used for that: Vert.x 5 also
 * makes it the size of the buffer it allocates for every datagram read (a Netty
 * {@code FixedRecvByteBufAllocator}), so 4 MiB cost a 4 MiB allocation and zeroing per datagram
 * (~100 µs: it capped a node at ~10k datagrams/s). The socket therefore keeps Netty's 2 KiB read
 * buffer, and the kernel buffer is set on its channel directly, a private field of Vert.x's
 * implementation. If a Vert.x version renames it, the socket keeps the kernel's default
 * ({@code net.core.rmem_default}) and {@link #create} logs it.
 */
public final class UdpSockets {

  /** Kernel receive buffer asked for: a burst of ~3,000 full datagrams survives a short GC pause. */
  public static final int RECEIVE_BUFFER_BYTES = 4 << 20;
  /** Kernel send buffer: a burst queues in the kernel rather than failing. */
  public static final int SEND_BUFFER_BYTES = 4 << 20;

  private UdpSockets() {
  }

  /** A socket with both buffers set (the receive buffer when this Vert.x allows it, else logged). */
  public static DatagramSocket create(Vertx vertx, NodeLog log) {
    DatagramSocket socket = vertx.createDatagramSocket(new DatagramSocketOptions().setSendBufferSize(SEND_BUFFER_BYTES));
    if (!setReceiveBuffer(socket, RECEIVE_BUFFER_BYTES)) {
      log.info("UDP receive buffer left at the kernel default (net.core.rmem_default)");
    }
    if (vertx.isNativeTransportEnabled()) {
      log.info("UDP on the native epoll transport");
    } else {
      Throwable why = vertx.unavailableNativeTransportCause();
      log.info("UDP on Java NIO ({})", why == null ? "native transport not asked for" : why.getMessage());
    }
    return socket;
  }

  /** True when the kernel receive buffer of {@code socket} was set to {@code bytes}. */
  public static boolean setReceiveBuffer(DatagramSocket socket, int bytes) {
    try {
      Field field = socket.getClass().getDeclaredField("channel");
      field.setAccessible(true);
      Object channel = field.get(socket);
      if (channel instanceof io.netty.channel.socket.DatagramChannel datagramChannel) {
        datagramChannel.config().setReceiveBufferSize(bytes);
        return true;
      }
      return false;
    } catch (ReflectiveOperationException | RuntimeException notThisVertx) {
      return false;
    }
  }
}
