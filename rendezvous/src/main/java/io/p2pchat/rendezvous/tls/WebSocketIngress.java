package io.p2pchat.rendezvous.tls;

import io.p2pchat.common.NodeLog;
import io.p2pchat.wire.Endpoint;
import io.p2pchat.wire.PacketCodec;
import io.p2pchat.wire.StreamEndpoint;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemKeyCertOptions;

import java.security.SecureRandom;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Predicate;

/**
 * The rendezvous's TLS transport, for clients whose network lets only TCP 443 out: an HTTPS server
 * (TLS 1.3 and 1.2 only) that upgrades a request on {@value #PATH} to a WebSocket carrying exactly what
 * UDP carries, one datagram per binary message (sealed control datagrams, relay frames). Each connection
 * is an address: connection {@code n} is the synthetic {@link StreamEndpoint#of endpoint} {@code [100::n]:443},
 * so the verticle's demux, registry, limits and relay serve it unchanged; whatever the rendezvous sends
 * to such an endpoint comes back here ({@link #send}) and is written to that WebSocket.
 *
 * <p>Bounds: {@link #MAX_CONNECTIONS_PER_HOST} per remote ip (an IPv6 one by its /64, as the UDP side counts)
 * and {@code tls.maxConnections} in all ({@link ConnectionAdmission}; an upgrade beyond either is refused with
 * an HTTP error); a text message, or a binary one over
 * {@link PacketCodec#MAX_DATAGRAM}, closes the connection with 1008 (policy violation); a connection that
 * holds no registration for {@link #UNREGISTERED_TIMEOUT_NANOS} is closed; a reader slower than what is
 * sent to it finds its datagrams dropped once {@link #WRITE_QUEUE_MAX_BYTES} wait, never buffered
 * without bound. Each is counted ({@link #stats}). Lives on the verticle's event loop.
 */
public final class WebSocketIngress implements StreamEndpoints {
  /** The one path a WebSocket is served on: versioned, so a later protocol can live beside it. */
  public static final String PATH = "/p2pchat/v1";
  /**
   * Connections per remote ip (an IPv6 source per /64, one subscriber's): a household or office behind one
   * address (one per device, a few devices), not a whole server's worth. Like {@code maxClientsPerHost} for UDP, which a stream client
   * does not meet (each connection is an address of its own): this is its bound instead.
   */
  public static final int MAX_CONNECTIONS_PER_HOST = 16;
  /**
   * Bytes waiting to be written to one connection before further datagrams to it are dropped: 64
   * datagrams of the largest size, a second of the default relay budget (256 KiB/s) in a quarter
   * of it, so a reader that keeps up never loses one and a stalled one costs 75 KiB at most here.
   */
  public static final int WRITE_QUEUE_MAX_BYTES = 64 * PacketCodec.MAX_DATAGRAM;
  /**
   * A connection must hold a registration within this of opening (a handshake and a signed
   * registration take three round trips, retransmissions included), and again this long after its
   * registration expired: a connection that sends nothing valid costs a socket for that long at most.
   */
  public static final long UNREGISTERED_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(20);
  /**
   * A connection silent both ways for this long is closed by the server (TCP keeps no NAT binding
   * alive on its own): four times the default 30 s registration TTL, which a live client's keep-alives
   * renew long before.
   */
  static final int IDLE_TIMEOUT_SECONDS = 120;
  /** A TLS handshake must complete within this: a connection that never finishes one is not counted yet. */
  static final long TLS_HANDSHAKE_TIMEOUT_SECONDS = 10;
  /**
   * The WebSocket frame and message size Vert.x assembles before handing a message over: twice a
   * datagram, so a message just over a datagram reaches our check (and its counted 1008 close),
   * while a bigger one is cut off by Vert.x before it is buffered.
   */
  static final int MAX_WEBSOCKET_MESSAGE = 2 * PacketCodec.MAX_DATAGRAM;
  /** RFC 6455 7.4.1: the close code of a message the endpoint's policy does not take. */
  static final short POLICY_VIOLATION = 1008;
  /** The HTTP answer to an upgrade over a per-ip or total bound (RFC 6585 and RFC 9110). */
  private static final int TOO_MANY_REQUESTS = 429;
  private static final int SERVICE_UNAVAILABLE = 503;
  private static final int NOT_FOUND = 404;
  private static final int UPGRADE_REQUIRED = 426;
  /** What a plain GET on / answers: one line saying what this server is. */
  static final String BANNER = "p2pchat rendezvous: WebSocket on " + PATH + " (docs/PROTOCOL.md)\n";

  /** One WebSocket connection, known by its synthetic endpoint. */
  private static final class Connection {
    final Endpoint endpoint;
    final String remoteHost;
    final ServerWebSocket ws;
    /** When it last held a registration, or opened. */
    long validAt;

    Connection(Endpoint endpoint, String remoteHost, ServerWebSocket ws, long now) {
      this.endpoint = endpoint;
      this.remoteHost = remoteHost;
      this.ws = ws;
      this.validAt = now;
    }
  }

  private final Vertx vertx;
  private final TlsSettings settings;
  private final TlsCertificate certificate;
  private final BiConsumer<Endpoint, Buffer> receiver;
  private final Predicate<Endpoint> registered;
  private final NodeLog log;
  private final Map<Endpoint, Connection> connections = new HashMap<>();
  /** Connections (and upgrades under way) in all and per source network (an IPv6 source by its /64). */
  private final ConnectionAdmission admission;
  /**
   * The last connection number given: the high 32 bits random per start, the low 32 counting, so that
   * the instances of a cluster (whose registries hold each other's clients by address) practically never
   * give two clients the same synthetic address, and a restart does not reuse the previous run's.
   */
  private long nextConnection = (new SecureRandom().nextInt() & 0xffff_ffffL) << Integer.SIZE;
  private HttpServer server;
  private long accepted;
  private long refusedPerHost;
  private long refusedFull;
  private long policyClosed;
  private long idleClosed;
  private long backPressure;
  private long toClosed;

  /**
   * @param receiver the verticle's demux: each binary message, as a datagram from the connection's endpoint
   * @param registered whether an endpoint holds a registration now
   */
  public WebSocketIngress(Vertx vertx, TlsSettings settings, TlsCertificate certificate,
                          BiConsumer<Endpoint, Buffer> receiver, Predicate<Endpoint> registered, NodeLog log) {
    this.vertx = vertx;
    this.settings = settings;
    this.certificate = certificate;
    this.receiver = receiver;
    this.registered = registered;
    this.log = log;
    this.admission = new ConnectionAdmission(settings.maxConnections(), MAX_CONNECTIONS_PER_HOST);
  }

  /** Starts listening; completes with the bound port. */
  public Future<Integer> listen() {
    HttpServerOptions options = new HttpServerOptions()
      .setHost(settings.host())
      .setPort(settings.port())
      .setSsl(true)
      .setKeyCertOptions(new PemKeyCertOptions()
        .addCertValue(Buffer.buffer(certificate.certPem()))
        .addKeyValue(Buffer.buffer(certificate.keyPem())))
      .setEnabledSecureTransportProtocols(Set.of("TLSv1.3", "TLSv1.2"))
      .setSslHandshakeTimeout(TLS_HANDSHAKE_TIMEOUT_SECONDS)
      .setSslHandshakeTimeoutUnit(TimeUnit.SECONDS)
      .setIdleTimeout(IDLE_TIMEOUT_SECONDS)
      .setIdleTimeoutUnit(TimeUnit.SECONDS)
      .setMaxWebSocketFrameSize(MAX_WEBSOCKET_MESSAGE)
      .setMaxWebSocketMessageSize(MAX_WEBSOCKET_MESSAGE);
    server = vertx.createHttpServer(options).requestHandler(this::onRequest);
    // A taken port must say which one and how to change it: the UDP port's error alone names neither.
    return server.listen().map(HttpServer::actualPort)
      .recover(e -> Future.failedFuture(new IllegalStateException("cannot listen for TLS on " + settings.host() + ":"
        + settings.port() + " (tls.port; -1 turns TLS off): " + e.getMessage())));
  }

  /** Closes the listener and every connection. */
  public Future<Void> close() {
    return server == null ? Future.succeededFuture() : server.close();
  }

  private void onRequest(HttpServerRequest req) {
    if (!PATH.equals(req.path())) {
      if ("/".equals(req.path()) && req.method() == HttpMethod.GET) {
        req.response().putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; charset=utf-8").end(BANNER);
      } else {
        req.response().setStatusCode(NOT_FOUND).end();
      }
      return;
    }
    if (!req.canUpgradeToWebSocket()) {
      req.response().setStatusCode(UPGRADE_REQUIRED).putHeader(HttpHeaders.UPGRADE, "websocket").end();
      return;
    }
    String host = req.remoteAddress().hostAddress();
    switch (admission.admit(host)) {
      case FULL -> {
        refusedFull++;
        log.warnRateLimited("tls-full", "WebSocket from {} refused: {} connections (tls.maxConnections)", host,
          settings.maxConnections());
        req.response().setStatusCode(SERVICE_UNAVAILABLE).end();
        return;
      }
      case HOST_FULL -> {
        refusedPerHost++;
        log.warnRateLimited("tls-per-host", "WebSocket from {} refused: {} connections from {} already", host,
          MAX_CONNECTIONS_PER_HOST, ConnectionAdmission.network(host));
        req.response().setStatusCode(TOO_MANY_REQUESTS).end();
        return;
      }
      case ADMITTED -> {
      }
    }
    req.toWebSocket().onComplete(ar -> {
      if (ar.succeeded()) {
        attach(ar.result(), host);
      } else {
        admission.release(host);
      }
    });
  }

  private void attach(ServerWebSocket ws, String host) {
    Endpoint endpoint = StreamEndpoint.of(++nextConnection);
    Connection c = new Connection(endpoint, host, ws, System.nanoTime());
    connections.put(endpoint, c);
    accepted++;
    ws.setWriteQueueMaxSize(WRITE_QUEUE_MAX_BYTES);
    ws.binaryMessageHandler(data -> {
      if (data.length() > PacketCodec.MAX_DATAGRAM) {
        violation(c, "a message of " + data.length() + " bytes (over " + PacketCodec.MAX_DATAGRAM + ")");
      } else {
        receiver.accept(endpoint, data);
      }
    });
    ws.textMessageHandler(text -> violation(c, "a text message"));
    ws.exceptionHandler(e -> log.debug("WebSocket {} ({}): {}", endpoint, host, e.toString()));
    ws.closeHandler(v -> detach(c));
    log.debug("WebSocket {} from {} open as {}", ws.path(), host, endpoint);
  }

  private void violation(Connection c, String what) {
    policyClosed++;
    log.warnRateLimited("tls-policy", "WebSocket {} ({}) sent {}: closed", c.endpoint, c.remoteHost, what);
    c.ws.close(POLICY_VIOLATION, "one datagram per binary message");
  }

  private void detach(Connection c) {
    if (connections.remove(c.endpoint) == c) {
      admission.release(c.remoteHost);
      log.debug("WebSocket {} ({}) closed", c.endpoint, c.remoteHost);
    }
  }

  /**
   * Closes the connections that held no registration for {@link #UNREGISTERED_TIMEOUT_NANOS}. The
   * verticle calls it from its expiry timer; a registration left behind by a closed connection expires
   * as a silent UDP client's does.
   */
  public void sweep(long nowNanos) {
    for (Connection c : connections.values().toArray(new Connection[0])) {
      if (registered.test(c.endpoint)) {
        c.validAt = nowNanos;
      } else if (nowNanos - c.validAt >= UNREGISTERED_TIMEOUT_NANOS) {
        idleClosed++;
        log.info("WebSocket {} ({}) held no registration for {} s: closed", c.endpoint, c.remoteHost,
          TimeUnit.NANOSECONDS.toSeconds(UNREGISTERED_TIMEOUT_NANOS));
        c.ws.close(POLICY_VIOLATION, "no registration");
      }
    }
  }

  @Override
  public void send(Endpoint to, Buffer datagram) {
    Connection c = connections.get(to);
    if (c == null) {
      toClosed++;
      return;
    }
    if (c.ws.writeQueueFull()) {
      backPressure++;
      log.warnRateLimited("tls-backpressure", "WebSocket {} ({}) reads slower than it is sent to: datagram dropped",
        to, c.remoteHost);
      return;
    }
    c.ws.writeBinaryMessage(datagram);
  }

  @Override
  public long hostOf(Endpoint from) {
    Connection c = connections.get(from);
    // An IPv6 peer counts by its /64 (Endpoint#networkKey), over UDP and over TLS alike.
    return c == null ? from.networkKey() : new Endpoint(c.remoteHost, StreamEndpoint.PORT).networkKey();
  }

  /** Open connections. */
  public int connections() {
    return connections.size();
  }

  /**
   * {@code connections} open, {@code accepted} since start, and what was refused or dropped, by reason:
   * {@code tls-per-host} and {@code tls-full} (upgrades refused), {@code tls-policy} (a text or oversized
   * message closed its connection), {@code tls-unregistered} (closed without a registration),
   * {@code tls-backpressure} (datagrams to a slow reader), {@code tls-closed} (datagrams to a connection gone).
   */
  public JsonObject stats() {
    return new JsonObject()
      .put("connections", connections.size())
      .put("accepted", accepted)
      .put("drops", new JsonObject()
        .put("tls-per-host", refusedPerHost)
        .put("tls-full", refusedFull)
        .put("tls-policy", policyClosed)
        .put("tls-unregistered", idleClosed)
        .put("tls-backpressure", backPressure)
        .put("tls-closed", toClosed));
  }
}
