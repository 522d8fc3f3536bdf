package io.p2pchat.bench;

import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One rendezvous as a child JVM ({@code P2pChatLauncher run RendezvousVerticle -conf JSON}, with
 * {@code -cluster -cluster-host 127.0.0.1} when clustered), started with the bench's own JVM flags
 * (bin/p2pchat's, Hazelcast's included) and classpath. Ready when it answers a plain {@code punch}.
 */
final class RendezvousInstance implements AutoCloseable {

  private static final String LAUNCHER = "io.p2pchat.app.P2pChatLauncher";
  private static final String VERTICLE = "io.p2pchat.rendezvous.RendezvousVerticle";
  static final String HOST = "127.0.0.1";
  /** A clustered JVM joins in a few seconds; on a loaded 2-core machine, allow much more. */
  private static final long START_TIMEOUT_MS = 90_000;
  private static final int PROBE_TIMEOUT_MS = 250;
  /** The bound: 1,000,000 registrations within 1 GiB of heap ({@code bench rendezvous --heap}). */
  static final String DEFAULT_HEAP = "1g";

  final String name;
  final int port;
  private final Process process;

  private RendezvousInstance(String name, int port, Process process) {
    this.name = name;
    this.port = port;
    this.process = process;
  }

  /** Starts an instance on {@code port}; {@code clusterXml} null runs it alone. */
  static RendezvousInstance start(String name, int port, JsonObject config, Path clusterXml, Path workDir)
      throws IOException {
    return start(name, port, config, clusterXml, workDir, DEFAULT_HEAP);
  }

  /**
   * Starts an instance with a heap of {@code heap} (a -Xmx size such as {@code 1g}) and the JVM's default
   * collector, as {@code bin/p2pchat rendezvous} runs it: the bench's own heap and collector flags are not
   * passed on.
   */
  static RendezvousInstance start(String name, int port, JsonObject config, Path clusterXml, Path workDir,
      String heap) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    for (String flag : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (!flag.startsWith("-agentlib") && !flag.startsWith("-javaagent") && !flag.startsWith("-Xm")
          && !(flag.startsWith("-XX:+Use") && flag.endsWith("GC"))
          && !flag.startsWith("-XX:StartFlightRecording") && !flag.startsWith("-Dvertx.hazelcast.config")) {
        command.add(flag);
      }
    }
    command.add("-Xmx" + heap);
    if (clusterXml != null) {
      command.add("-Dvertx.hazelcast.config=" + clusterXml);
    }
    command.addAll(List.of("-cp", NodeProcess.classPath(), LAUNCHER, "run", VERTICLE,
        "-conf", config.copy().put("host", HOST).put("port", port).encode()));
    if (clusterXml != null) {
      command.addAll(List.of("-cluster", "-cluster-host", HOST));
    }
    ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile())
        .redirectOutput(workDir.resolve(name + ".stdout").toFile())
        .redirectError(workDir.resolve(name + ".stderr").toFile());
    builder.environment().keySet().removeIf(k -> k.startsWith("P2PCHAT_") && !k.equals("P2PCHAT_LOG_LEVEL"));
    return new RendezvousInstance(name, port, builder.start());
  }

  /** Waits (polling with a deadline) until the instance answers a plain {@code punch}. */
  void awaitReady() throws IOException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(START_TIMEOUT_MS);
    byte[] punch = "punch".getBytes(StandardCharsets.US_ASCII);
    try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getByName(HOST), 0))) {
      s.setSoTimeout(PROBE_TIMEOUT_MS);
      byte[] buf = new byte[64];
      while (System.nanoTime() < deadline) {
        if (!process.isAlive()) {
          throw new BenchException(name + " exited (status " + process.exitValue() + ") while starting");
        }
        s.send(new DatagramPacket(punch, punch.length, InetAddress.getByName(HOST), port));
        try {
          s.receive(new DatagramPacket(buf, buf.length));
          return;
        } catch (SocketTimeoutException e) {
          // not listening yet
        }
      }
    }
    throw new BenchException(name + " did not answer within " + START_TIMEOUT_MS + " ms");
  }

  ProcStatus status() {
    return ProcStatus.of(process.pid());
  }

  boolean isAlive() {
    return process.isAlive();
  }

  long pid() {
    return process.pid();
  }

  /** {@code kill -9}, as a crash. */
  void kill() throws InterruptedException {
    process.destroyForcibly().waitFor(START_TIMEOUT_MS, TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() {
    process.destroyForcibly();
  }
}
