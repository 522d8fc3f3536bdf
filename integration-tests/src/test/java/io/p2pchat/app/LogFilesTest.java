package io.p2pchat.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.p2pchat.common.ConfigOverrides;
import io.p2pchat.history.HistoryOptions;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node process started as shipped (the launcher's {@code logback.xml}, its logs in the default
 * {@code logs} below its working directory) whose history journal ends in a torn record: the history
 * store's warning about it is a line of the node's own log, stamped with the node's name, and every
 * log file the process creates is owner-only (0600) in an owner-only directory (0700); at DEBUG, no
 * line of ours is unstamped (the control client's included). Red before: the store logged unstamped,
 * into {@code logs/p2pchat.log}, created rw-r--r--; the control client's lines were unstamped too.
 */
@Timeout(120)
class LogFilesTest {

  /** A JVM start with Vert.x on a loaded 2-core machine: seconds, bounded generously. */
  private static final long PROCESS_SECONDS = 45;
  /** How often the test looks at the log file the child writes. */
  private static final long POLL_MS = 50;

  @Test
  void theHistoryStoresLineIsInTheNodesOwnerOnlyLogWithItsName(@TempDir Path dir) throws Exception {
    Path data = Files.createDirectory(dir.resolve("data"), PosixFilePermissions.asFileAttribute(
      PosixFilePermissions.fromString("rwx------")));
    // A journal torn by a crash: a few bytes that never made a whole record.
    Path journal = Files.createFile(data.resolve(HistoryOptions.DEFAULT_FILE_NAME),
      PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.write(journal, new byte[] {0, 0, 0, 42, 1, 2});
    JsonObject conf = new JsonObject().put("nick", "alice").put("console", false)
      .put("rendezvous", new JsonObject().put("host", "127.0.0.1").put("port", silentPort())
        .put("tls", new JsonObject().put("port", -1)))
      .put("bind", new JsonObject().put("host", "127.0.0.1").put("port", 0))
      .put("lan", new JsonObject().put("discovery", false))
      .put("dataDir", data.toString());
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
      "-cp", System.getProperty("java.class.path"), "-XX:TieredStopAtLevel=1", P2pChatLauncher.class.getName(),
      "run", "io.p2pchat.node.ChatNodeVerticle", "-conf", conf.encode()));
    ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile())
      .redirectOutput(dir.resolve("stdout.txt").toFile()).redirectError(dir.resolve("stderr.txt").toFile());
    builder.environment().keySet().removeIf(k -> k.startsWith(ConfigOverrides.ENV_PREFIX));
    // DEBUG: the control client's lines too (its state changes as it says HELLO to the silent rendezvous).
    builder.environment().put("P2PCHAT_LOG_LEVEL", "DEBUG");
    Path logs = dir.resolve("logs");
    Path aliceLog = logs.resolve("alice.log");
    Process p = builder.start();
    Optional<String> line;
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(PROCESS_SECONDS);
      while (((line = historyLine(aliceLog)).isEmpty() || !controlLine(aliceLog)) && p.isAlive()
        && System.nanoTime() < deadline) {
        Thread.sleep(POLL_MS);
      }
    } finally {
      p.destroy();
      if (!p.waitFor(PROCESS_SECONDS, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    }
    assertTrue(line.isPresent(), "no HistoryStore line in alice.log; the logs: " + everyLogLine(logs)
      + "\nstderr: " + Files.readString(dir.resolve("stderr.txt")));
    assertTrue(line.get().contains(" [alice] history journal ") && line.get().contains("torn"), line.get());
    // Every line of ours names its node: the control client's (a library class logging through the node's logger) too.
    assertTrue(controlLine(aliceLog), "a control client line in alice.log");
    for (String l : everyLogLine(logs).split("\n")) {
      assertTrue(!l.contains(" io.p2pchat.") || !l.contains(" [main] "), "an unstamped line: " + l);
    }
    assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(logs)), "the logs directory");
    try (Stream<Path> files = Files.list(logs)) {
      for (Path file : files.toList()) {
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)),
          file.getFileName().toString());
      }
    }
  }

  private static Optional<String> historyLine(Path log) throws IOException {
    if (!Files.exists(log)) {
      return Optional.empty();
    }
    return Files.readAllLines(log, StandardCharsets.UTF_8).stream()
      .filter(l -> l.contains("io.p2pchat.history.HistoryStore")).findFirst();
  }

  /** The control client's first state change (it says HELLO to the silent rendezvous), as the node logs it. */
  private static boolean controlLine(Path log) throws IOException {
    return Files.exists(log) && Files.readAllLines(log, StandardCharsets.UTF_8).stream()
      .anyMatch(l -> l.contains(" [alice] control client to "));
  }

  private static String everyLogLine(Path logs) throws IOException {
    StringBuilder all = new StringBuilder();
    if (Files.isDirectory(logs)) {
      try (Stream<Path> files = Files.list(logs)) {
        for (Path file : files.toList()) {
          all.append("\n").append(file.getFileName()).append(":\n").append(Files.readString(file));
        }
      }
    }
    return all.toString();
  }

  /** A UDP port nobody answers on: the node starts without a rendezvous. */
  private static int silentPort() throws IOException {
    try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
