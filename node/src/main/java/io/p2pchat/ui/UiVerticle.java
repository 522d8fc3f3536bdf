package io.p2pchat.ui;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;
import io.p2pchat.chat.RequestSchema;
import io.p2pchat.common.NodeLog;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The chat window: serves {@code webroot/} over HTTP and pushes the node's chat events to the page
 * over a WebSocket ({@link PushChannel}). Uses only the node's public event-bus API.
 *
 * <p>Deployed by the node with its config JSON when {@code http.port} is set. At start it prints
 * exactly one line {@code * web UI: http://HOST:PORT/?token=...} to stdout; the token is never
 * logged anywhere else. {@link #url()} and the local event-bus address
 * {@code <prefix>.ui.url} give the same URL to scripts and tests.
 */
public final class UiVerticle extends VerticleBase {

  /** Loopback names a browser on this machine may put in the Host header. */
  private static final List<String> LOOPBACK_NAMES = List.of("127.0.0.1", "localhost", "[::1]");
  private static final Set<String> WILDCARD_HOSTS = Set.of("0.0.0.0", "::", "[::]");

  private final UiOptions explicitOptions;
  private UiOptions options;
  private NodeLog log;
  private UiToken token;
  private RequestGuard guard;
  private PushChannel channel;
  private HttpServer server;
  /** The {@code ui.url} request takes no field. */
  private static final RequestSchema URL_REQUEST = RequestSchema.empty();
  private final List<MessageConsumer<?>> consumers = new ArrayList<>();
  private volatile String url;
  private volatile int port = -1;

  /** Options come from {@link #config()} (the node's config JSON). */
  public UiVerticle() {
    this.explicitOptions = null;
  }

  public UiVerticle(UiOptions options) {
    this.explicitOptions = new UiOptions(options);
  }

  @Override
  public Future<?> start() {
    options = explicitOptions != null ? explicitOptions : new UiOptions(config());
    log = NodeLog.of(UiVerticle.class, options.getNick().isEmpty() ? "ui" : options.getNick(), options.getLogDir());
    token = UiToken.random(new SecureRandom());
    guard = new RequestGuard(token);
    channel = new PushChannel(vertx, options, log);

    Router router = Router.router(vertx);
    router.route().handler(guard);
    router.route().handler(this::securityHeaders);
    router.get(PushChannel.PATH).handler(channel::upgrade);
    router.route().handler(StaticHandler.create("webroot")
        .setCachingEnabled(false)
        .setDirectoryListing(false)
        .setIncludeHidden(false));

    for (String event : UiAddresses.EVENTS) {
      consumers.add(vertx.eventBus().consumer(UiAddresses.absolute(options.getEventBusPrefix(), event),
          message -> channel.publish(event, message.body())));
    }
    // The URL carries the UI's token: served to this Vert.x instance only, never across a
    // clustered event bus; the body is checked like every request's ({} or none).
    consumers.add(vertx.eventBus().<Object>localConsumer(
        UiAddresses.absolute(options.getEventBusPrefix(), UiAddresses.URL_REQUEST),
        message -> {
          if (URL_REQUEST.admit(message)) {
            message.reply(new JsonObject().put("url", url));
          }
        }));

    HttpServerOptions serverOptions = new HttpServerOptions()
        .setHost(options.getHttpHost())
        .setPort(options.getHttpPort())
        .setMaxWebSocketMessageSize(options.getMaxInboundMessageBytes())
        .setMaxWebSocketFrameSize(options.getMaxInboundMessageBytes());
    return vertx.createHttpServer(serverOptions)
        .requestHandler(router)
        .listen()
        .onSuccess(this::announce);
  }

  private void announce(HttpServer listening) {
    server = listening;
    port = listening.actualPort();
    String urlHost = urlHost(options.getHttpHost());
    Set<String> hosts = new LinkedHashSet<>();
    hosts.add((urlHost + ":" + port).toLowerCase(Locale.ROOT));
    if (WILDCARD_HOSTS.contains(options.getHttpHost()) || LOOPBACK_NAMES.contains(urlHost)) {
      LOOPBACK_NAMES.forEach(name -> hosts.add(name + ":" + port));
    }
    guard.bind(hosts, port);
    url = "http://" + urlHost + ":" + port + "/?" + RequestGuard.TOKEN_QUERY_PARAM + "=" + token.value();
    // The one place the token appears: stdout, for the user to click. The log gets no token.
    System.out.println("* web UI: " + url);
    System.out.flush();
    log.info("web UI listening on http://{}:{}/ (the URL with its token is printed on stdout)", urlHost, port);
  }

  /** How the page's URL names the bound host: wildcards become loopback, IPv6 gets brackets. */
  static String urlHost(String bindHost) {
    if (WILDCARD_HOSTS.contains(bindHost)) {
      return "127.0.0.1";
    }
    if (bindHost.contains(":") && !bindHost.startsWith("[")) {
      return "[" + bindHost + "]";
    }
    return bindHost;
  }

  private void securityHeaders(RoutingContext ctx) {
    String host = ctx.request().getHeader(HttpHeaders.HOST); // already checked by the guard
    ctx.response()
        .putHeader("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; "
            + "img-src 'self' data:; connect-src 'self' ws://" + host + "; base-uri 'none'; "
            + "form-action 'none'; frame-ancestors 'none'")
        .putHeader("X-Content-Type-Options", "nosniff")
        .putHeader("Referrer-Policy", "no-referrer")
        .putHeader("X-Frame-Options", "DENY")
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-store");
    ctx.next();
  }

  @Override
  public Future<?> stop() {
    if (channel != null) {
      channel.closeAll();
    }
    List<Future<?>> closing = new ArrayList<>();
    consumers.forEach(consumer -> closing.add(consumer.unregister()));
    consumers.clear();
    if (server != null) {
      closing.add(server.close());
    }
    return Future.join(closing);
  }

  /** The page's URL with its token, once started; null before. */
  public String url() {
    return url;
  }

  /** The port really listened on, once started; -1 before. */
  public int port() {
    return port;
  }

  /** Open push channels (browser tabs), for tests and metrics. */
  public int openPages() {
    return channel == null ? 0 : channel.openSessions();
  }
}
