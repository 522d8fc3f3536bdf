package io.p2pchat.node;

import io.p2pchat.common.ConfigException;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The HTTP proxy the TLS fallback reaches the rendezvous through ({@code rendezvous.tls.proxy}):
 * {@code http://[user:password@]host:port}. The node asks it for a tunnel ({@code CONNECT host:port},
 * RFC 9110 9.3.6) to the rendezvous's TLS port and runs TLS inside it, so the proxy sees the rendezvous's
 * address and the TLS records, never what they carry.
 *
 * <p>Credentials are percent-decoded ({@code p%40ss} is {@code p@ss}) and never shown: {@link #toString}
 * is {@code http://host:port}, the form every log line and event uses.
 *
 * <p>The library reads the key only. The launcher also takes the proxy from the environment as curl
 * does for an {@code https://} URL ({@link #applyEnvironment}); an application embedding a node may call it too.
 */
public final class HttpProxy {

  /** The key's value meaning "no proxy", also when the environment names one. */
  public static final String NONE = "none";
  /** The one scheme taken: a plain HTTP proxy asked for a CONNECT tunnel (not TLS to the proxy itself). */
  static final String SCHEME = "http";
  /** Where curl looks for an {@code https://} URL's proxy, in this order (its lower-case spelling first). */
  static final List<String> PROXY_VARIABLES = List.of("https_proxy", "HTTPS_PROXY");
  /** Hosts that must not go through the proxy, as curl reads them. */
  static final List<String> NO_PROXY_VARIABLES = List.of("no_proxy", "NO_PROXY");
  private static final String RULE = "must be http://host:port or http://user:password@host:port";

  private final String host;
  private final int port;
  private final String username;
  private final String password;

  private HttpProxy(String host, int port, String username, String password) {
    this.host = host;
    this.port = port;
    this.username = username;
    this.password = password;
  }

  /**
   * Reads {@code text}, the value of {@code key} (named in the error).
   *
   * @throws ConfigException one line naming {@code key} and the rule, never the credentials
   */
  public static HttpProxy parse(String key, String text) {
    URI uri;
    try {
      uri = new URI(text.trim());
    } catch (URISyntaxException e) {
      throw wrong(key, text);
    }
    if (!SCHEME.equalsIgnoreCase(uri.getScheme())) {
      throw new ConfigException(key + " " + RULE + ": only an HTTP proxy (CONNECT) is supported (got scheme "
        + (uri.getScheme() == null ? "none" : "\"" + uri.getScheme() + "\"") + ")");
    }
    if (uri.getHost() == null || uri.getPort() < 1 || uri.getPort() > 65535
      || !(uri.getRawPath() == null || uri.getRawPath().isEmpty() || uri.getRawPath().equals("/"))
      || uri.getRawQuery() != null || uri.getRawFragment() != null) {
      throw wrong(key, text);
    }
    String user = null;
    String pass = null;
    String info = uri.getRawUserInfo();
    if (info != null) {
      int colon = info.indexOf(':');
      user = URLDecoder.decode(colon < 0 ? info : info.substring(0, colon), StandardCharsets.UTF_8);
      pass = colon < 0 ? "" : URLDecoder.decode(info.substring(colon + 1), StandardCharsets.UTF_8);
    }
    String h = uri.getHost();
    return new HttpProxy(h.startsWith("[") ? h.substring(1, h.length() - 1) : h, uri.getPort(), user, pass);
  }

  /** The value without what came after the scheme: a malformed one may hold a password. */
  private static ConfigException wrong(String key, String text) {
    int at = text.lastIndexOf('@');
    String shown = at < 0 ? text.trim() : "http://…" + text.substring(at);
    return new ConfigException(key + " " + RULE + " (got \"" + shown + "\")");
  }

  /**
   * What the launcher puts in {@code rendezvous.tls.proxy} when nothing configured it: curl's rule for
   * an {@code https://} URL, {@code https_proxy} (or {@code HTTPS_PROXY}), unless {@code no_proxy} (or
   * {@code NO_PROXY}) lists {@code rendezvousHost}: {@code *}, the host itself, or a domain it is in
   * ({@code example.org} and {@code .example.org} both cover {@code rdv.example.org}). Address ranges
   * in {@code no_proxy} are not read.
   */
  public static Optional<String> fromEnvironment(Map<String, String> environment, String rendezvousHost) {
    String proxy = first(environment, PROXY_VARIABLES);
    if (proxy == null || proxy.isBlank()) {
      return Optional.empty();
    }
    String noProxy = first(environment, NO_PROXY_VARIABLES);
    String host = rendezvousHost.replaceAll("[\\[\\]]", "").toLowerCase(Locale.ROOT);
    if (noProxy != null) {
      for (String entry : noProxy.split(",")) {
        String e = entry.trim().toLowerCase(Locale.ROOT).replaceAll("[\\[\\]]", "");
        String domain = e.startsWith(".") ? e.substring(1) : e;
        if (e.equals("*") || (!domain.isEmpty() && (host.equals(domain) || host.endsWith("." + domain)))) {
          return Optional.empty();
        }
      }
    }
    return Optional.of(proxy.trim());
  }

  /**
   * {@code config} (nested, overrides applied) with {@code rendezvous.tls.proxy} taken from the environment
   * ({@link #fromEnvironment}) when it has none; a key set to anything, {@code "none"} included, wins. The
   * rendezvous host is the first of {@code rendezvous.servers}, else {@code rendezvous.host}: the one the TLS
   * fallback connects to. Changes {@code config} in place.
   */
  public static void applyEnvironment(io.vertx.core.json.JsonObject config, Map<String, String> environment) {
    io.vertx.core.json.JsonObject rendezvous = config.getJsonObject("rendezvous", new io.vertx.core.json.JsonObject());
    io.vertx.core.json.JsonObject tls = rendezvous.getJsonObject("tls", new io.vertx.core.json.JsonObject());
    if (tls.containsKey("proxy")) {
      return;
    }
    io.vertx.core.json.JsonArray servers = rendezvous.getJsonArray("servers");
    String host = servers != null && !servers.isEmpty()
      ? servers.getString(0).replaceFirst("#.*$", "").replaceFirst(":\\d+$", "")
      : rendezvous.getString("host", NodeOptions.DEFAULT_RENDEZVOUS_HOST);
    fromEnvironment(environment, host).ifPresent(proxy -> {
      config.put("rendezvous", rendezvous.put("tls", tls.put("proxy", proxy)));
    });
  }

  private static String first(Map<String, String> environment, List<String> names) {
    for (String name : names) {
      String value = environment.get(name);
      if (value != null) {
        return value;
      }
    }
    return null;
  }

  public String host() {
    return host;
  }

  public int port() {
    return port;
  }

  /** The user name for the proxy's Basic authentication, or null. */
  public String username() {
    return username;
  }

  /** The password for the proxy's Basic authentication, or null: never log it. */
  public String password() {
    return password;
  }

  /** {@code host:port} of the proxy, as lines show it. */
  public String address() {
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }

  /** {@code http://host:port}: without the credentials. */
  @Override
  public String toString() {
    return SCHEME + "://" + address();
  }
}
