package io.p2pchat.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.p2pchat.app.P2pChatLauncher;
import io.p2pchat.chat.ChatAddresses;
import io.p2pchat.common.ConfigException;
import io.p2pchat.common.ConfigLoader;
import io.p2pchat.crypto.CipherSuite;
import io.p2pchat.examples.EchoBotVerticle;
import io.p2pchat.rendezvous.RendezvousOptions;
import io.p2pchat.rendezvous.RendezvousVerticle;
import io.p2pchat.ui.UiAddresses;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 14, config: every key of the README's two tables takes effect in the nested form of
 * {@code conf/*.json} and in the flat dotted form, the UI, socket, prefix, room, rendezvous and
 * extension keys observed on a running node; an unknown key at any depth stops start-up with one
 * line naming it and the closest known key.
 */
@ExtendWith(VertxExtension.class)
@Timeout(90)
class ConfigKeysTest {

  /** The README, from the integration-tests module's directory (Surefire's working directory). */
  private static final Path README = Path.of("..", "README.md");
  /** Keys that are known but not documented: the test-only packet impairment. */
  private static final String TEST_ONLY_GROUP = "impair.";

  /** One documented key: a value other than its default, and how the parsed options show it. */
  private record Key<O>(String key, Object value, Function<O, Object> read, Object expected) {
    @Override
    public String toString() {
      return key + "=" + value;
    }
  }

  private static Key<NodeOptions> node(String key, Object value, Function<NodeOptions, Object> read, Object expected) {
    return new Key<>(key, value, read, expected);
  }

  private static Key<NodeOptions> node(String key, Object value, Function<NodeOptions, Object> read) {
    return node(key, value, read, value);
  }

  private static Key<RendezvousOptions> rendezvous(String key, Object value, Function<RendezvousOptions, Object> read) {
    return new Key<>(key, value, read, value);
  }

  /** A rendezvous key's fingerprint, as the rendezvous prints it (which key does not matter here). */
  private static final String PINNED = io.p2pchat.control.RendezvousIdentity.generate().fingerprint();

  /** Every key of the README's client node table. */
  static List<Key<NodeOptions>> nodeKeys() {
    return List.of(
      node("nick", "bob", NodeOptions::nick),
      node("room", "attic", NodeOptions::room),
      node("roomSecret", "sixteen-chars-or-more", NodeOptions::roomSecret),
      node("rendezvous.host", "10.0.0.7", NodeOptions::rendezvousHost),
      node("rendezvous.port", 7001, NodeOptions::rendezvousPort),
      node("rendezvous.host6", "2001:db8::7", NodeOptions::rendezvousAlt, "[2001:db8::7]:7000"),
      node("rendezvous.port6", 7001, NodeOptions::rendezvousPort6),
      node("rendezvous.servers", new JsonArray().add("rdv1:7000").add("rdv2:7001"), NodeOptions::rendezvousServers,
        List.of("rdv1:7000", "rdv2:7001")),
      node("rendezvous.key", PINNED, o -> o.rendezvousKeys().values().stream().findFirst()
        .map(io.p2pchat.control.ServerKey::fingerprint).orElse(null)),
      node("rendezvous.downAfterSeconds", 12, NodeOptions::rendezvousDownAfterSeconds),
      node("rendezvous.tls.port", 443, NodeOptions::rendezvousTlsPort),
      node("rendezvous.tls.fingerprint", "1031 58B3" + " 0123".repeat(14), NodeOptions::rendezvousTlsFingerprint,
        "103158b3" + "0123".repeat(14)),
      node("rendezvous.tls.verify", true, NodeOptions::rendezvousTlsVerify),
      node("rendezvous.tls.fallbackSeconds", 12, NodeOptions::rendezvousTlsFallbackSeconds),
      node("rendezvous.tls.proxy", "http://proxy.example.org:3128", o -> String.valueOf(o.rendezvousTlsProxy())),
      node("bind.host", "127.0.0.1", NodeOptions::bindHost),
      node("bind.host6", "::1", NodeOptions::bindHost6),
      node("bind.port", 4567, NodeOptions::bindPort),
      node("keepAliveSeconds", 20, NodeOptions::keepAliveSeconds),
      node("punchTimeoutSeconds", 7, NodeOptions::punchTimeoutSeconds),
      node("stunServers", new JsonArray().add("stun.example.org:3478"), NodeOptions::stunServers,
        List.of("stun.example.org:3478")),
      node("lanRanges", new JsonArray().add("192.0.2.0/24"), o -> o.lanRanges().extra(), List.of("192.0.2.0/24")),
      node("deliveryDeadlineSeconds", 45, NodeOptions::deliveryDeadlineSeconds),
      node("mailbox.enabled", false, NodeOptions::mailbox),
      node("lan.discovery", false, NodeOptions::lanDiscovery),
      node("mailbox.roomWindowDays", 10, NodeOptions::mailboxRoomWindowDays),
      node("portMapping.protocols", new JsonArray().add("upnp"), o -> o.portMapping().protocols().toString(), "[UPNP]"),
      node("events.perMessage", false, NodeOptions::eventsPerMessage),
      node("console", true, NodeOptions::console),
      node("http.host", "::1", NodeOptions::httpHost),
      node("http.port", 8080, NodeOptions::httpPort),
      node("metrics.host", "::1", o -> o.metrics().getHost()),
      node("metrics.port", 9100, o -> o.metrics().getPort()),
      node("extensions", new JsonArray().add("org.example.Bot"), NodeOptions::extensions, List.of("org.example.Bot")),
      node("extensionConfig", new JsonObject().put("bot", new JsonObject().put("greeting", "hi")),
        NodeOptions::extensionConfig),
      node("eventBusPrefix", "n1", NodeOptions::eventBusPrefix),
      node("dataDir", "/tmp/p2pchat-data", NodeOptions::dataDir, Path.of("/tmp/p2pchat-data")),
      node("keyFile", "/tmp/p2pchat-keys/id.key", NodeOptions::keyFile, Path.of("/tmp/p2pchat-keys/id.key")),
      node("cipher", "CHACHA20_POLY1305", NodeOptions::cipher, CipherSuite.CHACHA20_POLY1305),
      node("logDir", "/tmp/p2pchat-logs", NodeOptions::logDir));
  }

  /** Every key of the README's rendezvous table. */
  static List<Key<RendezvousOptions>> rendezvousKeys() {
    return List.of(
      rendezvous("host", "127.0.0.1", RendezvousOptions::host),
      rendezvous("host6", "none", RendezvousOptions::host6),
      rendezvous("port", 7001, RendezvousOptions::port),
      rendezvous("ttlSeconds", 40, RendezvousOptions::ttlSeconds),
      rendezvous("relay", false, RendezvousOptions::relay),
      rendezvous("relayBytesPerSecond", 100_000, RendezvousOptions::relayBytesPerSecond),
      rendezvous("maxClients", 5_000, RendezvousOptions::maxClients),
      rendezvous("plainCommands", false, RendezvousOptions::plainCommands),
      rendezvous("requestsPerSecond", 30, RendezvousOptions::requestsPerSecond),
      rendezvous("requestBurst", 50, RendezvousOptions::requestBurst),
      rendezvous("requestsPerSecondPerHost", 300, RendezvousOptions::requestsPerSecondPerHost),
      rendezvous("requestBurstPerHost", 500, RendezvousOptions::requestBurstPerHost),
      rendezvous("maxClientsPerHost", 64, RendezvousOptions::maxClientsPerHost),
      rendezvous("maxTrackedSources", 1_000, RendezvousOptions::maxTrackedSources),
      rendezvous("handshakeThreads", 3, RendezvousOptions::handshakeThreads),
      rendezvous("handshakeQueue", 64, RendezvousOptions::handshakeQueue),
      new Key<>("lanRanges", new JsonArray().add("198.51.100.0/24"), o -> o.lanRanges().extra(), List.of("198.51.100.0/24")),
      rendezvous("logDir", "/tmp/p2pchat-logs", RendezvousOptions::logDir),
      rendezvous("dataDir", "/tmp/p2pchat-rendezvous", RendezvousOptions::dataDir),
      rendezvous("tls.port", 443, o -> o.tls().port()),
      rendezvous("tls.host", "::1", o -> o.tls().host()),
      new Key<>("tls.cert", "/etc/le/fullchain.pem", o -> o.tls().certFile(), Path.of("/etc/le/fullchain.pem")),
      new Key<>("tls.key", "/etc/le/privkey.pem", o -> o.tls().keyFile(), Path.of("/etc/le/privkey.pem")),
      rendezvous("tls.maxConnections", 500, o -> o.tls().maxConnections()),
      rendezvous("metrics.host", "::1", o -> o.metrics().getHost()),
      rendezvous("metrics.port", 9100, o -> o.metrics().getPort()),
      rendezvous("mailbox.enabled", false, o -> o.mailbox() != null),
      rendezvous("mailbox.file", "m.db", o -> o.mailbox().getFile()),
      rendezvous("mailbox.ttlSeconds", 3600, o -> o.mailbox().getTtlSeconds()),
      rendezvous("mailbox.maxEnvelopeBytes", 4096, o -> o.mailbox().getMaxEnvelopeBytes()),
      rendezvous("mailbox.maxPerRecipient", 50, o -> o.mailbox().getMaxPerRecipient()),
      rendezvous("mailbox.maxBytesPerRecipient", 50_000, o -> o.mailbox().getMaxBytesPerRecipient()),
      rendezvous("mailbox.maxPerDepositor", 60, o -> o.mailbox().getMaxPerDepositor()),
      rendezvous("mailbox.maxBytesPerDepositor", 60_000, o -> o.mailbox().getMaxBytesPerDepositor()),
      rendezvous("mailbox.maxTotal", 70, o -> o.mailbox().getMaxTotal()),
      rendezvous("mailbox.maxTotalBytes", 70_000, o -> o.mailbox().getMaxTotalBytes()),
      rendezvous("mailbox.noticeTtlSeconds", 7200, o -> o.mailbox().getNoticeTtlSeconds()),
      rendezvous("mailbox.maxNoticesPerDepositor", 80, o -> o.mailbox().getMaxNoticesPerDepositor()),
      rendezvous("mailbox.maxBatch", 16, o -> o.mailbox().getMaxBatch()));
  }

  /** {@code {"a.b": v}} as {@code {"a": {"b": v}}}, built here so the code under test is not the oracle. */
  private static JsonObject nested(Map<String, Object> flat) {
    JsonObject root = new JsonObject();
    flat.forEach((key, value) -> {
      String[] parts = key.split("\\.");
      JsonObject node = root;
      for (int i = 0; i < parts.length - 1; i++) {
        if (node.getJsonObject(parts[i]) == null) {
          node.put(parts[i], new JsonObject());
        }
        node = node.getJsonObject(parts[i]);
      }
      node.put(parts[parts.length - 1], value);
    });
    return root;
  }

  private static NodeOptions nodeOptions(JsonObject config) {
    return new NodeOptions(ConfigLoader.normalize(config, NodeOptions.KEYS));
  }

  // ---------------------------------------------------------------- every documented key, parsed

  @ParameterizedTest(name = "{0}")
  @MethodSource("nodeKeys")
  void everyNodeKeyTakesEffectNestedAndFlat(Key<NodeOptions> k) {
    Map<String, Object> given = new LinkedHashMap<>(Map.of("nick", "alice"));
    given.put(k.key, k.value);
    Object defaultValue = k.read.apply(nodeOptions(new JsonObject().put("nick", "alice")));
    assertNotEquals(k.expected, defaultValue, "the case must differ from the default to show an effect");
    JsonObject nestedForm = nested(given);
    assertEquals(k.expected, k.read.apply(nodeOptions(nestedForm)), "nested " + nestedForm.encode());
    JsonObject flatForm = new JsonObject(given);
    assertEquals(k.expected, k.read.apply(nodeOptions(flatForm)), "flat " + flatForm.encode());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rendezvousKeys")
  void everyRendezvousKeyTakesEffect(Key<RendezvousOptions> k) {
    RendezvousOptions defaults = new RendezvousOptions(ConfigLoader.normalize(new JsonObject(), RendezvousOptions.KEYS));
    assertNotEquals(k.expected, k.read.apply(defaults), "the case must differ from the default to show an effect");
    JsonObject config = new JsonObject().put(k.key, k.value);
    assertEquals(k.expected, k.read.apply(new RendezvousOptions(ConfigLoader.normalize(config, RendezvousOptions.KEYS))));
  }

  /** The tables above, the README's tables and the verticles' key lists name the same keys. */
  @Test
  void theTablesCoverEveryKnownKeyAndTheReadme() throws IOException {
    Map<String, Set<String>> readme = readmeConfigTables();
    Set<String> nodeKnown = NodeOptions.KEYS.keySet().stream().filter(k -> !k.startsWith(TEST_ONLY_GROUP))
      .collect(Collectors.toCollection(LinkedHashSet::new));
    assertEquals(nodeKnown, nodeKeys().stream().map(Key::key).collect(Collectors.toSet()));
    assertEquals(nodeKnown, readme.get("Client node"));
    Set<String> rendezvousKnown = RendezvousOptions.KEYS.keySet().stream().filter(k -> !k.startsWith(TEST_ONLY_GROUP))
      .collect(Collectors.toCollection(LinkedHashSet::new));
    assertEquals(rendezvousKnown, rendezvousKeys().stream().map(Key::key).collect(Collectors.toSet()));
    assertEquals(rendezvousKnown, readme.get("Rendezvous"));
  }

  /** The keys in the first column of each table of README's Configuration section, by the table's bold title. */
  private static Map<String, Set<String>> readmeConfigTables() throws IOException {
    String text = Files.readString(README);
    int start = text.indexOf("\n## Configuration\n");
    assertTrue(start >= 0, "README has a Configuration section");
    String section = text.substring(start + 1, text.indexOf("\n## ", start + 1));
    Map<String, Set<String>> tables = new LinkedHashMap<>();
    Set<String> current = null;
    Pattern title = Pattern.compile("^\\*\\*([^*]+)\\*\\*");
    Pattern code = Pattern.compile("`([^`]+)`");
    for (String line : section.split("\n")) {
      Matcher t = title.matcher(line);
      if (t.find()) {
        current = new LinkedHashSet<>();
        tables.put(t.group(1).trim(), current);
      } else if (current != null && line.startsWith("| `")) {
        Matcher c = code.matcher(line.split("\\|")[1]);
        while (c.find()) {
          current.add(c.group(1));
        }
      }
    }
    return tables;
  }

  /** The shipped files use only known keys, in the nested form. */
  @Test
  void theShippedConfFilesAreAccepted() throws IOException {
    JsonObject chat = new JsonObject(Files.readString(README.resolveSibling("conf").resolve("chat.json")));
    assertEquals(chat, ConfigLoader.normalize(chat, NodeOptions.KEYS));
    JsonObject rendezvous = new JsonObject(Files.readString(README.resolveSibling("conf").resolve("rendezvous.json")));
    assertEquals(rendezvous, ConfigLoader.normalize(rendezvous, RendezvousOptions.KEYS));
  }

  @Test
  void testOnlyImpairKeysStayAccepted() {
    NodeOptions options = nodeOptions(new JsonObject().put("nick", "alice")
      .put("impair", new JsonObject().put("lossPercent", 5).put("seed", 3)).put("impair.duplicatePercent", 2));
    assertEquals(List.of(5, 2, 0, 3), Stream.of(0, 1, 2, 3).map(i -> options.impairment()[i]).toList());
  }

  /** The rendezvous's test-only impairment of its introductions and departures, nested or flat. */
  @Test
  void theRendezvousImpairmentIsReadNestedOrFlat() {
    RendezvousOptions nested = new RendezvousOptions(ConfigLoader.normalize(
      new JsonObject().put("impair", new JsonObject().put("lossPercent", 40).put("duplicatePercent", 10).put("seed", 7)),
      RendezvousOptions.KEYS));
    assertEquals(List.of(40, 10, 7), Arrays.stream(nested.impairment()).boxed().toList());
    RendezvousOptions flat = new RendezvousOptions(ConfigLoader.normalize(
      new JsonObject().put("impair.lossPercent", 30), RendezvousOptions.KEYS));
    assertEquals(List.of(30, 0, 1), Arrays.stream(flat.impairment()).boxed().toList(), "seed 1 by default");
    assertEquals(List.of(0, 0, 1), Arrays.stream(new RendezvousOptions(new JsonObject()).impairment()).boxed().toList(),
      "off by default");
  }


  @Test
  void extensionConfigIsFreeForm() {
    JsonObject own = new JsonObject().put("any.dotted", 1).put("nested", new JsonObject().put("x", new JsonArray()));
    NodeOptions options = nodeOptions(new JsonObject().put("nick", "alice")
      .put("extensionConfig", new JsonObject().put("bot", own)));
    assertEquals(own, options.extensionConfig().getJsonObject("bot"));
    assertEquals(own, nodeOptions(new JsonObject().put("nick", "alice").put("extensionConfig.bot", own))
      .extensionConfig().getJsonObject("bot"));
  }

  // ---------------------------------------------------------------- portMapping

  @Test
  void portMappingIsOnByDefaultOffWithFalseAndABadProtocolStopsStartUp() {
    assertEquals(true, nodeOptions(new JsonObject().put("nick", "alice")).portMapping().enabled());
    assertEquals(false, nodeOptions(new JsonObject().put("nick", "alice").put("portMapping", false))
      .portMapping().enabled());
    ConfigException e = assertThrows(ConfigException.class, () -> nodeOptions(new JsonObject().put("nick", "alice")
      .put("portMapping", new JsonObject().put("protocols", new JsonArray().add("igd")))));
    assertEquals("portMapping.protocols: unknown protocol igd (natpmp, pcp, upnp)", e.getMessage());
  }

  // ---------------------------------------------------------------- both forms at once

  @Test
  void theSameKeyBothWaysMustAgree() {
    JsonObject agreeing = new JsonObject().put("nick", "alice").put("rendezvous.port", 7001)
      .put("rendezvous", new JsonObject().put("port", 7001).put("host", "10.0.0.7"));
    NodeOptions options = nodeOptions(agreeing);
    assertEquals(7001, options.rendezvousPort());
    assertEquals("10.0.0.7", options.rendezvousHost());
    ConfigException e = assertThrows(ConfigException.class, () -> nodeOptions(new JsonObject().put("nick", "alice")
      .put("rendezvous", new JsonObject().put("port", 7000)).put("rendezvous.port", 7001)));
    assertEquals("rendezvous.port is given twice with different values (7000 and 7001)", e.getMessage());
  }

  // ---------------------------------------------------------------- unknown keys

  static Stream<Arguments> unknownNodeKeys() {
    return Stream.of(
      Arguments.of("{\"rendezvus\": {\"port\": 7001}}", "rendezvus", "rendezvous"),
      Arguments.of("{\"rendezvus.port\": 7001}", "rendezvus", "rendezvous"),
      Arguments.of("{\"rendezvous\": {\"prot\": 7001}}", "rendezvous.prot", "rendezvous.port"),
      Arguments.of("{\"rendezvous.prot\": 7001}", "rendezvous.prot", "rendezvous.port"),
      Arguments.of("{\"http.prot\": 8080}", "http.prot", "http.port"),
      Arguments.of("{\"http\": {\"prot\": 8080}}", "http.prot", "http.port"),
      Arguments.of("{\"bind\": {\"hots\": \"0.0.0.0\"}}", "bind.hots", "bind.host"),
      Arguments.of("{\"keepAliveSecond\": 15}", "keepAliveSecond", "keepAliveSeconds"),
      Arguments.of("{\"Nick\": \"bob\"}", "Nick", "nick"),
      Arguments.of("{\"portMapping\": {\"protocol\": [\"upnp\"]}}", "portMapping.protocol", "portMapping.protocols"),
      Arguments.of("{\"rendezvous\": {\"server\": [\"rdv1:7000\"]}}", "rendezvous.server", "rendezvous.servers"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("unknownNodeKeys")
  void anUnknownNodeKeyIsNamedWithTheClosestKnownOne(String json, String unknown, String closest) {
    JsonObject config = new JsonObject().put("nick", "alice").mergeIn(new JsonObject(json));
    ConfigException e = assertThrows(ConfigException.class, () -> nodeOptions(config));
    assertEquals("unknown key '" + unknown + "' (did you mean '" + closest + "'?)", e.getMessage());
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"prot:port", "ttlSecond:ttlSeconds", "relays:relay", "maxclient:maxClients",
    "mailbox.maxPerRecipent:mailbox.maxPerRecipient"})
  void anUnknownRendezvousKeyIsNamedWithTheClosestKnownOne(String pair) {
    String[] p = pair.split(":");
    ConfigException e = assertThrows(ConfigException.class,
      () -> ConfigLoader.normalize(new JsonObject().put(p[0], 1), RendezvousOptions.KEYS));
    assertEquals("unknown key '" + p[0] + "' (did you mean '" + p[1] + "'?)", e.getMessage());
  }

  @Test
  void deployingANodeWithAnUnknownKeyFailsWithTheOneLine(Vertx vertx) throws Exception {
    JsonObject config = new JsonObject().put("nick", "alice").put("rendezvus", new JsonObject().put("port", 7001));
    Throwable e = assertThrows(Exception.class,
      () -> TestNet.await(vertx.deployVerticle(new ChatNodeVerticle(), new DeploymentOptions().setConfig(config))));
    assertInstanceOf(ConfigException.class, e.getCause(), String.valueOf(e));
    assertEquals("config error: unknown key 'rendezvus' (did you mean 'rendezvous'?)", P2pChatLauncher.describe(e));
    assertTrue(vertx.deploymentIDs().isEmpty(), "nothing left deployed");
  }

  @Test
  void deployingARendezvousWithAnUnknownKeyFailsWithTheOneLine(Vertx vertx) {
    JsonObject config = new JsonObject().put("host", "127.0.0.1").put("prot", 7001);
    Throwable e = assertThrows(Exception.class,
      () -> TestNet.await(vertx.deployVerticle(new RendezvousVerticle(), new DeploymentOptions().setConfig(config))));
    assertEquals("config error: unknown key 'prot' (did you mean 'port'?)", P2pChatLauncher.describe(e));
    assertTrue(vertx.deploymentIDs().isEmpty(), "nothing left deployed");
  }

  // ---------------------------------------------------------------- observed on a running node

  private static int freeTcpPort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static int freeUdpPort() throws IOException {
    try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  /**
   * A node configured in one form (nested as {@code conf/*.json}, or flat dotted): its UDP socket is
   * on {@code bind.port}, its web UI answers HTTP on {@code http.port}, its API is on
   * {@code eventBusPrefix}, it registers at {@code rendezvous.*}, keeps its key at {@code keyFile}, it
   * is in its {@code room} and a peer there reaches it, and its extension (the echo bot) answers that peer.
   */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"nested", "flat"})
  void aNodeRunsWhereItsConfigSays(String form, Vertx vertx, @TempDir Path dir) throws Exception {
    TestNet net = new TestNet(vertx, dir);
    RendezvousVerticle rdv = net.rendezvous(new JsonObject());
    int httpPort = freeTcpPort();
    int bindPort = freeUdpPort();
    Path keyFile = dir.resolve("keys").resolve("carol.key");
    Map<String, Object> keys = new LinkedHashMap<>();
    keys.put("nick", "carol");
    keys.put("room", "attic");
    keys.put("eventBusPrefix", "cfg-" + form);
    keys.put("rendezvous.host", "127.0.0.1");
    keys.put("rendezvous.port", rdv.port());
    keys.put("bind.host", "127.0.0.1");
    keys.put("bind.port", bindPort);
    keys.put("http.host", "127.0.0.1");
    keys.put("http.port", httpPort);
    keys.put("dataDir", dir.resolve("carol-data").toString());
    keys.put("keyFile", keyFile.toString());
    keys.put("logDir", dir.resolve("logs").toString());
    keys.put("extensions", new JsonArray().add(EchoBotVerticle.class.getName()));
    TestNet.Node carol = net.node(form.equals("nested") ? nested(keys) : new JsonObject(keys));

    assertEquals(bindPort, carol.port(), "bind.port");
    JsonObject up = carol.events.await(TestNet.Events.RENDEZVOUS_STATE, e -> "up".equals(e.getString("state")));
    assertEquals("127.0.0.1:" + rdv.port(), up.getString("address"), "rendezvous.host/port");
    String url = TestNet.await(vertx.eventBus().<JsonObject>request(
      UiAddresses.absolute("cfg-" + form, UiAddresses.URL_REQUEST), new JsonObject())).body().getString("url");
    assertTrue(url.startsWith("http://127.0.0.1:" + httpPort + "/"), url);
    HttpClient http = vertx.createHttpClient();
    HttpClientResponse page = TestNet.await(http.request(HttpMethod.GET, httpPort, "127.0.0.1", "/")
      .compose(request -> request.send()));
    assertTrue(page.statusCode() > 0, "the web UI answers on http.port");
    assertTrue(Files.isRegularFile(keyFile), "keyFile");
    assertTrue(Files.isDirectory(dir.resolve("carol-data")), "dataDir");

    JsonObject info = TestNet.await(vertx.eventBus().<JsonObject>request(
      new ChatAddresses("cfg-" + form).node(), new JsonObject())).body();
    assertEquals("attic", info.getString("room"), info.encode());
    TestNet.Node dave = net.node(net.nodeConfig("dave", rdv.port()).put("room", "attic"));
    dave.awaitPeer("carol", "direct-lan");
    dave.send("!ping");
    dave.awaitReceived("carol", "pong");
  }
}
