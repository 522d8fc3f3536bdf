package io.p2pchat.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.p2pchat.common.ConfigOverrides;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 18: a real rendezvous process started with {@code P2PCHAT_LOG_FORMAT=json} writes its log as
 * JSON lines: every line parses, and carries time, level, logger, node and message. A junk datagram
 * adds a WARN line (the drop), which goes to stderr as JSON too. A format the launcher does not know
 * stops start-up with one line.
 */
@Timeout(90)
class JsonLogTest {

  /** A JVM start with Vert.x on a loaded 2-core machine: seconds, bounded generously. */
  private static final long PROCESS_SECONDS = 45;
  /** How often the test looks at the stderr file the child writes. */
  private static final long POLL_MS = 50;
  private static final Pattern LISTENING = Pattern.compile("\\* rendezvous listening on UDP 127\\.0\\.0\\.1:(\\d+).*");
  private static final List<String> FIELDS = List.of("time", "level", "logger", "node", "message");

  @Test
  void everyLineIsAJsonObjectWithTheFields(@TempDir Path dir) throws Exception {
    Path logs = dir.resolve("logs");
    JsonObject conf = new JsonObject().put("host", "127.0.0.1").put("port", 0).put("host6", "none")
      .put("logDir", logs.toString()).put("tls", new JsonObject().put("port", -1));
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
      "-cp", System.getProperty("java.class.path"), "-XX:TieredStopAtLevel=1", P2pChatLauncher.class.getName(),
      "run", "io.p2pchat.rendezvous.RendezvousVerticle", "-conf", conf.encode()));
    ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile())
      .redirectError(dir.resolve("stderr.txt").toFile());
    builder.environment().keySet().removeIf(k -> k.startsWith(ConfigOverrides.ENV_PREFIX));
    builder.environment().put(LogFormatEncoder.ENV, "json");
    Process p = builder.start();
    try {
      int port = CompletableFuture.supplyAsync(() -> listeningPort(p)).get(PROCESS_SECONDS, TimeUnit.SECONDS);
      try (DatagramSocket udp = new DatagramSocket()) {
        byte[] junk = {(byte) 0xFF, 1, 2, 3};
        udp.send(new DatagramPacket(junk, junk.length, InetAddress.getLoopbackAddress(), port));
      }
      // The drop is logged asynchronously: wait for its WARN line before stopping the process.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(PROCESS_SECONDS);
      while (Files.size(dir.resolve("stderr.txt")) == 0 && System.nanoTime() < deadline) {
        Thread.sleep(POLL_MS);
      }
    } finally {
      p.destroy(); // SIGTERM: the shutdown hook flushes the asynchronous appender
      if (!p.waitFor(PROCESS_SECONDS, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    }
    List<String> lines = new ArrayList<>(Files.readAllLines(logs.resolve("rendezvous.log"), StandardCharsets.UTF_8));
    assertFalse(lines.isEmpty(), "the rendezvous logged nothing");
    List<String> stderr = Files.readAllLines(dir.resolve("stderr.txt"), StandardCharsets.UTF_8);
    assertFalse(stderr.isEmpty(), "the drop's WARN line reaches stderr");
    lines.addAll(stderr);
    for (String line : lines) {
      JsonObject event;
      try {
        event = new JsonObject(line);
      } catch (DecodeException e) {
        throw new AssertionError("not a JSON object: " + line, e);
      }
      for (String field : FIELDS) {
        assertTrue(event.getValue(field) instanceof String s && !s.isEmpty(), field + " missing in " + line);
      }
    }
    assertTrue(lines.stream().map(JsonObject::new).anyMatch(e -> e.getString("node").equals("rendezvous")
      && e.getString("message").startsWith("rendezvous listening on")), "the node's name is a field: " + lines);
    assertTrue(lines.stream().map(JsonObject::new).anyMatch(e -> e.getString("level").equals("WARN")), lines.toString());
  }

  /** A format that is neither plain nor json stops start-up with one line naming the variable. */
  @Test
  void anUnknownFormatStopsStartUp(@TempDir Path dir) throws Exception {
    ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
      "-cp", System.getProperty("java.class.path"), P2pChatLauncher.class.getName(),
      "run", "io.p2pchat.rendezvous.RendezvousVerticle", "-conf", "{\"port\":0}")
      .directory(dir.toFile()).redirectError(dir.resolve("stderr.txt").toFile());
    builder.environment().keySet().removeIf(k -> k.startsWith(ConfigOverrides.ENV_PREFIX));
    builder.environment().put(LogFormatEncoder.ENV, "xml");
    Process p = builder.start();
    assertTrue(p.waitFor(PROCESS_SECONDS, TimeUnit.SECONDS), "the launcher did not exit");
    assertEquals(1, p.exitValue());
    assertEquals(List.of("p2pchat: config error: P2PCHAT_LOG_FORMAT must be plain or json (got \"xml\")"),
      Files.readAllLines(dir.resolve("stderr.txt"), StandardCharsets.UTF_8));
  }

  private static int listeningPort(Process p) {
    try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = out.readLine(); line != null; line = out.readLine()) {
        Matcher m = LISTENING.matcher(line);
        if (m.matches()) {
          return Integer.parseInt(m.group(1));
        }
      }
      throw new AssertionError("the rendezvous's output ended before it listened");
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
