package io.p2pchat.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.p2pchat.rendezvous.RendezvousVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.datagram.DatagramSocket;
import io.vertx.core.json.JsonObject;
import java.net.DatagramPacket;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 18: {@code /ready} says not ready until the UDP socket is bound, and ready after (of a
 * MetricsServer alone, and of a real rendezvous whose start is held before its socket binds);
 * {@code /health} keeps answering while junk datagrams flood the rendezvous's UDP port.
 */
@Timeout(90)
class HealthAndReadinessTest {

  /** A Vert.x start or an HTTP answer on a loaded 2-core machine: seconds, bounded generously. */
  private static final long WAIT_SECONDS = 30;
  /** Junk datagrams sent in the flood: enough to keep the event loop busy for the whole probe. */
  private static final int FLOOD_DATAGRAMS = 200_000;
  /** Bytes of each junk datagram: a first byte of no kind, then noise. */
  private static final int JUNK_BYTES = 200;
  /** Health probes asked while the flood runs, one after another. */
  private static final int PROBES = 20;
  private static final int OK = 200;
  private static final int UNAVAILABLE = 503;
  /** How often the test looks for the metrics listener while the rendezvous starts. */
  private static final long POLL_MS = 50;

  private Vertx vertx;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(WAIT_SECONDS)).build();

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(WAIT_SECONDS, TimeUnit.SECONDS);
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(WAIT_SECONDS, TimeUnit.SECONDS);
  }

  private HttpResponse<String> get(int port, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
      .timeout(Duration.ofSeconds(WAIT_SECONDS)).build(), HttpResponse.BodyHandlers.ofString());
  }

  /** A readiness check on a real UDP socket: 503 naming it before the socket is bound, 200 after. */
  @Test
  void notReadyUntilTheSocketIsBound() throws Exception {
    AtomicBoolean bound = new AtomicBoolean();
    MetricsServer server = MetricsServer.create(vertx, new MetricsOptions().setPort(0))
      .readiness("udp-socket", bound::get);
    await(server.listen());
    HttpResponse<String> before = get(server.actualPort(), "/ready");
    assertEquals(UNAVAILABLE, before.statusCode(), before.body());
    JsonObject body = new JsonObject(before.body());
    assertEquals("DOWN", body.getString("status"), body.encode());
    assertEquals("udp-socket", body.getJsonArray("checks").getJsonObject(0).getString("id"), body.encode());
    assertEquals(OK, get(server.actualPort(), "/health").statusCode(), "live while not ready");

    DatagramSocket socket = vertx.createDatagramSocket();
    await(socket.listen(0, "127.0.0.1").onSuccess(s -> bound.set(true)));
    HttpResponse<String> after = get(server.actualPort(), "/ready");
    assertEquals(OK, after.statusCode(), after.body());
    assertEquals("UP", new JsonObject(after.body()).getString("status"));
    await(socket.close());
    await(server.close());
  }

  /** A rendezvous with metrics.port: ready once started; /health answers 200 to every probe during a flood. */
  @Test
  void healthAnswersDuringAFlood(@TempDir Path dir) throws Exception {
    JsonObject config = new JsonObject().put("host", "127.0.0.1").put("port", 0).put("host6", "none")
      .put("logDir", dir.resolve("logs").toString()).put("tls", new JsonObject().put("port", -1))
      .put("metrics", new JsonObject().put("port", 0));
    RendezvousVerticle rendezvous = new RendezvousVerticle();
    await(vertx.deployVerticle(rendezvous, new DeploymentOptions().setConfig(config)));
    int metricsPort = rendezvous.metricsPort();
    assertTrue(metricsPort > 0, "metrics listen: " + metricsPort);
    HttpResponse<String> ready = get(metricsPort, "/ready");
    assertEquals(OK, ready.statusCode(), ready.body());
    assertTrue(ready.body().contains("udp-socket") && ready.body().contains("mailbox"), ready.body());

    AtomicBoolean flooding = new AtomicBoolean(true);
    long[] sent = new long[1];
    Thread flood = new Thread(() -> {
      byte[] junk = new byte[JUNK_BYTES];
      new Random(18).nextBytes(junk);
      junk[0] = (byte) 0xFF; // a first byte of no kind: dropped and counted
      try (java.net.DatagramSocket udp = new java.net.DatagramSocket()) {
        DatagramPacket packet = new DatagramPacket(junk, junk.length, InetAddress.getLoopbackAddress(), rendezvous.port());
        for (int i = 0; i < FLOOD_DATAGRAMS && flooding.get(); i++) {
          udp.send(packet);
          sent[0]++;
        }
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }, "junk-flood");
    flood.start();
    try {
      for (int i = 0; i < PROBES; i++) {
        HttpResponse<String> health = get(metricsPort, "/health");
        assertEquals(OK, health.statusCode(), "probe " + i + ": " + health.body());
      }
      assertTrue(flood.isAlive() || sent[0] == FLOOD_DATAGRAMS, "the flood ran while probed");
    } finally {
      flooding.set(false);
      flood.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
    }
    String metrics = get(metricsPort, "/metrics").body();
    assertTrue(metrics.lines().anyMatch(l -> l.startsWith("p2pchat_rendezvous_drops_total{reason=\"unknown-kind\"}")
      && !l.endsWith(" 0.0")), "the junk is counted: " + metrics.lines().filter(l -> l.contains("unknown-kind")).toList());
  }

  /**
   * A real rendezvous's /ready says 503, naming the UDP socket, while its start-up is held before the
   * socket binds, and 200 once it bound; /health answers meanwhile. The start is held deterministically:
   * its key file is a named pipe, and the rendezvous's blocking read of it (on a worker, after the
   * metrics listener is up) waits until the test writes a key into it.
   */
  @Test
  void notReadyWhileStartingReadyOnceTheSocketIsBound(@TempDir Path dir) throws Exception {
    Path data = dir.resolve("data");
    HeldKeyFile key = HeldKeyFile.in(data, dir.resolve("made"));

    JsonObject config = new JsonObject().put("host", "127.0.0.1").put("port", 0).put("host6", "none")
      .put("dataDir", data.toString()).put("logDir", dir.resolve("logs").toString())
      .put("tls", new JsonObject().put("port", -1)).put("metrics", new JsonObject().put("port", 0));
    RendezvousVerticle rendezvous = new RendezvousVerticle();
    Future<String> deployed = vertx.deployVerticle(rendezvous, new DeploymentOptions().setConfig(config));
    try {
      probeWhileHeld(rendezvous, deployed);
    } finally {
      key.release();
    }
    deployed.toCompletionStage().toCompletableFuture().get(WAIT_SECONDS, TimeUnit.SECONDS);
    assertTrue(rendezvous.port() > 0, "the UDP socket is bound");
    HttpResponse<String> after = get(rendezvous.metricsPort(), "/ready");
    assertEquals(OK, after.statusCode(), after.body());
    assertEquals("UP", new JsonObject(after.body()).getString("status"), after.body());
  }

  /** While the start waits for its key: /ready 503 naming the socket, /health 200. */
  private void probeWhileHeld(RendezvousVerticle rendezvous, Future<String> deployed) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
    while (rendezvous.metricsPort() <= 0) {
      assertFalse(deployed.isComplete(), "the start finished without its key: " + deployed.cause());
      assertTrue(System.nanoTime() < deadline, "the metrics listener never came up");
      Thread.sleep(POLL_MS);
    }
    int port = rendezvous.metricsPort();

    HttpResponse<String> before = get(port, "/ready");
    assertEquals(UNAVAILABLE, before.statusCode(), before.body());
    JsonObject body = new JsonObject(before.body());
    assertTrue(HeldKeyFile.hasCheck(body, "udp-socket", "DOWN"), body.encode());
    assertEquals(OK, get(port, "/health").statusCode(), "live while starting");
    assertFalse(deployed.isComplete(), "still starting while probed");
  }
}
