package io.p2pchat.node;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A real HTTP proxy for a test: Debian's tinyproxy, run in the foreground ({@code tinyproxy -d}) on
 * 127.0.0.1 with a config file of its own that allows CONNECT to one port only, optionally behind Basic
 * credentials. Its log (level Connect: one line per client and per request) is kept, so a test can see
 * each CONNECT it was asked for.
 *
 * <p>tinyproxy comes with the test environment ({@code scripts/test-all.sh} installs it as root, as CI
 * runs). Missing, it fails the test, except for a non-root developer, who gets a skip saying how to get it.
 */
final class Tinyproxy implements AutoCloseable {

  /** Where Debian puts it. */
  private static final Path BINARY = Path.of("/usr/bin/tinyproxy");
  /** How long the proxy may take to listen: a loaded 2-core machine starting a process. */
  private static final long START_SECONDS = 20;
  /** Between two attempts to connect while it starts: short next to the bound, long next to a syscall. */
  private static final long START_POLL_MS = 50;
  /** Seconds the proxy keeps an idle tunnel: longer than any test, so it never closes one under a test. */
  private static final int IDLE_SECONDS = 600;

  private final Process process;
  private final int port;
  private final List<String> log = new ArrayList<>();

  /**
   * Starts tinyproxy allowing CONNECT to {@code connectPort} on any host, with Basic credentials when
   * {@code user} is not null.
   */
  Tinyproxy(Path dir, int connectPort, String user, String password) throws Exception {
    requireInstalled();
    port = freePort();
    List<String> conf = new ArrayList<>(List.of(
      "Port " + port,
      "Listen 127.0.0.1",
      "Timeout " + IDLE_SECONDS,
      "LogLevel Connect",
      "MaxClients 32",
      "Allow 127.0.0.1",
      "ConnectPort " + connectPort));
    if (user != null) {
      conf.add("BasicAuth " + user + " " + password);
    }
    Path file = Files.createDirectories(dir).resolve("tinyproxy.conf");
    Files.write(file, conf);
    process = new ProcessBuilder(BINARY.toString(), "-d", "-c", file.toString()).redirectErrorStream(true).start();
    Thread reader = new Thread(this::readLog, "tinyproxy-log");
    reader.setDaemon(true);
    reader.start();
    awaitListening();
  }

  /** Skips for a developer without tinyproxy; fails where it must be (root: CI and scripts/test-all.sh). */
  static void requireInstalled() {
    if (Files.isExecutable(BINARY)) {
      return;
    }
    boolean root = new com.sun.security.auth.module.UnixSystem().getUid() == 0;
    assumeTrue(root, "tinyproxy is not installed (sudo apt-get install tinyproxy; scripts/test-all.sh installs it as"
      + " root): the HTTP proxy test is skipped");
    fail("tinyproxy is not installed but we are root, as CI is: scripts/test-all.sh installs it (apt-get install tinyproxy)");
  }

  /** A port nothing listens on now (the proxy takes it next; nothing else on this machine races for it). */
  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private void readLog() {
    try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = in.readLine()) != null; ) {
        synchronized (log) {
          log.add(line);
          log.notifyAll();
        }
      }
    } catch (IOException e) {
      // the process ended: its log is complete
    }
  }

  private void awaitListening() throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(START_SECONDS);
    while (true) {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), (int) START_POLL_MS);
        return;
      } catch (IOException e) {
        if (!process.isAlive()) {
          fail("tinyproxy exited with " + process.exitValue() + ": " + lines(l -> true));
        }
        if (System.nanoTime() > deadline) {
          fail("tinyproxy not listening on 127.0.0.1:" + port + " after " + START_SECONDS + " s: " + lines(l -> true));
        }
        Thread.sleep(START_POLL_MS);
      }
    }
  }

  int port() {
    return port;
  }

  /** The log lines matching {@code filter}, so far. */
  List<String> lines(Predicate<String> filter) {
    synchronized (log) {
      return log.stream().filter(filter).toList();
    }
  }

  /** Waits until at least {@code n} log lines match {@code filter}; returns them. */
  List<String> awaitLines(Predicate<String> filter, int n, long seconds) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    synchronized (log) {
      while (true) {
        List<String> matching = log.stream().filter(filter).toList();
        long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (matching.size() >= n || left <= 0) {
          return matching;
        }
        log.wait(left);
      }
    }
  }

  @Override
  public void close() throws Exception {
    process.destroy();
    if (!process.waitFor(START_SECONDS, TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
  }
}
