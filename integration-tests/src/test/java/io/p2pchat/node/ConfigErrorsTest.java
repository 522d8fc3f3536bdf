package io.p2pchat.node;

import io.p2pchat.app.P2pChatLauncher;
import io.p2pchat.chat.ChatAddresses;
import io.p2pchat.common.ConfigException;
import io.p2pchat.common.ConfigOverrides;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.p2pchat.rendezvous.RendezvousOptions;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 3, test 7: a bad config stops start-up with one line naming the key; env/sys overrides
 * (issue 14: applied by the launcher or on request, never to a config deployed in code).
 */
@ExtendWith(VertxExtension.class)
@Timeout(30)
class ConfigErrorsTest {

  private static JsonObject node(String json) {
    return new JsonObject("{\"nick\":\"alice\"}").mergeIn(new JsonObject(json), true);
  }

  static Stream<Arguments> badNodeConfigs() {
    return Stream.of(
      Arguments.of("{\"rendezvous\":{\"port\":70000}}", "rendezvous.port", "70000"),
      Arguments.of("{\"rendezvous\":{\"port\":0}}", "rendezvous.port", "from 1 to 65535"),
      Arguments.of("{\"rendezvous\":{\"port\":\"abc\"}}", "rendezvous.port", "abc"),
      Arguments.of("{\"rendezvous\":7000}", "rendezvous", "must be an object"),
      Arguments.of("{\"rendezvous\":{\"host6\":\"10.0.0.7\"}}", "rendezvous.host6", "IPv6 literal"),
      Arguments.of("{\"rendezvous\":{\"host\":\"2001:db8::7\",\"host6\":\"2001:db8::8\"}}", "rendezvous.host6",
        "beside an IPv4"),
      Arguments.of("{\"nick\":\"\"}", "nick", "is required"),
      Arguments.of("{\"nick\":\"has space\"}", "nick", "has space"),
      Arguments.of("{\"nick\":\"" + "n".repeat(33) + "\"}", "nick", "1 to 32"),
      Arguments.of("{\"nick\":7}", "nick", "must be a string"),
      Arguments.of("{\"bind\":{\"port\":-1}}", "bind.port", "-1"),
      Arguments.of("{\"keepAliveSeconds\":0}", "keepAliveSeconds", "from 1"),
      Arguments.of("{\"keepAliveSeconds\":1.5}", "keepAliveSeconds", "integer"),
      Arguments.of("{\"console\":\"yes\"}", "console", "true or false"),
      Arguments.of("{\"extensions\":\"io.Bot\"}", "extensions", "list"),
      Arguments.of("{\"extensions\":[\"\"]}", "extensions", "non-empty"),
      Arguments.of("{\"room\":\"\"}", "room", "is required"),
      Arguments.of("{\"eventBusPrefix\":\"a b\"}", "eventBusPrefix", "a b"),
      Arguments.of("{\"dataDir\":\" \"}", "dataDir", "empty"),
      Arguments.of("{\"http\":{\"port\":65536}}", "http.port", "65536"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badNodeConfigs")
  void nodeOptionsNameTheKey(String json, String key, String detail) {
    ConfigException e = assertThrows(ConfigException.class, () -> new NodeOptions(node(json)));
    assertTrue(e.getMessage().startsWith(key + " "), e.getMessage());
    assertTrue(e.getMessage().contains(detail), e.getMessage());
    assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
    assertEquals(0, e.getStackTrace().length, "a config error is a message, not a stack trace");
  }

  @Test
  void rendezvousOptionsNameTheKey() {
    assertEquals("port must be an integer from 0 to 65535 (got 70000)",
      assertThrows(ConfigException.class, () -> new RendezvousOptions(new JsonObject().put("port", 70000))).getMessage());
    assertEquals("port must be an integer from 0 to 65535 (got abc)",
      assertThrows(ConfigException.class, () -> new RendezvousOptions(new JsonObject().put("port", "abc"))).getMessage());
    assertTrue(assertThrows(ConfigException.class, () -> new RendezvousOptions(new JsonObject().put("ttlSeconds", 0)))
      .getMessage().startsWith("ttlSeconds "));
    assertTrue(assertThrows(ConfigException.class, () -> new RendezvousOptions(new JsonObject().put("relay", "on")))
      .getMessage().startsWith("relay "));
    RendezvousOptions defaults = new RendezvousOptions(new JsonObject());
    assertEquals(RendezvousOptions.DEFAULT_PORT, defaults.port());
    assertEquals(RendezvousOptions.DEFAULT_TTL_SECONDS, defaults.ttlSeconds());
  }

  @Test
  void defaultsOfAMinimalNodeConfig() {
    NodeOptions o = new NodeOptions(new JsonObject().put("nick", "alice"));
    assertEquals(NodeOptions.DEFAULT_ROOM, o.room());
    assertEquals(NodeOptions.DEFAULT_RENDEZVOUS_PORT, o.rendezvousPort());
    assertEquals(NodeOptions.DEFAULT_BIND_PORT, o.bindPort());
    assertEquals(NodeOptions.DEFAULT_EVENT_BUS_PREFIX, o.eventBusPrefix());
    assertFalse(o.console());
    assertFalse(o.httpEnabled());
    assertTrue(o.dataDir().endsWith(Path.of(".p2pchat", "alice")), o.dataDir().toString());
  }

  @Test
  void deployingANodeWithABadConfigFailsWithTheMessage(Vertx vertx, VertxTestContext test) {
    vertx.deployVerticle(new ChatNodeVerticle(), new DeploymentOptions().setConfig(
        new JsonObject().put("nick", "alice").put("rendezvous", new JsonObject().put("port", 70000))))
      .onComplete(test.failing(e -> test.verify(() -> {
        assertInstanceOf(ConfigException.class, e);
        assertEquals("rendezvous.port must be an integer from 1 to 65535 (got 70000)", e.getMessage());
        assertEquals("config error: rendezvous.port must be an integer from 1 to 65535 (got 70000)",
          P2pChatLauncher.describe(e));
        assertTrue(vertx.deploymentIDs().isEmpty(), "nothing left deployed");
        test.completeNow();
      })));
  }

  @Test
  void aFailingExtensionIsNamed(Vertx vertx, VertxTestContext test, @TempDir Path dir) {
    vertx.deployVerticle(new ChatNodeVerticle(), new DeploymentOptions().setConfig(new JsonObject()
        .put("nick", "alice").put("eventBusPrefix", "ext")
        .put("bind", new JsonObject().put("host", "127.0.0.1").put("port", 0))
        .put("rendezvous", new JsonObject().put("port", 9))
        .put("dataDir", dir.resolve("data").toString()).put("logDir", dir.resolve("logs").toString())
        .put("extensions", new JsonArray().add("io.p2pchat.examples.NoSuchBot"))))
      .onComplete(test.failing(e -> test.verify(() -> {
        assertTrue(P2pChatLauncher.describe(e).startsWith("config error: extension io.p2pchat.examples.NoSuchBot failed"),
          P2pChatLauncher.describe(e));
        test.completeNow();
      })));
  }

  @Test
  void describeGivesOneLine() {
    assertEquals("config error: nick is required",
      P2pChatLauncher.describe(new RuntimeException("wrapped", new ConfigException("nick is required"))));
    assertEquals("Address already in use",
      P2pChatLauncher.describe(new IllegalStateException("outer", new java.net.BindException("Address already in use"))));
    assertEquals("NullPointerException", P2pChatLauncher.describe(new NullPointerException()));
  }

  // ---------------------------------------------------------------- environment and system properties

  private static final Map<String, String> NONE = Map.of();

  @Test
  void overridesMapEnvironmentAndSystemPropertiesToNestedTypedKeys() {
    JsonObject config = new JsonObject()
      .put("nick", "alice")
      .put("rendezvous", new JsonObject().put("host", "10.0.0.1").put("port", 7000));
    Map<String, String> env = Map.of("P2PCHAT_RENDEZVOUS_PORT", "7001", "P2PCHAT_KEEP_ALIVE_SECONDS", " 5 ",
      "P2PCHAT_CONSOLE", "TRUE", "P2PCHAT_EXTENSION_CONFIG", "{\"bot\": {\"greeting\": \"hi\"}}", "PATH", "/usr/bin");
    Map<String, String> properties = Map.of("p2pchat.extensions", "a.B, c.D,", "java.version", "17");
    JsonObject out = ConfigOverrides.apply(config, NodeOptions.KEYS, env, properties);
    assertEquals(new JsonObject()
      .put("nick", "alice")
      .put("rendezvous", new JsonObject().put("host", "10.0.0.1").put("port", 7001L))
      .put("keepAliveSeconds", 5L)
      .put("console", true)
      .put("extensions", new JsonArray().add("a.B").add("c.D"))
      .put("extensionConfig", new JsonObject().put("bot", new JsonObject().put("greeting", "hi"))), out);
    NodeOptions options = new NodeOptions(out);
    assertEquals(7001, options.rendezvousPort());
    assertEquals("10.0.0.1", options.rendezvousHost());
    assertEquals(new JsonObject().put("greeting", "hi"), options.extensionConfig().getJsonObject("bot"));
  }

  @Test
  void anOverrideOfAFlatKeyReplacesIt() {
    JsonObject out = ConfigOverrides.apply(new JsonObject().put("nick", "alice").put("rendezvous.port", 7000),
      NodeOptions.KEYS, Map.of("P2PCHAT_RENDEZVOUS_PORT", "7001"), NONE);
    assertEquals(7001, new NodeOptions(out).rendezvousPort());
  }

  @Test
  void systemPropertyBeatsEnvironment() {
    JsonObject out = ConfigOverrides.apply(new JsonObject().put("nick", "alice"), NodeOptions.KEYS,
      Map.of("P2PCHAT_RENDEZVOUS_PORT", "7001"), Map.of("p2pchat.rendezvous.port", "7002"));
    assertEquals(7002L, out.getJsonObject("rendezvous").getValue("port"));
  }

  @Test
  void aBadOverrideNamesTheKeyAndWhereItCameFrom() {
    ConfigException e = assertThrows(ConfigException.class, () -> ConfigOverrides.apply(
      new JsonObject().put("nick", "a"), NodeOptions.KEYS, Map.of("P2PCHAT_RENDEZVOUS_PORT", "abc"), NONE));
    assertEquals("rendezvous.port must be an integer (got \"abc\" from P2PCHAT_RENDEZVOUS_PORT or "
      + "-Dp2pchat.rendezvous.port)", e.getMessage());
    assertTrue(assertThrows(ConfigException.class, () -> ConfigOverrides.apply(
      new JsonObject(), RendezvousOptions.KEYS, Map.of("P2PCHAT_RELAY", "maybe"), NONE)).getMessage().startsWith("relay "));
    assertEquals("extensionConfig must be a JSON object (got \"[1]\" from P2PCHAT_EXTENSION_CONFIG or "
      + "-Dp2pchat.extensionConfig)", assertThrows(ConfigException.class, () -> ConfigOverrides.apply(
        new JsonObject(), NodeOptions.KEYS, Map.of("P2PCHAT_EXTENSION_CONFIG", "[1]"), NONE)).getMessage());
  }

  @Test
  void envNames() {
    assertEquals(Map.of("rendezvous.port", "P2PCHAT_RENDEZVOUS_PORT", "keepAliveSeconds", "P2PCHAT_KEEP_ALIVE_SECONDS",
        "http.port", "P2PCHAT_HTTP_PORT", "ttlSeconds", "P2PCHAT_TTL_SECONDS"),
      Map.of("rendezvous.port", ConfigOverrides.envName("rendezvous.port"),
        "keepAliveSeconds", ConfigOverrides.envName("keepAliveSeconds"),
        "http.port", ConfigOverrides.envName("http.port"),
        "ttlSeconds", ConfigOverrides.envName("ttlSeconds")));
  }

  /**
   * A {@code -Dp2pchat.nick} in the JVM does not touch a node an application deploys in code with
   * its own nick; the public call {@link ConfigOverrides#apply(JsonObject, Map)} reads it when asked.
   */
  @Test
  void systemPropertiesApplyOnlyWhenAsked(Vertx vertx, @TempDir Path dir) throws Exception {
    String property = ConfigOverrides.propertyName("nick");
    String previous = System.getProperty(property);
    System.setProperty(property, "mallory");
    try {
      TestNet net = new TestNet(vertx, dir);
      JsonObject config = net.nodeConfig("alice", net.rendezvous(new JsonObject()).port());
      TestNet.Node node = net.node(config);
      JsonObject info = TestNet.await(vertx.eventBus().<JsonObject>request(
        new ChatAddresses(node.prefix).node(), new JsonObject())).body();
      assertEquals("alice", info.getString("nick"), info.encode());
      assertEquals("mallory", ConfigOverrides.apply(config, NodeOptions.KEYS).getString("nick"));
    } finally {
      if (previous == null) {
        System.clearProperty(property);
      } else {
        System.setProperty(property, previous);
      }
    }
  }
}
