package io.p2pchat.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.p2pchat.crypto.CipherSuite;
import io.p2pchat.node.NodeOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** ChatNodeOptions maps one to one onto the node's config keys, and refuses what the node would. */
class ChatNodeOptionsTest {

  /** A rendezvous key as printed at start-up, in both forms (what they are does not matter here). */
  private static final String RDV_KEY = io.p2pchat.control.RendezvousIdentity.generate().publicKeyText();
  private static final String RDV_FINGERPRINT = io.p2pchat.control.RendezvousIdentity.generate().fingerprint();

  /** Every key of README's client node table, in the nested form of conf/chat.json, none at its default. */
  private static JsonObject everyKey() {
    return new JsonObject()
      .put("nick", "alice")
      .put("room", "team")
      .put("roomSecret", "correct horse battery staple")
      .put("rendezvous", new JsonObject().put("host", "rdv.example.org").put("port", 7001)
        .put("host6", "2001:db8::7").put("port6", 7002).put("key", RDV_FINGERPRINT)
        .put("servers", new JsonArray().add("rdv1:7000#" + RDV_KEY).add("[::1]:7000")).put("downAfterSeconds", 12)
          .put("tls", new JsonObject().put("port", 443).put("fingerprint", "1031 58B3" + " 0123".repeat(14))
            .put("verify", true).put("fallbackSeconds", 8).put("proxy", "http://joe:s%40cret@proxy.example.org:3128")))
      .put("bind", new JsonObject().put("host", "127.0.0.1").put("host6", "::1").put("port", 4000))
      .put("keepAliveSeconds", 20)
      .put("punchTimeoutSeconds", 7)
      .put("stunServers", new JsonArray().add("stun.example.org:3478"))
      .put("deliveryDeadlineSeconds", 60)
      .put("mailbox", new JsonObject().put("enabled", false).put("roomWindowDays", 10))
      .put("events", new JsonObject().put("perMessage", false))
      .put("console", true)
      .put("http", new JsonObject().put("host", "0.0.0.0").put("port", 8080))
      .put("extensions", new JsonArray().add("io.p2pchat.examples.EchoBotVerticle"))
      .put("extensionConfig", new JsonObject().put("echo", new JsonObject().put("prefix", "> ")))
      .put("eventBusPrefix", "alice")
      .put("dataDir", "/tmp/p2pchat-alice")
      .put("keyFile", "/tmp/p2pchat-alice/key")
      .put("cipher", "CHACHA20_POLY1305")
      .put("logDir", "/tmp/logs");
  }

  @Test
  void unsetOptionsAreTheNodesDefaultsAndAnEmptyConfig() {
    ChatNodeOptions options = new ChatNodeOptions();
    assertEquals(new JsonObject(), options.toJson());
    NodeOptions node = new NodeOptions(options.setNick("bob").toJson());
    assertEquals(node.room(), options.getRoom());
    assertEquals(node.rendezvousHost(), options.getRendezvousHost());
    assertEquals(node.rendezvousPort(), options.getRendezvousPort());
    assertEquals(node.rendezvousHost6(), options.getRendezvousHost6());
    assertEquals(node.rendezvousPort6(), options.getRendezvousPort6());
    assertEquals(node.rendezvousDownAfterSeconds(), options.getRendezvousDownAfterSeconds());
    assertEquals(node.rendezvousTlsPort(), options.getRendezvousTlsPort());
    assertEquals(node.rendezvousTlsFingerprint(), options.getRendezvousTlsFingerprint());
    assertEquals(node.rendezvousTlsVerify(), options.isRendezvousTlsVerify());
    assertEquals(node.rendezvousTlsFallbackSeconds(), options.getRendezvousTlsFallbackSeconds());
    assertEquals(node.rendezvousTlsProxy(), options.getRendezvousTlsProxy());
    assertEquals(node.bindHost(), options.getBindHost());
    assertEquals(node.bindHost6(), options.getBindHost6());
    assertEquals(node.bindPort(), options.getBindPort());
    assertEquals(node.keepAliveSeconds(), options.getKeepAliveSeconds());
    assertEquals(node.punchTimeoutSeconds(), options.getPunchTimeoutSeconds());
    assertEquals(node.deliveryDeadlineSeconds(), options.getDeliveryDeadlineSeconds());
    assertEquals(node.console(), options.isConsole());
    assertEquals(node.mailbox(), options.isMailbox());
    assertEquals(node.mailboxRoomWindowDays(), options.getMailboxRoomWindowDays());
    assertEquals(node.eventBusPrefix(), options.getEventBusPrefix());
    assertEquals(node.cipher(), options.getCipher());
    assertEquals(node.logDir(), options.getLogDir());
    assertEquals(node.httpEnabled(), options.getHttpPort() != null);
  }

  @Test
  void everyKeyRoundTripsExactlyAndMeansWhatTheNodeReads() {
    JsonObject json = everyKey();
    ChatNodeOptions options = new ChatNodeOptions(json);
    assertEquals(json, options.toJson());
    assertEquals(json, new ChatNodeOptions(options).toJson());
    assertEquals(options, new ChatNodeOptions(options));

    NodeOptions node = new NodeOptions(options.toJson());
    assertEquals("alice", node.nick());
    assertEquals("team", node.room());
    assertEquals("correct horse battery staple", node.roomSecret());
    assertEquals("rdv.example.org", node.rendezvousHost());
    assertEquals(7001, node.rendezvousPort());
    assertEquals("[2001:db8::7]:7002", node.rendezvousAlt());
    assertEquals(List.of("rdv1:7000", "[::1]:7000"), node.rendezvousServers());
    assertEquals(RDV_KEY, node.rendezvousKeys().get("rdv1:7000").key().map(java.util.Base64.getEncoder()::encodeToString).orElseThrow());
    assertEquals(RDV_FINGERPRINT, node.rendezvousKeys().get("rdv.example.org:7001").fingerprint());
    assertEquals(null, node.rendezvousKeys().get("[::1]:7000"), "no key: trusted on first use");
    assertEquals(12, node.rendezvousDownAfterSeconds());
    assertEquals(443, node.rendezvousTlsPort());
    assertEquals("103158b3" + "0123".repeat(14), node.rendezvousTlsFingerprint());
    assertTrue(node.rendezvousTlsVerify());
    assertEquals(8, node.rendezvousTlsFallbackSeconds());
    assertEquals("http://proxy.example.org:3128", node.rendezvousTlsProxy().toString());
    assertEquals("joe", node.rendezvousTlsProxy().username());
    assertEquals("s@cret", node.rendezvousTlsProxy().password());
    assertFalse(options.toString().contains("s%40cret"), "toString shows no proxy password: " + options);
    assertEquals("127.0.0.1", node.bindHost());
    assertEquals(4000, node.bindPort());
    assertEquals(20, node.keepAliveSeconds());
    assertEquals(7, node.punchTimeoutSeconds());
    assertEquals(List.of("stun.example.org:3478"), node.stunServers());
    assertEquals(60, node.deliveryDeadlineSeconds());
    assertFalse(node.mailbox());
    assertEquals(10, node.mailboxRoomWindowDays());
    assertFalse(new NodeOptions(new ChatNodeOptions().setNick("a").setMailbox(false).toJson()).mailbox(),
      "mailbox: false, as on the rendezvous");
    assertEquals(new JsonObject().put("nick", "a").put("mailbox", false),
      new ChatNodeOptions().setNick("a").setMailbox(false).toJson());
    assertTrue(node.console());
    assertFalse(node.eventsPerMessage());
    assertTrue(new NodeOptions(new JsonObject().put("nick", "a")).eventsPerMessage(), "per-message events by default");
    assertTrue(node.httpEnabled());
    assertEquals(List.of("io.p2pchat.examples.EchoBotVerticle"), node.extensions());
    assertEquals(new JsonObject().put("echo", new JsonObject().put("prefix", "> ")), node.extensionConfig());
    assertEquals("alice", node.eventBusPrefix());
    assertEquals(Path.of("/tmp/p2pchat-alice"), node.dataDir());
    assertEquals(Path.of("/tmp/p2pchat-alice/key"), node.keyFile());
    assertEquals(CipherSuite.CHACHA20_POLY1305, node.cipher());
    assertEquals("/tmp/logs", node.logDir());
  }

  /** IPv6 is on by default beside an IPv4 socket on every interface, off beside one bound to one address. */
  @Test
  void ipv6DefaultsFollowTheIpv4BindAddress() {
    assertEquals("::", new NodeOptions(new JsonObject().put("nick", "a")).bindHost6());
    assertEquals("::", new ChatNodeOptions().getBindHost6());
    JsonObject loopback = new JsonObject().put("nick", "a").put("bind", new JsonObject().put("host", "127.0.0.1"));
    assertEquals("none", new NodeOptions(loopback).bindHost6());
    assertEquals("none", new ChatNodeOptions().setBindHost("127.0.0.1").getBindHost6());
    assertEquals("::1", new ChatNodeOptions().setBindHost("127.0.0.1").setBindHost6("::1").getBindHost6());
  }

  @Test
  void settersBuildTheSameConfigAsTheFile() {
    ChatNodeOptions options = new ChatNodeOptions()
      .setNick("alice").setRoom("team").setRoomSecret("correct horse battery staple")
      .setRendezvousHost("rdv.example.org").setRendezvousPort(7001).setRendezvousHost6("2001:db8::7").setRendezvousPort6(7002)
      .setRendezvousKey(RDV_FINGERPRINT).setRendezvousServers(List.of("rdv1:7000#" + RDV_KEY, "[::1]:7000"))
      .setRendezvousDownAfterSeconds(12)
      .setRendezvousTlsPort(443).setRendezvousTlsFingerprint("1031 58B3" + " 0123".repeat(14)).setRendezvousTlsVerify(true)
      .setRendezvousTlsFallbackSeconds(8).setRendezvousTlsProxy("http://joe:s%40cret@proxy.example.org:3128")
      .setBindHost("127.0.0.1").setBindHost6("::1").setBindPort(4000)
      .setKeepAliveSeconds(20).setPunchTimeoutSeconds(7).setStunServers(List.of("stun.example.org:3478"))
      .setDeliveryDeadlineSeconds(60).setMailbox(false).setMailboxRoomWindowDays(10).setEventsPerMessage(false)
      .setConsole(true).setHttpHost("0.0.0.0").setHttpPort(8080)
      .setExtensions(List.of("io.p2pchat.examples.EchoBotVerticle"))
      .setExtensionConfig(new JsonObject().put("echo", new JsonObject().put("prefix", "> "))).setEventBusPrefix("alice")
      .setDataDir("/tmp/p2pchat-alice").setKeyFile("/tmp/p2pchat-alice/key")
      .setCipher(CipherSuite.CHACHA20_POLY1305).setLogDir("/tmp/logs");
    assertEquals(everyKey(), options.toJson());
    // null unsets a key: back to its default, gone from the config.
    assertEquals(ChatNodeOptions.DEFAULT_ROOM, options.setRoom(null).getRoom());
    assertFalse(options.toJson().containsKey("room"));
  }

  static Stream<Arguments> badSetterValues() {
    return Stream.of(
      bad("nick must be 1 to 32 letters, digits, '_', '.' or '-' (got \"a b\")", o -> o.setNick("a b")),
      bad("nick must be 1 to 32 letters, digits, '_', '.' or '-' (got \"" + "n".repeat(33) + "\")",
        o -> o.setNick("n".repeat(33))),
      bad("room must be 1 to 64 letters, digits, '_', '.' or '-' (got \"\")", o -> o.setRoom("")),
      bad("roomSecret must be at least 16 characters: anyone who can start a handshake may test guesses of it offline",
        o -> o.setRoomSecret("short")),
      bad("rendezvous.host must not be empty", o -> o.setRendezvousHost(" ")),
      bad("rendezvous.key: a rendezvous key is its public key (44 base64 characters) or its fingerprint (40 hex digits), as the rendezvous prints them at start-up; got 'not a key'", o -> o.setRendezvousKey("not a key")),
      bad("rendezvous.servers: a rendezvous key is its public key (44 base64 characters) or its fingerprint (40 hex digits), as the rendezvous prints them at start-up; got 'nope'", o -> o.setRendezvousServers(List.of("rdv1:7000#nope"))),
      bad("rendezvous.port must be an integer from 1 to 65535 (got 0)", o -> o.setRendezvousPort(0)),
      bad("rendezvous.port6 must be an integer from 1 to 65535 (got 0)", o -> o.setRendezvousPort6(0)),
      bad("rendezvous.host6 must not be empty", o -> o.setRendezvousHost6(" ")),
      bad("rendezvous.port must be an integer from 1 to 65535 (got 70000)", o -> o.setRendezvousPort(70_000)),
      bad("rendezvous.servers entries must be host:port (got \"rdv1\")", o -> o.setRendezvousServers(List.of("rdv1"))),
      bad("rendezvous.servers must be a list of non-empty strings (got )", o -> o.setRendezvousServers(List.of(""))),
      bad("rendezvous.downAfterSeconds must be an integer from 3 to 3600 (got 2)", o -> o.setRendezvousDownAfterSeconds(2)),
      bad("rendezvous.tls.port must be a port from 1 to 65535, or -1 for no TLS fallback (got 0)", o -> o.setRendezvousTlsPort(0)),
      bad("rendezvous.tls.fingerprint must be the SHA-256 of the certificate, 64 hex digits as the rendezvous prints them"
        + " (got \"1031 58b3\")", o -> o.setRendezvousTlsFingerprint("1031 58b3")),
      bad("rendezvous.tls.fallbackSeconds must be an integer from 1 to 3600 (got 0)", o -> o.setRendezvousTlsFallbackSeconds(0)),
      bad("rendezvous.tls.proxy must be http://host:port or http://user:password@host:port: only an HTTP proxy (CONNECT)"
        + " is supported (got scheme \"socks5\")", o -> o.setRendezvousTlsProxy("socks5://proxy:1080")),
      bad("rendezvous.tls.proxy must be http://host:port or http://user:password@host:port (got \"http://…@proxy\")",
        o -> o.setRendezvousTlsProxy("http://joe:secret@proxy")),
      bad("bind.host must not be empty", o -> o.setBindHost("")),
      bad("bind.port must be an integer from 0 to 65535 (got -1)", o -> o.setBindPort(-1)),
      bad("keepAliveSeconds must be an integer from 1 to 3600 (got 0)", o -> o.setKeepAliveSeconds(0)),
      bad("punchTimeoutSeconds must be an integer from 1 to 600 (got 601)", o -> o.setPunchTimeoutSeconds(601)),
      bad("stunServers entries must be host:port (got \"stun:x\")", o -> o.setStunServers(List.of("stun:x"))),
      bad("deliveryDeadlineSeconds must be an integer from 1 to 86400 (got 86401)", o -> o.setDeliveryDeadlineSeconds(86_401)),
      bad("http.host must not be empty", o -> o.setHttpHost("")),
      bad("http.port must be an integer from 0 to 65535 (got 65536)", o -> o.setHttpPort(65_536)),
      bad("extensions must be a list of non-empty strings (got  )", o -> o.setExtensions(Arrays.asList(" "))),
      bad("eventBusPrefix must be 1 to 64 letters, digits, '_', '.' or '-' (got \"a/b\")", o -> o.setEventBusPrefix("a/b")),
      bad("dataDir must not be empty", o -> o.setDataDir("")),
      bad("keyFile must not be empty", o -> o.setKeyFile(" ")),
      bad("logDir must not be empty", o -> o.setLogDir("")));
  }

  private static Arguments bad(String message, Consumer<ChatNodeOptions> setter) {
    return Arguments.of(message, setter);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badSetterValues")
  void aBadValueIsRefusedAtOnceNamingTheKeyAndTheRule(String message, Consumer<ChatNodeOptions> setter) {
    ChatNodeOptions options = new ChatNodeOptions();
    assertEquals(message, assertThrows(IllegalArgumentException.class, () -> setter.accept(options)).getMessage());
    assertEquals(new JsonObject(), options.toJson(), "a refused value leaves the options as they were");
  }

  static Stream<Arguments> badJson() {
    return Stream.of(
      Arguments.of(new JsonObject().put("rendezvus", new JsonObject()),
        "unknown key 'rendezvus' (known: [nick, room, roomSecret, rendezvous, bind, keepAliveSeconds, "
          + "punchTimeoutSeconds, stunServers, deliveryDeadlineSeconds, mailbox, events, console, http, extensions, extensionConfig, "
          + "eventBusPrefix, dataDir, keyFile, cipher, logDir])"),
      Arguments.of(new JsonObject().put("rendezvous", new JsonObject().put("prot", 1)),
        "unknown key 'rendezvous.prot' (known: [host, port, host6, port6, key, servers, downAfterSeconds, tls])"),
      Arguments.of(new JsonObject().put("http", "8080"), "http must be an object (got 8080)"),
      Arguments.of(new JsonObject().put("bind", new JsonObject().put("port", "4000")),
        "bind.port must be an integer (got 4000)"),
      Arguments.of(new JsonObject().put("http", new JsonObject().put("port", 1.5)), "http.port must be an integer (got 1.5)"),
      Arguments.of(new JsonObject().put("nick", 5), "nick must be a string (got 5)"),
      Arguments.of(new JsonObject().put("console", "yes"), "console must be true or false (got yes)"),
      Arguments.of(new JsonObject().put("stunServers", "a:1"), "stunServers must be a list of strings (got a:1)"),
      Arguments.of(new JsonObject().put("extensions", new JsonArray().add(1)),
        "extensions must be a list of non-empty strings (got 1)"),
      Arguments.of(new JsonObject().put("cipher", "RC4"), "cipher must be AES_GCM or CHACHA20_POLY1305 (got \"RC4\")"),
      Arguments.of(new JsonObject().put("keepAliveSeconds", 5_000_000_000L),
        "keepAliveSeconds must be an integer from 1 to 3600 (got 5000000000)"));
  }

  @ParameterizedTest(name = "{1}")
  @MethodSource("badJson")
  void aBadConfigObjectIsRefusedNamingTheKey(JsonObject json, String message) {
    assertEquals(message, assertThrows(IllegalArgumentException.class, () -> new ChatNodeOptions(json)).getMessage());
  }
}
