package io.p2pchat.node;

import io.p2pchat.app.P2pChatLauncher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.p2pchat.common.ConfigOverrides;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 3, test 7 at process level: {@code P2pChatLauncher run ChatNodeVerticle -conf …} with a
 * bad config prints exactly one line to stderr and exits 1, as a user would see it. Issue 14: an
 * unknown key is such a line, and environment overrides apply under the launcher.
 */
@Timeout(60)
class LauncherProcessTest {

  /** A JVM start with Vert.x on a loaded 2-core machine: seconds, bounded generously. */
  private static final long PROCESS_SECONDS = 45;
  /** The discard port: a rendezvous nobody answers, so the node starts and only retries. */
  private static final int UNANSWERED_PORT = 9;
  /** A stop of a process still starting: well under Vert.x's own shutdown wait, generous on a loaded machine. */
  private static final long STOP_SECONDS = 20;
  /** How often a test looks for a file the child writes asynchronously. */
  private static final long POLL_MS = 50;

  private record Outcome(int exit, List<String> stdout, List<String> stderr) {
  }

  /** The child's command line: this test's classpath, the launcher, {@code args}. */
  private static ProcessBuilder launcher(Path workDir, Map<String, String> env, String... args) {
    List<String> command = new ArrayList<>(List.of(
      Path.of(System.getProperty("java.home"), "bin", "java").toString(),
      "-cp", System.getProperty("java.class.path"),
      "-XX:TieredStopAtLevel=1", "-Xshare:auto",
      P2pChatLauncher.class.getName()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile());
    // Only the overrides a test sets: a P2PCHAT_* of whoever runs the tests must not change the child.
    builder.environment().keySet().removeIf(k -> k.startsWith(ConfigOverrides.ENV_PREFIX));
    builder.environment().putAll(env);
    return builder;
  }

  private static Outcome launch(Path workDir, String... args) throws IOException, InterruptedException {
    Path out = workDir.resolve("stdout.txt");
    Path err = workDir.resolve("stderr.txt");
    Process p = launcher(workDir, Map.of(), args).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    if (!p.waitFor(PROCESS_SECONDS, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("the launcher did not exit within " + PROCESS_SECONDS + " s: " + Files.readString(err));
    }
    return new Outcome(p.exitValue(), Files.readAllLines(out, StandardCharsets.UTF_8),
      Files.readAllLines(err, StandardCharsets.UTF_8));
  }

  @Test
  void missingConfigFile(@TempDir Path dir) throws Exception {
    Outcome o = launch(dir, "run", ChatNodeVerticle.class.getName(), "-conf", "/nonexistent.json");
    assertEquals(List.of("p2pchat: config file not found: /nonexistent.json"), o.stderr, "stderr " + o);
    assertEquals(1, o.exit, o.toString());
  }

  @Test
  void emptyNick(@TempDir Path dir) throws Exception {
    Outcome o = launch(dir, "run", ChatNodeVerticle.class.getName(), "-conf", "{\"nick\":\"\"}");
    assertEquals(1, o.stderr.size(), "exactly one line on stderr: " + o);
    assertTrue(o.stderr.get(0).startsWith("p2pchat: cannot start"), o.toString());
    assertTrue(o.stderr.get(0).endsWith("config error: nick is required: 1 to 32 letters, digits, '_', '.' or '-'"),
      o.toString());
    assertEquals(1, o.exit, o.toString());
  }

  @Test
  void unknownKey(@TempDir Path dir) throws Exception {
    Outcome o = launch(dir, "run", ChatNodeVerticle.class.getName(), "-conf",
      "{\"nick\":\"alice\",\"rendezvus\":{\"port\":7001}}");
    assertRefusedWith(o, "p2pchat: cannot start io.p2pchat.node.ChatNodeVerticle: config error: "
      + "unknown key 'rendezvus' (did you mean 'rendezvous'?)");
  }

  /** Issue 18: a misspelt metrics key stops a rendezvous's start-up with one line naming it. */
  @Test
  void unknownMetricsKey(@TempDir Path dir) throws Exception {
    Outcome o = launch(dir, "run", "io.p2pchat.rendezvous.RendezvousVerticle", "-conf",
      "{\"port\":0,\"metrics\":{\"prot\":9100}}");
    assertRefusedWith(o, "p2pchat: cannot start io.p2pchat.rendezvous.RendezvousVerticle: config error: "
      + "unknown key 'metrics.prot' (did you mean 'metrics.port'?)");
  }

  /** Issue 18: a metrics.port of the wrong type stops a node's start-up with one line naming it. */
  @Test
  void badMetricsPort(@TempDir Path dir) throws Exception {
    Outcome o = launch(dir, "run", ChatNodeVerticle.class.getName(), "-conf",
      "{\"nick\":\"alice\",\"metrics\":{\"port\":\"ninety\"}}");
    assertEquals(1, o.stderr.size(), "exactly one line on stderr: " + o);
    assertTrue(o.stderr.get(0).startsWith("p2pchat: cannot start io.p2pchat.node.ChatNodeVerticle: config error: metrics.port"),
      o.toString());
    assertEquals(1, o.exit, o.toString());
  }

  /**
   * Under the launcher an environment variable overrides the -conf file: {@code P2PCHAT_HTTP_PORT}
   * puts the web UI of a node whose file has no {@code http} on that port, and {@code P2PCHAT_NICK}
   * beats the file's nick (the UI's log file is named after it).
   */
  @Test
  void environmentOverridesApplyUnderTheLauncher(@TempDir Path dir) throws Exception {
    int httpPort;
    try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      httpPort = free.getLocalPort();
    }
    Path logs = dir.resolve("logs");
    JsonObject conf = new JsonObject().put("nick", "alice")
      .put("rendezvous", new JsonObject().put("host", "127.0.0.1").put("port", UNANSWERED_PORT))
      .put("bind", new JsonObject().put("host", "127.0.0.1").put("port", 0))
      .put("dataDir", dir.resolve("data").toString()).put("logDir", logs.toString());
    Process p = launcher(dir, Map.of("P2PCHAT_HTTP_PORT", Integer.toString(httpPort), "P2PCHAT_NICK", "carol"),
      "run", ChatNodeVerticle.class.getName(), "-conf", conf.encode())
      .redirectError(dir.resolve("stderr.txt").toFile()).start();
    try {
      CompletableFuture<String> uiLine = CompletableFuture.supplyAsync(() -> firstLine(p, "* web UI: "));
      String line = uiLine.get(PROCESS_SECONDS, TimeUnit.SECONDS);
      assertTrue(line.startsWith("* web UI: http://127.0.0.1:" + httpPort + "/"), line);
      try (Socket ui = new Socket(InetAddress.getLoopbackAddress(), httpPort)) {
        assertTrue(ui.isConnected(), "the web UI listens on P2PCHAT_HTTP_PORT");
      }
      assertTrue(Files.exists(dir.resolve("data")), "the file's dataDir is kept");
      assertTrue(appears(logs.resolve("carol.log")), "P2PCHAT_NICK wins over the file's nick: " + list(logs));
    } finally {
      p.destroy();
      if (!p.waitFor(PROCESS_SECONDS, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    }
  }

  /**
   * A node with {@code metrics.port} 0 says on stdout where its metrics listen (the rendezvous did; the node said
   * nowhere, so an operator could not find the port), and {@code /health} answers there.
   */
  @Test
  void aNodeSaysWhereItsMetricsListen(@TempDir Path dir) throws Exception {
    JsonObject conf = new JsonObject().put("nick", "alice")
      .put("rendezvous", new JsonObject().put("host", "127.0.0.1").put("port", UNANSWERED_PORT))
      .put("bind", new JsonObject().put("host", "127.0.0.1").put("port", 0))
      .put("metrics", new JsonObject().put("port", 0))
      .put("dataDir", dir.resolve("data").toString()).put("logDir", dir.resolve("logs").toString());
    Process p = launcher(dir, Map.of(), "run", ChatNodeVerticle.class.getName(), "-conf", conf.encode())
      .redirectError(dir.resolve("stderr.txt").toFile()).start();
    try {
      String prefix = "* metrics on http://127.0.0.1:";
      String line = CompletableFuture.supplyAsync(() -> firstLine(p, prefix)).get(PROCESS_SECONDS, TimeUnit.SECONDS);
      assertTrue(line.endsWith("/metrics (/health, /ready)"), line);
      int port = Integer.parseInt(line.substring(prefix.length(), line.indexOf("/metrics")));
      HttpURLConnection health = (HttpURLConnection) URI.create("http://127.0.0.1:" + port + "/health").toURL()
        .openConnection();
      assertEquals(200, health.getResponseCode(), "/health on the port the line names");
      for (int scrape = 0; scrape < 2; scrape++) {
        HttpURLConnection metrics = (HttpURLConnection) URI.create("http://127.0.0.1:" + port + "/metrics").toURL()
          .openConnection();
        assertEquals(200, metrics.getResponseCode(), "/metrics");
        metrics.getInputStream().readAllBytes();
      }
      // Vert.x 5's Micrometer meters register some gauges twice (vertx.eventbus.handlers at start, the HTTP
      // server's per connection: vert-x3/vertx-micrometer-metrics#259); Micrometer's WARN about it said
      // nothing an operator could act on, on every start.
      String stderr = Files.readString(dir.resolve("stderr.txt"));
      assertTrue(!stderr.contains("has been already registered"), stderr);
    } finally {
      p.destroy();
      if (!p.waitFor(PROCESS_SECONDS, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    }
  }

  /**
   * Issue 18: SIGTERM while the rendezvous is still starting (its metrics listener answers first; the
   * key, the mailbox store and the TLS certificate come after) ends the process promptly. The launcher's
   * failed-start path called System.exit on the event loop while the shutdown hook waited for Vert.x to
   * close on that loop: the process hung until the hook gave up.
   */
  @Test
  void aSigtermDuringStartUpExitsPromptly(@TempDir Path dir) throws Exception {
    int metricsPort;
    try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      metricsPort = free.getLocalPort();
    }
    JsonObject conf = new JsonObject().put("host", "127.0.0.1").put("port", 0)
      .put("tls", new JsonObject().put("port", 0))
      .put("metrics", new JsonObject().put("port", metricsPort))
      .put("dataDir", dir.resolve("data").toString()).put("logDir", dir.resolve("logs").toString());
    Process p = launcher(dir, Map.of(), "run", "io.p2pchat.rendezvous.RendezvousVerticle", "-conf", conf.encode())
      .redirectOutput(dir.resolve("stdout.txt").toFile()).redirectError(dir.resolve("stderr.txt").toFile()).start();
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(PROCESS_SECONDS);
      while (!answers(metricsPort)) {
        assertTrue(p.isAlive() && System.nanoTime() < deadline, "the metrics listener never answered: "
          + Files.readString(dir.resolve("stderr.txt")));
        Thread.sleep(POLL_MS);
      }
      p.destroy(); // SIGTERM
      assertTrue(p.waitFor(STOP_SECONDS, TimeUnit.SECONDS), "still running " + STOP_SECONDS
        + " s after SIGTERM during start-up; stdout: " + Files.readString(dir.resolve("stdout.txt")));
      assertEquals(List.of(), Files.readAllLines(dir.resolve("stderr.txt")), "a stop asked for is not a failed start");
    } finally {
      p.destroyForcibly();
    }
  }

  /** True when something accepts a TCP connection on loopback {@code port}. */
  private static boolean answers(int port) {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** The first stdout line of {@code p} starting with {@code prefix}; fails if the output ends first. */
  private static String firstLine(Process p, String prefix) {
    try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = out.readLine(); line != null; line = out.readLine()) {
        if (line.startsWith(prefix)) {
          return line;
        }
      }
      throw new AssertionError("no line '" + prefix + "…' before the launcher's output ended");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** True once {@code file} exists (the log is written asynchronously), false after {@link #PROCESS_SECONDS}. */
  private static boolean appears(Path file) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(PROCESS_SECONDS);
    while (!Files.exists(file)) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      Thread.sleep(POLL_MS);
    }
    return true;
  }

  private static List<String> list(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(f -> f.getFileName().toString()).toList();
    }
  }

  /** Start-up was refused: exactly {@code line} on stderr, exit code 1. */
  private static void assertRefusedWith(Outcome o, String line) {
    assertEquals(List.of(line), o.stderr, o.toString());
    assertEquals(1, o.exit, o.toString());
  }
}
