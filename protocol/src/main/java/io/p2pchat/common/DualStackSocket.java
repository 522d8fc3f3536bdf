package io.p2pchat.common;

import io.p2pchat.wire.Endpoint;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.datagram.DatagramPacket;
import io.vertx.core.datagram.DatagramSocket;
import io.vertx.core.datagram.DatagramSocketOptions;
import io.vertx.core.net.SocketAddress;

import java.lang.reflect.Field;
import java.util.Set;

/**
 * The UDP sockets of a node or of the rendezvous: one for IPv4 and one for IPv6, both feeding the
 * same packet handler, and the one place that picks the socket for a destination by its family.
 *
 * <p>How Linux and Netty behave (measured here, Vert.x 5.0.7, Netty 4.2.9; docs/PROTOCOL.md,
 * "Sockets"):
 * <ul>
 *   <li>Netty's native epoll transport opens every datagram socket as {@code AF_INET6} with
 *   {@code IPV6_V6ONLY} off (Vert.x ignores {@link DatagramSocketOptions#setIpV6} there), and binds
 *   {@code 0.0.0.0} as {@code ::}: the IPv4 socket on the wildcard already receives IPv6, and a second
 *   socket on {@code [::]:port} cannot bind. Then that one socket serves both families
 *   ({@link #sharesIpv6Socket}). Bound to a specific IPv4 address it stays IPv4 (Netty binds the
 *   mapped {@code ::ffff:a.b.c.d}), and the IPv6 socket gets {@code IPV6_V6ONLY} set, so it never
 *   sees IPv4-mapped sources. IPv4 senders on a dual-stack socket are reported as IPv4 addresses.</li>
 *   <li>Java NIO opens an IPv4 socket as {@code AF_INET} and an IPv6 one as {@code AF_INET6} with
 *   {@code IPV6_V6ONLY} off (the JDK has no option to set it): an IPv6 wildcard socket then holds the
 *   IPv4 port too, so it cannot take the IPv4 socket's port when that is on the wildcard; it takes
 *   another ({@link #listen}: "else any"). {@link Endpoint} turns a mapped source into IPv4 anyway.</li>
 * </ul>
 * When the machine has no IPv6 (or the configured address does not exist) the IPv6 bind fails:
 * one WARN line, and the node or rendezvous runs on IPv4 alone. Never blocks; event loop only.
 */
public final class DualStackSocket {

  /** The value of {@code host6} / {@code bind.host6} that turns IPv6 off (so does an empty string). */
  public static final String IPV6_OFF = "none";
  /** The default IPv6 address: every interface, as {@code 0.0.0.0} is for IPv4. */
  public static final String IPV6_WILDCARD = "::";
  /** Linux {@code IPPROTO_IPV6} and {@code IPV6_V6ONLY} (netinet/in.h), for Netty's raw socket option. */
  private static final int IPPROTO_IPV6 = 41;
  private static final int IPV6_V6ONLY = 26;
  /** IPv4 wildcard spellings: an IPv4 socket bound there is dual-stack under the native transport. */
  private static final Set<String> IPV4_WILDCARD = Set.of("0.0.0.0");

  private final Vertx vertx;
  private final NodeLog log;
  private final DatagramSocket v4;
  /** The IPv6 socket: null when IPv6 is off or failed to bind; {@link #v4} itself when that one is dual-stack. */
  private DatagramSocket v6;
  private Handler<DatagramPacket> handler;

  private DualStackSocket(Vertx vertx, NodeLog log, DatagramSocket v4) {
    this.vertx = vertx;
    this.log = log;
    this.v4 = v4;
  }

  /** The IPv4 socket, made now (buffers set as {@link UdpSockets#create}); the IPv6 one is made by {@link #listen}. */
  public static DualStackSocket create(Vertx vertx, NodeLog log) {
    return new DualStackSocket(vertx, log, UdpSockets.create(vertx, log));
  }

  /**
   * The IPv6 address when none is configured: {@value #IPV6_WILDCARD} beside an IPv4 socket on every
   * interface ({@code 0.0.0.0}), none beside one bound to a single address (127.0.0.1, one interface of
   * a multi-homed host): whoever narrowed IPv4 to one address did not mean every IPv6 interface, and an
   * IPv4-only setup stays exactly as it was.
   */
  public static String defaultHost6(String host) {
    return IPV4_WILDCARD.contains(host) || IPV6_WILDCARD.equals(host) ? IPV6_WILDCARD : IPV6_OFF;
  }

  /** True when {@code host6} turns IPv6 off ({@value #IPV6_OFF} or empty). */
  public static boolean ipv6Off(String host6) {
    return host6 == null || host6.isBlank() || host6.equals(IPV6_OFF);
  }

  /** The one handler of every datagram of both sockets. */
  public DualStackSocket handler(Handler<DatagramPacket> handler) {
    this.handler = handler;
    v4.handler(handler);
    return this;
  }

  /**
   * Binds the IPv4 socket to {@code host:port} (a failure fails the whole), then the IPv6 one to
   * {@code host6} on the same port where free, else any; an IPv6 address that cannot be bound is one
   * WARN line and IPv4 alone. {@code host6} {@value #IPV6_OFF} or empty: IPv4 only.
   */
  public Future<DualStackSocket> listen(int port, String host, String host6) {
    return v4.listen(port, host).compose(bound -> {
      boolean shared = sharesIpv6Socket(host, bound.localAddress());
      if (ipv6Off(host6)) {
        if (shared) {
          // IPv6 off, but the native transport's wildcard socket receives it anyway: let none of it in.
          v4.handler(packet -> {
            if (!Endpoint.of(packet.sender()).isIpv6()) {
              handler.handle(packet);
            }
          });
        }
        return Future.succeededFuture(this);
      }
      if (shared && host6.equals(IPV6_WILDCARD)) {
        v6 = v4;
        log.info("IPv6 on the IPv4 socket: the native transport binds {} dual-stack", host);
        return Future.succeededFuture(this);
      }
      return listen6(bound.localAddress().port(), host6);
    });
  }

  /** True when the IPv4 socket, bound to the wildcard, is an IPv6 socket already (the native transport). */
  private static boolean sharesIpv6Socket(String host, SocketAddress bound) {
    String boundHost = bound.hostAddress() != null ? bound.hostAddress() : bound.host();
    return IPV4_WILDCARD.contains(host) && boundHost != null && boundHost.indexOf(':') >= 0;
  }

  private Future<DualStackSocket> listen6(int port, String host6) {
    return bind6(port, host6)
      .recover(sameTaken -> port == 0 ? Future.failedFuture(sameTaken) : bind6(0, host6))
      .map(s -> {
        v6 = s;
        return this;
      })
      .recover(e -> {
        log.warn("IPv6 off: cannot bind UDP [{}] ({}); running on IPv4 only", host6, e.getMessage());
        return Future.succeededFuture(this);
      });
  }

  private Future<DatagramSocket> bind6(int port, String host6) {
    DatagramSocket socket;
    try {
      socket = vertx.createDatagramSocket(new DatagramSocketOptions()
        .setIpV6(true).setSendBufferSize(UdpSockets.SEND_BUFFER_BYTES));
    } catch (RuntimeException noIpv6) {
      // Java NIO on a kernel without IPv6 refuses an AF_INET6 channel at once (UnsupportedOperationException).
      return Future.failedFuture(noIpv6);
    }
    UdpSockets.setReceiveBuffer(socket, UdpSockets.RECEIVE_BUFFER_BYTES);
    setIpv6Only(socket);
    socket.handler(handler);
    return socket.listen(port, host6)
      .recover(e -> socket.close().transform(closed -> Future.failedFuture(e)));
  }

  /**
   * Sets {@code IPV6_V6ONLY} where the transport lets us (Netty's native sockets take raw options),
   * so the IPv6 socket never receives IPv4-mapped traffic meant for the IPv4 one. Java NIO cannot:
   * its IPv6 sockets stay dual-stack (see the class comment).
   */
  private static void setIpv6Only(DatagramSocket socket) {
    try {
      Field field = socket.getClass().getDeclaredField("channel");
      field.setAccessible(true);
      Object channel = field.get(socket);
      if (channel instanceof io.netty.channel.Channel ch) {
        // NIO's config answers false to an option it does not know: nothing set, nothing thrown.
        ch.config().setOption(new io.netty.channel.unix.IntegerUnixChannelOption("IPV6_V6ONLY", IPPROTO_IPV6,
          IPV6_V6ONLY), 1);
      }
    } catch (ReflectiveOperationException | RuntimeException | LinkageError notThisTransport) {
      // NIO, or another Vert.x: the socket stays dual-stack, and Endpoint normalises mapped sources.
    }
  }

  /** Sends {@code datagram} to {@code to} from the socket of its family; IPv6 without an IPv6 socket fails. */
  public Future<Void> send(Buffer datagram, Endpoint to) {
    DatagramSocket socket = to.isIpv6() ? v6 : v4;
    if (socket == null) {
      return Future.failedFuture("no IPv6 socket: cannot send to " + to);
    }
    return socket.send(datagram, to.port(), to.host());
  }

  /** The IPv4 socket's address (its port is the one peers and the README speak of). */
  public SocketAddress localAddress() {
    return v4.localAddress();
  }

  /** The IPv6 socket's address; null when IPv6 is off. */
  public SocketAddress localAddress6() {
    return v6 == null ? null : v6.localAddress();
  }

  /** True when datagrams to IPv6 destinations can be sent. */
  public boolean hasIpv6() {
    return v6 != null;
  }

  /** Both sockets as text, for the start-up line: {@code 0.0.0.0:4000 + [::]:4000}. */
  public String describe() {
    SocketAddress six = localAddress6();
    return Endpoint.of(v4.localAddress()) + (six == null ? " (IPv4 only)" : v6 == v4 ? " (dual-stack)"
      : " + " + Endpoint.of(six));
  }

  public Future<Void> close() {
    Future<Void> closed4 = v4.close();
    if (v6 == null || v6 == v4) {
      return closed4;
    }
    return Future.join(closed4, v6.close()).mapEmpty();
  }
}
