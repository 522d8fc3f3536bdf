package io.p2pchat.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.p2pchat.app.P2pChatLauncher;
import io.p2pchat.common.ConfigOverrides;
import io.p2pchat.node.ChatNodeVerticle;
import io.p2pchat.node.NodeOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 18: a real Prometheus (Debian's {@code prometheus}, started here on loopback with a generated
 * config and its own storage) scrapes a real rendezvous process and two real node processes that chat
 * through it; what they counted (junk datagrams dropped as {@code unknown-kind} at the rendezvous; the
 * messages alice sent and bob received, one direct path on each node) is read back through
 * Prometheus's HTTP API, and {@code promtool check metrics} accepts each exposition.
 * scripts/test-all.sh installs the package when root.
 */
@Timeout(300)
class PrometheusScrapeTest {

  private static final Path PROMETHEUS = Path.of("/usr/bin/prometheus");
  private static final Path PROMTOOL = Path.of("/usr/bin/promtool");
  /** A JVM or Prometheus start, a scrape and its query on a loaded 2-core machine: bounded generously. */
  private static final long WAIT_SECONDS = 90;
  /** Scrape interval: short, so the test waits seconds, not Prometheus's default 15 s. */
  private static final String SCRAPE_INTERVAL = "1s";
  private static final int JUNK_DATAGRAMS = 50;
  /** Room messages alice types into her console. */
  private static final int MESSAGES = 20;
  private static final String[] NODES = {"alice", "bob"};
  private static final long POLL_MS = 250;
  private static final Pattern METRICS_LINE = Pattern.compile("\\* rendezvous metrics on http://127\\.0\\.0\\.1:(\\d+)/metrics.*");
  private static final Pattern UDP_LINE = Pattern.compile("\\* rendezvous listening on UDP 127\\.0\\.0\\.1:(\\d+).*");

  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(WAIT_SECONDS)).build();

  @Test
  void prometheusScrapesTheRendezvousAndTwoNodesThatChat(@TempDir Path dir) throws Exception {
    boolean root = "root".equals(System.getProperty("user.name"));
    Assumptions.assumeTrue(root || Files.isExecutable(PROMETHEUS),
      "skipped: Debian's prometheus package is not installed (scripts/test-all.sh installs it when run as root)");
    assertTrue(Files.isExecutable(PROMETHEUS) && Files.isExecutable(PROMTOOL),
      "prometheus and promtool are needed (apt-get install prometheus)");
    JsonObject conf = new JsonObject().put("host", "127.0.0.1").put("port", 0).put("host6", "none")
      .put("logDir", dir.resolve("logs").toString()).put("tls", new JsonObject().put("port", -1))
      .put("metrics", new JsonObject().put("port", 0));
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
      "-cp", System.getProperty("java.class.path"), "-XX:TieredStopAtLevel=1", P2pChatLauncher.class.getName(),
      "run", "io.p2pchat.rendezvous.RendezvousVerticle", "-conf", conf.encode()));
    ProcessBuilder rb = new ProcessBuilder(command).directory(dir.toFile()).redirectError(dir.resolve("rdv-err.txt").toFile());
    rb.environment().keySet().removeIf(k -> k.startsWith(ConfigOverrides.ENV_PREFIX));
    Process rendezvous = rb.start();
    Process prometheus = null;
    List<Process> nodes = new ArrayList<>();
    try {
      int[] ports = CompletableFuture.supplyAsync(() -> ports(rendezvous)).get(WAIT_SECONDS, TimeUnit.SECONDS);
      int udpPort = ports[0];
      int metricsPort = ports[1];
      StringBuilder scrape = new StringBuilder("global:\n  scrape_interval: " + SCRAPE_INTERVAL + "\n"
        + "scrape_configs:\n" + job("rendezvous", metricsPort));
      int[] nodeMetricsPorts = new int[NODES.length];
      for (int i = 0; i < NODES.length; i++) {
        // A node does not print its metrics port (its console is the user's): one the OS just gave out.
        nodeMetricsPorts[i] = freePort();
        nodes.add(startNode(dir, NODES[i], udpPort, nodeMetricsPorts[i]));
        scrape.append(job(NODES[i], nodeMetricsPorts[i]));
      }

      // promtool, the reference linter, accepts what we expose.
      lint(get(metricsPort, "/metrics"));

      int promPort = freePort();
      Path config = dir.resolve("prometheus.yml");
      Files.writeString(config, scrape.toString());
      prometheus = new ProcessBuilder(PROMETHEUS.toString(), "--config.file=" + config,
        "--storage.tsdb.path=" + dir.resolve("tsdb"), "--web.listen-address=127.0.0.1:" + promPort)
        .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();

      try (DatagramSocket udp = new DatagramSocket()) {
        byte[] junk = {(byte) 0xFF, 1, 2, 3};
        for (int i = 0; i < JUNK_DATAGRAMS; i++) {
          udp.send(new DatagramPacket(junk, junk.length, InetAddress.getLoopbackAddress(), udpPort));
        }
      }
      double up = awaitValue(promPort, "up{job=\"rendezvous\"}", v -> v == 1, dir);
      assertEquals(1, up);
      // Junk past the source's request burst is dropped as rate-limited: every one is dropped under some reason.
      double dropped = awaitValue(promPort, "sum(p2pchat_rendezvous_drops_total)", v -> v >= JUNK_DATAGRAMS, dir);
      assertEquals(JUNK_DATAGRAMS, dropped, 0.0, "every junk datagram counted, as Prometheus stored it");
      assertTrue(awaitValue(promPort, "p2pchat_rendezvous_drops_total{reason=\"unknown-kind\"}", v -> v > 0, dir) > 0);
      double udpRead = awaitValue(promPort, "vertx_datagram_bytes_read_count{job=\"rendezvous\"}", v -> v >= JUNK_DATAGRAMS, dir);
      assertTrue(udpRead >= JUNK_DATAGRAMS, "Vert.x's own datagram meters: " + udpRead);

      // The nodes: each has one peer on a direct path, then alice's room messages count as sent there
      // and received at bob.
      for (String nick : NODES) {
        assertEquals(1, awaitValue(promPort, "sum(p2pchat_node_peers{job=\"" + nick + "\",state=~\"direct|direct-lan\"})",
          v -> v == 1, dir), nick + "'s direct paths");
      }
      for (int i = 0; i < MESSAGES; i++) {
        nodes.get(0).getOutputStream().write(("hello " + i + "\n").getBytes(StandardCharsets.UTF_8));
      }
      nodes.get(0).getOutputStream().flush();
      assertTrue(awaitValue(promPort, "p2pchat_node_messages_sent_total{job=\"alice\"}", v -> v >= MESSAGES, dir)
        >= MESSAGES);
      assertTrue(awaitValue(promPort, "p2pchat_node_messages_received_total{job=\"bob\"}", v -> v >= MESSAGES, dir)
        >= MESSAGES);
      assertTrue(awaitValue(promPort, "p2pchat_node_messages_delivered_total{job=\"alice\"}", v -> v >= MESSAGES, dir)
        >= MESSAGES);
      assertTrue(awaitValue(promPort, "sum(p2pchat_node_handshakes_total{outcome=\"secured\"})", v -> v >= 2, dir) >= 2);
      assertTrue(awaitValue(promPort, "sum(p2pchat_node_direct_path_time_seconds_count)", v -> v >= 2, dir) >= 2,
        "each node timed its introduction to a direct path");
      for (int port : nodeMetricsPorts) {
        lint(get(port, "/metrics"));
      }
    } finally {
      for (Process node : nodes) {
        node.destroy();
        if (!node.waitFor(WAIT_SECONDS, TimeUnit.SECONDS)) {
          node.destroyForcibly();
        }
      }
      if (prometheus != null) {
        prometheus.destroy();
        prometheus.waitFor(WAIT_SECONDS, TimeUnit.SECONDS);
      }
      rendezvous.destroy();
      if (!rendezvous.waitFor(WAIT_SECONDS, TimeUnit.SECONDS)) {
        rendezvous.destroyForcibly();
      }
    }
  }

  /** promtool, the reference linter, accepts {@code exposition}. */
  private static void lint(String exposition) throws Exception {
    Process lint = new ProcessBuilder(PROMTOOL.toString(), "check", "metrics").redirectErrorStream(true).start();
    lint.getOutputStream().write(exposition.getBytes(StandardCharsets.UTF_8));
    lint.getOutputStream().close();
    String lintOut = new String(lint.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(lint.waitFor(WAIT_SECONDS, TimeUnit.SECONDS), "promtool finished");
    assertEquals(0, lint.exitValue(), "promtool check metrics: " + lintOut);
  }

  private static String job(String name, int port) {
    return "  - job_name: " + name + "\n    static_configs:\n      - targets: ['127.0.0.1:" + port + "']\n";
  }

  /** A node process with its console on (its stdin takes room messages) and its meters on {@code metricsPort}. */
  private static Process startNode(Path dir, String nick, int rendezvousPort, int metricsPort) throws Exception {
    JsonObject conf = new JsonObject().put("nick", nick).put("console", true)
      .put("rendezvous", new JsonObject().put("host", "127.0.0.1").put("port", rendezvousPort)
        .put("tls", new JsonObject().put("port", NodeOptions.NO_TLS_FALLBACK)))
      .put("bind", new JsonObject().put("host", "127.0.0.1").put("port", 0))
      .put("dataDir", dir.resolve("data-" + nick).toString()).put("logDir", dir.resolve("logs").toString())
      .put("metrics", new JsonObject().put("port", metricsPort));
    ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
      "-cp", System.getProperty("java.class.path"), "-XX:TieredStopAtLevel=1", P2pChatLauncher.class.getName(),
      "run", ChatNodeVerticle.class.getName(), "-conf", conf.encode())
      .directory(dir.toFile()).redirectOutput(dir.resolve(nick + "-out.txt").toFile())
      .redirectError(dir.resolve(nick + "-err.txt").toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith(ConfigOverrides.ENV_PREFIX));
    return pb.start();
  }

  /** Queries Prometheus until {@code query} has a sample that {@code ok} accepts; returns it. */
  private double awaitValue(int promPort, String query, java.util.function.DoublePredicate ok, Path dir) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
    String last = "";
    while (System.nanoTime() < deadline) {
      try {
        last = get(promPort, "/api/v1/query?query=" + URLEncoder.encode(query, StandardCharsets.UTF_8));
        JsonArray result = new JsonObject(last).getJsonObject("data").getJsonArray("result");
        if (!result.isEmpty()) {
          double value = Double.parseDouble(result.getJsonObject(0).getJsonArray("value").getString(1));
          if (ok.test(value)) {
            return value;
          }
        }
      } catch (java.io.IOException | io.vertx.core.json.DecodeException notYet) {
        last = notYet.toString(); // Prometheus still starting (no listener yet, or "Service Unavailable")
      }
      Thread.sleep(POLL_MS);
    }
    throw new AssertionError("Prometheus never had " + query + " as expected; last answer " + last + "\n"
      + Files.readString(dir.resolve("prometheus.log")));
  }

  private String get(int port, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
      .timeout(Duration.ofSeconds(WAIT_SECONDS)).build(), HttpResponse.BodyHandlers.ofString()).body();
  }

  private static int freePort() throws java.io.IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  /** The UDP and metrics ports from the rendezvous's start-up lines. */
  private static int[] ports(Process p) {
    int udp = -1;
    try {
      BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
      for (String line = out.readLine(); line != null; line = out.readLine()) {
        Matcher u = UDP_LINE.matcher(line);
        if (u.matches()) {
          udp = Integer.parseInt(u.group(1));
        }
        Matcher m = METRICS_LINE.matcher(line);
        if (m.matches() && udp > 0) {
          return new int[] {udp, Integer.parseInt(m.group(1))};
        }
      }
      throw new AssertionError("the rendezvous's output ended before it printed its ports");
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
