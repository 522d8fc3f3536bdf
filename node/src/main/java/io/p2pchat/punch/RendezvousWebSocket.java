package io.p2pchat.punch;

import io.p2pchat.common.NodeLog;
import io.p2pchat.control.ChannelBinding;
import io.p2pchat.node.HttpProxy;
import io.p2pchat.node.NodeOptions;
import io.p2pchat.wire.PacketCodec;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.net.ProxyOptions;
import io.vertx.core.net.ProxyType;
import io.netty.handler.proxy.ProxyConnectException;

import java.security.cert.Certificate;
import java.time.Duration;
import javax.net.ssl.SSLHandshakeException;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The TLS transport of the rendezvous link, node side (docs/PROTOCOL.md, "Control and relay over TLS"):
 * one WebSocket under TLS to the rendezvous's {@code rendezvous.tls.port} on {@code /p2pchat/v1}, one binary
 * message per datagram both ways. How the certificate is checked, by the options:
 * <ul>
 *   <li>{@code rendezvous.tls.fingerprint}: the leaf must hash (SHA-256) to it, else the connection is
 *       closed before anything is sent on it and the future fails with {@link FingerprintMismatch};</li>
 *   <li>{@code rendezvous.tls.verify}: the platform's trust store and the host name, for a CA-issued one;</li>
 *   <li>neither: any certificate; the control handshake is bound to the one seen ({@link ChannelBinding}),
 *       so a man in the middle with its own certificate cannot complete it.</li>
 * </ul>
 * With {@code rendezvous.tls.proxy}, the connection is a tunnel the HTTP proxy opens ({@code CONNECT host:port},
 * with Basic credentials when configured) and TLS runs inside it: the proxy sees where the node goes and the
 * TLS records, and every check above holds as without it. A proxy that cannot be reached or refuses the tunnel
 * fails the future with {@link ProxyFailure}.
 * One connection at a time; a write while the connection's queue is full is dropped and counted, so a
 * stalled TCP path never makes the node buffer without bound. Lives on PunchVerticle's event loop.
 */
final class RendezvousWebSocket {

  /** The rendezvous's WebSocket path ({@code WebSocketIngress.PATH}). */
  static final String PATH = "/p2pchat/v1";
  /** Frames up to twice a datagram: the server's own limit, so a whole datagram always fits one frame. */
  private static final int MAX_FRAME_BYTES = 2 * PacketCodec.MAX_DATAGRAM;
  /**
   * Bytes queued on the connection before writes are dropped: 64 full datagrams, the server's own
   * per-connection bound (76 800 bytes); the reliable delivery layer sends what was dropped again.
   */
  private static final int WRITE_QUEUE_MAX_BYTES = 64 * PacketCodec.MAX_DATAGRAM;
  /** TCP connect and TLS handshake together: a firewall that swallows SYNs is given up on after this. */
  private static final long CONNECT_TIMEOUT_MS = TimeUnit.SECONDS.toMillis(10);

  /**
   * The server's certificate is not the one this node accepts: never connected to again in this process
   * ({@link #reason} names the check, as {@code rendezvous.state} shows it).
   */
  abstract static class CertificateRefused extends RuntimeException {
    CertificateRefused(String message) {
      super(message, null, false, false);
    }

    abstract String reason();
  }

  /** The server presented a certificate other than the pinned one. */
  static final class FingerprintMismatch extends CertificateRefused {
    FingerprintMismatch(String presented) {
      super("presented certificate " + presented + ", not the pinned rendezvous.tls.fingerprint");
    }

    @Override
    String reason() {
      return "tls fingerprint";
    }
  }

  /** With {@code rendezvous.tls.verify}: the platform's trust store or the host name check refused the certificate. */
  static final class UntrustedCertificate extends CertificateRefused {
    UntrustedCertificate(String host, String why) {
      super("presented a certificate that the platform's trust store does not accept for " + host
        + " (rendezvous.tls.verify): " + why);
    }

    @Override
    String reason() {
      return "tls certificate";
    }
  }

  /** The proxy could not be reached, or did not open the tunnel: the message says which and why. */
  static final class ProxyFailure extends RuntimeException {
    ProxyFailure(String message) {
      super(message, null, false, false);
    }
  }

  private final NodeLog log;
  /**
   * The host name of the last connection attempt, as configured (the name the certificate is checked for): the
   * rendezvous of the server list the node is using.
   */
  private String host;
  /** The HTTP proxy the connection goes through, or null. */
  private final HttpProxy proxy;
  /** {@code rendezvous.tls.verify}: the platform's trust store and the host name check the certificate. */
  private final boolean verify;
  private final int port;
  private final String pinned;
  private final WebSocketClient client;
  private WebSocket ws;
  /** Datagrams not written because the connection's queue was full. */
  private long writeQueueDrops;

  RendezvousWebSocket(Vertx vertx, NodeLog log, NodeOptions options, String host) {
    this.log = log;
    this.host = host;
    this.port = options.rendezvousTlsPort();
    this.pinned = options.rendezvousTlsFingerprint();
    this.proxy = options.rendezvousTlsProxy();
    this.verify = options.rendezvousTlsVerify();
    WebSocketClientOptions clientOptions = new WebSocketClientOptions().setSsl(true)
      .setTrustAll(!verify).setVerifyHost(verify).setMaxFrameSize(MAX_FRAME_BYTES)
      .setMaxMessageSize(MAX_FRAME_BYTES).setConnectTimeout((int) CONNECT_TIMEOUT_MS)
      .setSslHandshakeTimeout(CONNECT_TIMEOUT_MS).setSslHandshakeTimeoutUnit(TimeUnit.MILLISECONDS);
    if (proxy != null) {
      clientOptions.setProxyOptions(new ProxyOptions().setType(ProxyType.HTTP).setHost(proxy.host())
        .setPort(proxy.port()).setUsername(proxy.username()).setPassword(proxy.password())
        .setConnectTimeout(Duration.ofMillis(CONNECT_TIMEOUT_MS)));
    }
    this.client = vertx.createWebSocketClient(clientOptions);
  }

  /** The proxy the connection goes through ({@code http://host:port}, no credentials), or null. */
  String proxy() {
    return proxy == null ? null : proxy.toString();
  }

  /** {@code host:port} of the TLS listener. */
  String address() {
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }

  boolean isOpen() {
    return ws != null && !ws.isClosed();
  }

  /**
   * Connects to {@code host} (the rendezvous in use: its TLS port is the same on every server of the list); the
   * future holds the channel binding of the certificate the server presented
   * ({@link ChannelBinding#tlsServerEndPoint}). {@code inbound} gets each binary message, {@code closed}
   * runs once when an open connection closes.
   */
  Future<byte[]> connect(String host, Handler<Buffer> inbound, Handler<Void> closed) {
    close();
    this.host = host;
    return client.connect(new WebSocketConnectOptions().setHost(host).setPort(port).setURI(PATH).setSsl(true))
      .compose(socket -> {
        byte[] leaf;
        try {
          List<Certificate> chain = socket.peerCertificates();
          leaf = chain.get(0).getEncoded();
        } catch (Exception e) {
          socket.close();
          return Future.failedFuture(e);
        }
        byte[] binding = ChannelBinding.tlsServerEndPoint(leaf);
        if (pinned != null && !pinned.equals(HexFormat.of().formatHex(binding))) {
          socket.close();
          return Future.failedFuture(new FingerprintMismatch(ChannelBinding.fingerprint(leaf)));
        }
        socket.setWriteQueueMaxSize(WRITE_QUEUE_MAX_BYTES);
        socket.binaryMessageHandler(inbound);
        socket.textMessageHandler(text -> log.debug("rendezvous {} sent a text message: ignored", address()));
        socket.exceptionHandler(e -> log.debug("rendezvous {} over TLS: {}", address(), e.toString()));
        socket.closeHandler(v -> {
          if (ws == socket) {
            ws = null;
            closed.handle(null);
          }
        });
        ws = socket;
        return Future.succeededFuture(binding);
      }, e -> Future.failedFuture(verify && e instanceof SSLHandshakeException ? untrusted(e)
        : proxy == null ? e : proxyFailure(e)));
  }

  /** The innermost cause of a refused handshake: JSSE's own words (PKIX path, host name), without the wrappers. */
  private UntrustedCertificate untrusted(Throwable e) {
    Throwable cause = e;
    while (cause.getCause() != null && cause.getCause() != cause) {
      cause = cause.getCause();
    }
    return new UntrustedCertificate(host, String.valueOf(cause.getMessage()));
  }

  /**
   * What went wrong on the way through the proxy, in one line: the proxy not reachable, or its answer to
   * CONNECT (a refused port, a 407 for missing or wrong credentials, a 5xx when it cannot reach the
   * rendezvous). A failure after the tunnel opened (the TLS handshake) is not the proxy's and stays as it is.
   */
  private Throwable proxyFailure(Throwable e) {
    String where = "proxy " + proxy + " (rendezvous.tls.proxy)";
    if (e instanceof ProxyConnectException) {
      String text = String.valueOf(e.getMessage());
      int status = text.indexOf("status: ");
      return new ProxyFailure(where + (status >= 0 ? " refused the tunnel to " + address() + ": "
        + text.substring(status + "status: ".length()) : " failed: " + text.substring(text.lastIndexOf(", ") + 2)));
    }
    if (e instanceof java.net.ConnectException || e instanceof java.nio.channels.UnresolvedAddressException
      || e instanceof java.net.UnknownHostException) {
      // Netty appends the address it tried, which the line names already.
      return new ProxyFailure(where + " not reachable: " + String.valueOf(e.getMessage()).replaceFirst(": /[^ ]*$", ""));
    }
    return e;
  }

  /** Writes one datagram as one binary message; dropped and counted when the queue is full or the connection gone. */
  Future<Void> send(Buffer datagram) {
    if (!isOpen() || ws.writeQueueFull()) {
      writeQueueDrops++;
      return Future.succeededFuture();
    }
    return ws.writeBinaryMessage(datagram);
  }

  /** Datagrams dropped because the connection's write queue was full, or it was closed. */
  long writeQueueDrops() {
    return writeQueueDrops;
  }

  /** Closes the connection, if any; its close handler does not run. */
  void close() {
    WebSocket open = ws;
    ws = null;
    if (open != null && !open.isClosed()) {
      open.close();
    }
  }
}
