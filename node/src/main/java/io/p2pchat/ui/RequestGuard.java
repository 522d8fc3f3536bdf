package io.p2pchat.ui;

import io.vertx.core.Handler;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;

import java.util.Locale;
import java.util.Set;

/**
 * First handler on every route, the push channel included. In order:
 * <ol>
 *   <li>{@code Host} must name this server (bound address or a loopback name, exact port):
 *       defeats DNS rebinding, where evil.example resolves to 127.0.0.1. Else 403.</li>
 *   <li>{@code Origin}, when present, must be this server's own origin; the push channel must send
 *       one. {@code Sec-Fetch-Site}, when present, must be {@code same-origin} or {@code none}:
 *       defeats CSRF and cross-site WebSocket hijacking, including from other ports of localhost
 *       (which SameSite cookies do not, as every port of a host is the same site). Else 403.</li>
 *   <li>The token, from {@code ?token=}, the cookie or the {@code X-P2pchat-Token} header. Else 401.
 *       A valid {@code ?token=} on a page load sets the cookie and redirects to the same path
 *       without it, so the secret does not stay in the address bar or history.</li>
 * </ol>
 */
final class RequestGuard implements Handler<RoutingContext> {

  static final String TOKEN_QUERY_PARAM = "token";
  static final String TOKEN_HEADER = "X-P2pchat-Token";
  /** The cookie name carries the port: cookies ignore ports, so two nodes on one host would clash. */
  static final String COOKIE_PREFIX = "p2pchat_token_";

  private static final Set<String> ALLOWED_FETCH_SITES = Set.of("same-origin", "none");

  private final UiToken token;
  private volatile Set<String> allowedHosts = Set.of();
  private volatile String cookieName = COOKIE_PREFIX + "unbound";

  RequestGuard(UiToken token) {
    this.token = token;
  }

  /** Called once the server listens; until then every request is refused (no port to match). */
  void bind(Set<String> hostsWithPort, int port) {
    this.allowedHosts = Set.copyOf(hostsWithPort);
    this.cookieName = COOKIE_PREFIX + port;
  }

  String cookieName() {
    return cookieName;
  }

  @Override
  public void handle(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    String host = request.getHeader(HttpHeaders.HOST);
    if (host == null || !allowedHosts.contains(host.toLowerCase(Locale.ROOT))) {
      refuse(ctx, 403, "Forbidden: unexpected Host header");
      return;
    }
    String origin = request.getHeader(HttpHeaders.ORIGIN);
    boolean upgrade = request.canUpgradeToWebSocket();
    if (origin == null ? upgrade : !origin.equalsIgnoreCase("http://" + host)) {
      refuse(ctx, 403, "Forbidden: cross-origin request");
      return;
    }
    String fetchSite = request.getHeader("Sec-Fetch-Site");
    if (fetchSite != null && !ALLOWED_FETCH_SITES.contains(fetchSite.toLowerCase(Locale.ROOT))) {
      refuse(ctx, 403, "Forbidden: cross-site request");
      return;
    }
    String fromQuery = request.getParam(TOKEN_QUERY_PARAM);
    if (fromQuery != null) {
      if (!token.matches(fromQuery)) {
        refuse(ctx, 401, "Unauthorized: wrong token (it changes at every start; use the URL the node printed)");
        return;
      }
      ctx.response().addCookie(Cookie.cookie(cookieName, token.value())
          .setPath("/").setHttpOnly(true).setSameSite(CookieSameSite.STRICT));
      if (!upgrade && request.method().name().equals("GET")) {
        ctx.response().setStatusCode(303).putHeader(HttpHeaders.LOCATION, request.path())
            .putHeader(HttpHeaders.CACHE_CONTROL, "no-store").end();
        return;
      }
      ctx.next();
      return;
    }
    Cookie cookie = request.getCookie(cookieName);
    if (token.matches(request.getHeader(TOKEN_HEADER)) || (cookie != null && token.matches(cookie.getValue()))) {
      ctx.next();
      return;
    }
    refuse(ctx, 401, "Unauthorized: open the URL with ?token= that the node printed at start-up");
  }

  private static void refuse(RoutingContext ctx, int status, String message) {
    ctx.response().setStatusCode(status)
        .putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; charset=utf-8")
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
        .end(message + "\n");
  }
}
