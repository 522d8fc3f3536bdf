package io.p2pchat.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.p2pchat.common.ConfigException;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** {@code rendezvous.tls.proxy}: what it accepts, that no line shows its password, and curl's environment rule. */
class HttpProxyTest {

  private static final String KEY = "rendezvous.tls.proxy";

  @Test
  void hostPortAndCredentialsAreReadAndNeverShown() {
    HttpProxy plain = HttpProxy.parse(KEY, "http://proxy.example.org:3128");
    assertEquals("proxy.example.org", plain.host());
    assertEquals(3128, plain.port());
    assertNull(plain.username());
    assertNull(plain.password());
    assertEquals("http://proxy.example.org:3128", plain.toString());

    HttpProxy auth = HttpProxy.parse(KEY, " HTTP://joe:p%40ss%3Aword@10.0.0.1:8080/ ");
    assertEquals("joe", auth.username());
    assertEquals("p@ss:word", auth.password(), "percent-decoded, as curl does");
    assertEquals("http://10.0.0.1:8080", auth.toString(), "no credentials in what lines show");

    HttpProxy v6 = HttpProxy.parse(KEY, "http://[2001:db8::3]:3128");
    assertEquals("2001:db8::3", v6.host());
    assertEquals("http://[2001:db8::3]:3128", v6.toString());
  }

  @Test
  void aBadValueIsOneLineNamingTheKeyAndNeverThePassword() {
    String rule = KEY + " must be http://host:port or http://user:password@host:port";
    assertEquals(rule + " (got \"http://proxy.example.org\")",
      assertThrows(ConfigException.class, () -> HttpProxy.parse(KEY, "http://proxy.example.org")).getMessage(),
      "the port is required: curl's 1080 is a SOCKS habit nobody expects of an HTTP proxy");
    assertEquals(rule + " (got \"http://…@proxy:99999\")",
      assertThrows(ConfigException.class, () -> HttpProxy.parse(KEY, "http://joe:hunter2@proxy:99999")).getMessage());
    assertEquals(rule + ": only an HTTP proxy (CONNECT) is supported (got scheme \"https\")",
      assertThrows(ConfigException.class, () -> HttpProxy.parse(KEY, "https://proxy:3128")).getMessage());
    assertEquals(rule + ": only an HTTP proxy (CONNECT) is supported (got scheme none)",
      assertThrows(ConfigException.class, () -> HttpProxy.parse(KEY, "//proxy:3128")).getMessage());
    assertEquals(rule + " (got \"http://proxy:3128/path\")",
      assertThrows(ConfigException.class, () -> HttpProxy.parse(KEY, "http://proxy:3128/path")).getMessage());
  }

  @Test
  void theNodeReadsTheKeyAndNoneTurnsItOff() {
    JsonObject config = new JsonObject().put("nick", "alice");
    assertNull(new NodeOptions(config).rendezvousTlsProxy(), "unset: no proxy");
    assertNull(new NodeOptions(config.copy().put("rendezvous", new JsonObject().put("tls",
      new JsonObject().put("proxy", "none")))).rendezvousTlsProxy());
    assertEquals("http://127.0.0.1:3128", new NodeOptions(config.copy().put("rendezvous", new JsonObject().put("tls",
      new JsonObject().put("proxy", "http://127.0.0.1:3128")))).rendezvousTlsProxy().toString());
    ConfigException e = assertThrows(ConfigException.class, () -> new NodeOptions(config.copy().put("rendezvous",
      new JsonObject().put("tls", new JsonObject().put("proxy", "http://joe:hunter2@:3128")))));
    assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
  }

  @Test
  void theEnvironmentIsReadAsCurlReadsItForAnHttpsUrl() {
    String proxy = "http://proxy.corp:3128";
    assertEquals(Optional.of(proxy), HttpProxy.fromEnvironment(Map.of("https_proxy", proxy), "rdv.example.org"));
    assertEquals(Optional.of(proxy), HttpProxy.fromEnvironment(Map.of("HTTPS_PROXY", proxy), "rdv.example.org"));
    assertEquals(Optional.of("http://lower:1"), HttpProxy.fromEnvironment(
      Map.of("https_proxy", "http://lower:1", "HTTPS_PROXY", "http://upper:1"), "rdv.example.org"), "lower case first");
    assertEquals(Optional.empty(), HttpProxy.fromEnvironment(Map.of("http_proxy", proxy, "HTTP_PROXY", proxy),
      "rdv.example.org"), "http_proxy is for http:// URLs; ours is https");
    assertEquals(Optional.empty(), HttpProxy.fromEnvironment(Map.of("https_proxy", " "), "rdv.example.org"));
    for (String noProxy : new String[] {"*", "example.org", ".example.org", "localhost, rdv.example.org",
        "RDV.EXAMPLE.ORG"}) {
      assertEquals(Optional.empty(), HttpProxy.fromEnvironment(Map.of("https_proxy", proxy, "no_proxy", noProxy),
        "rdv.example.org"), "no_proxy=" + noProxy);
    }
    for (String noProxy : new String[] {"ample.org", "rdv.example.org.evil", "", ","}) {
      assertEquals(Optional.of(proxy), HttpProxy.fromEnvironment(Map.of("https_proxy", proxy, "NO_PROXY", noProxy),
        "rdv.example.org"), "NO_PROXY=" + noProxy);
    }
    assertEquals(Optional.empty(), HttpProxy.fromEnvironment(Map.of("https_proxy", proxy, "no_proxy", "127.0.0.1,::1"),
      "[::1]"));
  }

  @Test
  void theLauncherFillsTheKeyFromTheEnvironmentOnlyWhenNothingSetIt() {
    Map<String, String> env = Map.of("https_proxy", "http://proxy.corp:3128", "no_proxy", "localhost,.internal");
    JsonObject plain = new JsonObject().put("nick", "a").put("rendezvous", new JsonObject().put("host", "rdv.example.org"));
    HttpProxy.applyEnvironment(plain, env);
    assertEquals("http://proxy.corp:3128", new NodeOptions(plain).rendezvousTlsProxy().toString());

    JsonObject none = new JsonObject().put("nick", "a").put("rendezvous", new JsonObject().put("host", "rdv.example.org")
      .put("tls", new JsonObject().put("proxy", "none")));
    HttpProxy.applyEnvironment(none, env);
    assertNull(new NodeOptions(none).rendezvousTlsProxy(), "a configured \"none\" wins over the environment");

    JsonObject listed = new JsonObject().put("nick", "a").put("rendezvous", new JsonObject()
      .put("servers", new io.vertx.core.json.JsonArray().add("rdv1.internal:7000#" + "0".repeat(40)).add("rdv2.example.org:7000")));
    HttpProxy.applyEnvironment(listed, env);
    assertNull(new NodeOptions(listed).rendezvousTlsProxy(), "no_proxy covers the first server, the one TLS goes to");

    JsonObject local = new JsonObject().put("nick", "a");
    HttpProxy.applyEnvironment(local, Map.of("https_proxy", "http://proxy.corp:3128", "no_proxy", "127.0.0.1"));
    assertNull(new NodeOptions(local).rendezvousTlsProxy(), "the default rendezvous host 127.0.0.1, in no_proxy");
  }
}
