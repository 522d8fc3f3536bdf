package io.p2pchat.ui;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URI;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Handler-level tests of the web UI's guard and push channel: two UiVerticles (alice, bob) over a
 * {@link FakeChatNetwork}, driven by the Vert.x Web client and WebSocket client like a browser or an
 * attacker would.
 */
@ExtendWith(VertxExtension.class)
class UiVerticleTest {

  /** Test logs stay out of the source tree. */
  static final String LOG_DIR = "target/ui-test-logs";

  /** Generous: a loaded 2-core machine shared by several builds. */
  private static final long TIMEOUT_S = 20;

  private Vertx vertx;
  private UiVerticle alice;
  private UiVerticle bob;
  private WebClient client;
  private WebSocketClient wsClient;
  private String token;

  @BeforeEach
  void setUp() throws Exception {
    vertx = Vertx.vertx();
    new FakeChatNetwork(vertx, "alice", "bob", "carol");
    alice = new UiVerticle(new UiOptions().setNick("alice").setEventBusPrefix("alice").setLogDir(LOG_DIR));
    bob = new UiVerticle(new UiOptions().setNick("bob").setEventBusPrefix("bob").setLogDir(LOG_DIR));
    await(vertx.deployVerticle(alice));
    await(vertx.deployVerticle(bob));
    client = WebClient.create(vertx, new WebClientOptions().setFollowRedirects(false));
    wsClient = vertx.createWebSocketClient();
    token = URI.create(alice.url()).getQuery().substring("token=".length());
  }

  @AfterEach
  void tearDown() throws Exception {
    await(vertx.close());
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(TIMEOUT_S, TimeUnit.SECONDS);
  }

  private HttpRequest<Buffer> get(String uri) {
    return client.get(alice.port(), "127.0.0.1", uri);
  }

  private String origin() {
    return "http://127.0.0.1:" + alice.port();
  }

  @Test
  void urlIsPrintedFormAndAvailableOnTheEventBus() throws Exception {
    assertTrue(alice.url().startsWith("http://127.0.0.1:" + alice.port() + "/?token="), alice.url());
    assertTrue(token.length() >= 22, "at least 128 bits of base64url");
    assertFalse(token.equals(URI.create(bob.url()).getQuery().substring(6)), "each start has its own token");
    JsonObject reply = (JsonObject) await(vertx.eventBus().request("alice.ui.url", new JsonObject())).body();
    assertEquals(alice.url(), reply.getString("url"));
  }

  @Test
  void theTokenNeverReachesTheLog() throws Exception {
    java.nio.file.Path log = java.nio.file.Path.of(LOG_DIR, "alice.log");
    String listening = "web UI listening on http://127.0.0.1:" + alice.port() + "/";
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_S); // the appender is asynchronous
    String text = "";
    while (!text.contains(listening) && System.nanoTime() < deadline) {
      text = java.nio.file.Files.exists(log) ? java.nio.file.Files.readString(log) : "";
      if (!text.contains(listening)) {
        await(vertx.timer(50));
      }
    }
    assertTrue(text.contains(listening), "start-up line logged");
    assertFalse(text.contains(token), "token in the log");
  }

  @Test
  void requestWithoutTokenIsRefused() throws Exception {
    assertEquals(401, await(get("/").send()).statusCode());
    assertEquals(401, await(get("/app.js").send()).statusCode());
    assertEquals(401, await(get("/?token=wrong").send()).statusCode());
    assertEquals(401, await(get("/").putHeader(RequestGuard.TOKEN_HEADER, "wrong").send()).statusCode());
  }

  @Test
  void tokenOfAnotherNodeIsRefused() throws Exception {
    String bobToken = URI.create(bob.url()).getQuery().substring(6);
    assertEquals(401, await(get("/").putHeader(RequestGuard.TOKEN_HEADER, bobToken).send()).statusCode());
  }

  @Test
  void rightTokenServesThePageWithStrictHeaders() throws Exception {
    HttpResponse<Buffer> page = await(get("/").putHeader(RequestGuard.TOKEN_HEADER, token).send());
    assertEquals(200, page.statusCode());
    assertTrue(page.bodyAsString().contains("app.js"), "index.html served");
    assertTrue(page.getHeader("Content-Security-Policy").contains("script-src 'self'"));
    assertEquals("nosniff", page.getHeader("X-Content-Type-Options"));
    assertEquals(200, await(get("/style.css").putHeader(RequestGuard.TOKEN_HEADER, token).send()).statusCode());
    assertEquals(200, await(get("/app.js").putHeader(RequestGuard.TOKEN_HEADER, token).send()).statusCode());
  }

  @Test
  void firstLoadSetsAStrictHttpOnlyCookieAndDropsTheTokenFromTheAddressBar() throws Exception {
    HttpResponse<Buffer> first = await(get("/?token=" + token).send());
    assertEquals(303, first.statusCode());
    assertEquals("/", first.getHeader("Location"));
    String setCookie = first.getHeader("Set-Cookie");
    assertNotNull(setCookie);
    assertTrue(setCookie.startsWith(RequestGuard.COOKIE_PREFIX + alice.port() + "="), setCookie);
    assertTrue(setCookie.toLowerCase().contains("; httponly"), setCookie);
    assertTrue(setCookie.toLowerCase().contains("; samesite=strict"), setCookie);
    String cookie = setCookie.substring(0, setCookie.indexOf(';'));
    assertEquals(200, await(get("/").putHeader("Cookie", cookie).send()).statusCode());
  }

  @Test
  void wrongOriginIsForbidden() throws Exception {
    for (String origin : new String[] {"http://evil.example", "http://127.0.0.1:1", "null",
        "https://127.0.0.1:" + alice.port()}) {
      HttpResponse<Buffer> response = await(client.post(alice.port(), "127.0.0.1", "/")
          .putHeader(RequestGuard.TOKEN_HEADER, token).putHeader("Origin", origin).send());
      assertEquals(403, response.statusCode(), origin);
    }
    assertEquals(200, await(get("/").putHeader(RequestGuard.TOKEN_HEADER, token)
        .putHeader("Origin", origin()).send()).statusCode());
  }

  @Test
  void crossSiteFetchIsForbiddenEvenFromAnotherLocalPort() throws Exception {
    HttpResponse<Buffer> response = await(get("/").putHeader(RequestGuard.TOKEN_HEADER, token)
        .putHeader("Sec-Fetch-Site", "same-site").send());
    assertEquals(403, response.statusCode());
  }

  @Test
  void badHostIsForbidden() throws Exception {
    for (String host : new String[] {"evil.example:" + alice.port(), "127.0.0.1:1", "evil.example"}) {
      HttpResponse<Buffer> response = await(get("/").virtualHost(host.split(":")[0])
          .putHeader("Host", host).putHeader(RequestGuard.TOKEN_HEADER, token).send());
      assertEquals(403, response.statusCode(), host);
    }
    HttpResponse<Buffer> localhost = await(get("/").putHeader("Host", "localhost:" + alice.port())
        .putHeader(RequestGuard.TOKEN_HEADER, token).send());
    assertEquals(200, localhost.statusCode());
  }

  private Future<WebSocket> connect(UiVerticle ui, String uri, String origin) {
    WebSocketConnectOptions options = new WebSocketConnectOptions()
        .setHost("127.0.0.1").setPort(ui.port()).setURI(uri);
    if (origin != null) {
      options.addHeader("Origin", origin);
    } else {
      options.setAllowOriginHeader(false);
    }
    return wsClient.connect(options);
  }

  private int upgradeStatus(Future<WebSocket> attempt) throws Exception {
    try {
      await(attempt);
      return 101;
    } catch (java.util.concurrent.ExecutionException e) {
      assertTrue(e.getCause() instanceof UpgradeRejectedException, e.getCause().toString());
      return ((UpgradeRejectedException) e.getCause()).getStatus();
    }
  }

  @Test
  void pushChannelRefusesWithoutTokenOrWithForeignOrigin() throws Exception {
    assertEquals(401, upgradeStatus(connect(alice, PushChannel.PATH, origin())));
    assertEquals(401, upgradeStatus(connect(alice, PushChannel.PATH + "?token=wrong", origin())));
    assertEquals(403, upgradeStatus(connect(alice, PushChannel.PATH + "?token=" + token, null)));
    assertEquals(403, upgradeStatus(connect(alice, PushChannel.PATH + "?token=" + token, "http://evil.example")));
    assertEquals(101, upgradeStatus(connect(alice, PushChannel.PATH + "?token=" + token, origin())));
  }

  /** A connected page: every text frame lands in a queue the test polls with a deadline. */
  private BlockingQueue<JsonObject> open(UiVerticle ui) throws Exception {
    String uiToken = URI.create(ui.url()).getQuery().substring(6);
    BlockingQueue<JsonObject> frames = new ArrayBlockingQueue<>(1000);
    // The handler is set on the event loop as the socket opens, so no early frame is missed.
    WebSocket ws = await(connect(ui, PushChannel.PATH + "?token=" + uiToken, "http://127.0.0.1:" + ui.port())
        .onSuccess(socket -> socket.textMessageHandler(text -> frames.add(new JsonObject(text)))));
    sockets.put(ui, ws);
    return frames;
  }

  private final java.util.Map<UiVerticle, WebSocket> sockets = new java.util.HashMap<>();

  private static JsonObject next(BlockingQueue<JsonObject> frames, String type) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_S);
    while (System.nanoTime() < deadline) {
      JsonObject frame = frames.poll(100, TimeUnit.MILLISECONDS);
      if (frame != null && type.equals(frame.getString("type"))) {
        return frame;
      }
    }
    throw new AssertionError("no '" + type + "' frame within " + TIMEOUT_S + " s");
  }

  private void request(UiVerticle ui, int rid, String address, JsonObject body) throws Exception {
    await(sockets.get(ui).writeTextMessage(new JsonObject().put("type", "request").put("rid", rid)
        .put("address", address).put("body", body).encode()));
  }

  @Test
  void pushChannelForwardsTheAllowedAddressesOnly() throws Exception {
    BlockingQueue<JsonObject> alicePage = open(alice);
    BlockingQueue<JsonObject> bobPage = open(bob);
    assertEquals("alice", next(alicePage, "hello").getString("nick"));
    next(bobPage, "hello");

    request(alice, 1, "peers", new JsonObject());
    JsonObject peers = next(alicePage, "reply");
    assertEquals(1, peers.getInteger("rid"));
    assertEquals(2, peers.getJsonObject("body").getJsonArray("peers").size());

    request(alice, 2, "chat.send", new JsonObject().put("text", "<img src=x onerror=alert(1)>"));
    JsonObject accepted = next(alicePage, "reply");
    assertEquals(2, accepted.getInteger("rid"));
    JsonObject received = next(bobPage, "event");
    assertEquals("chat.received", received.getString("address"));
    assertEquals("alice", received.getJsonObject("body").getString("from"));
    assertEquals("<img src=x onerror=alert(1)>", received.getJsonObject("body").getString("text"));

    request(alice, 3, "chat.send", new JsonObject().put("text", "hi").put("to", "zed"));
    JsonObject refused = next(alicePage, "error");
    assertEquals(3, refused.getInteger("rid"));
    assertEquals("unknown nick: zed", refused.getString("message"));

    // Anything else on the bus is out of reach, even a real address of the node.
    for (String address : new String[] {"ui.url", "chat.received", "console.command", "../alice.peers"}) {
      request(alice, 4, address, new JsonObject());
      assertTrue(next(alicePage, "error").getString("message").startsWith("not allowed"), address);
    }
    sockets.get(alice).writeTextMessage("{not json");
    assertTrue(next(alicePage, "error").getString("message").startsWith("malformed"));
  }
}
