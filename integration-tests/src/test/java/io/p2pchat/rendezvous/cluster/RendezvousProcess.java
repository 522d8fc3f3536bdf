package io.p2pchat.rendezvous.cluster;

import io.p2pchat.app.P2pChatLauncher;
import io.p2pchat.rendezvous.RendezvousVerticle;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One instance of a test's rendezvous cluster: a JVM running the application's launcher with {@code -cluster},
 * on its own UDP port, with its log, key and mailbox in {@code dir/NAME} and its output in {@code dir/NAME.out}
 * and {@code .err} (kept after the run: they explain a failure).
 */
final class RendezvousProcess {
  /** Cluster start-up (JVMs with Hazelcast on a loaded 2-core machine) and process exits. */
  static final long PROCESS_SECONDS = 90;

  final int port;
  private final Path dir;
  private final String name;
  private final Path clusterXml;
  /** Keys of its config besides the defaults below (a metrics port, a data directory). */
  private final JsonObject extra = new JsonObject();
  private Process process;

  RendezvousProcess(Path dir, String name, Path clusterXml) throws IOException {
    this.dir = dir;
    this.name = name;
    this.clusterXml = clusterXml;
    try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      this.port = s.getLocalPort();
    }
  }

  /** Merges {@code config} into the instance's config at its next {@link #start}; returns this. */
  RendezvousProcess configure(JsonObject config) {
    extra.mergeIn(config);
    return this;
  }

  String address() {
    return "127.0.0.1:" + port;
  }

  /** Starts (or starts again) the instance on its port and data directory. */
  void start() throws IOException {
    // Several instances on one host: each its own free TLS port (the default 7443 would be taken twice).
    JsonObject conf = new JsonObject().put("host", "127.0.0.1").put("port", port)
      .put("tls", new JsonObject().put("port", 0))
      .put("logDir", dir.resolve(name).toString()).mergeIn(extra);
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    command.addAll(TestCluster.JAVA_FLAGS);
    command.addAll(List.of("-Xmx256m", "-XX:TieredStopAtLevel=1",
      "-cp", System.getProperty("java.class.path"),
      "-Dvertx.hazelcast.config=" + clusterXml, "-Dhazelcast.logging.type=slf4j",
      P2pChatLauncher.class.getName(), "run", RendezvousVerticle.class.getName(),
      "-cluster", "-cluster-host", "127.0.0.1", "-conf", conf.encode()));
    Files.createDirectories(dir.resolve(name));
    process = new ProcessBuilder(command).directory(dir.toFile())
      .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve(name + ".out").toFile()))
      .redirectError(ProcessBuilder.Redirect.appendTo(dir.resolve(name + ".err").toFile()))
      .start();
  }

  /** Waits until the instance answers the plain {@code punch}: it joined the cluster and listens. */
  void awaitAnswer() throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(PROCESS_SECONDS);
    while (!"punched".equals(ask("punch"))) {
      if (System.nanoTime() > deadline || !process.isAlive()) {
        throw new AssertionError("rendezvous " + name + " did not come up: " + Files.readString(dir.resolve(name + ".err")));
      }
    }
  }

  /**
   * Starts one clustered instance per slot of {@code instances} (in a new directory under {@code target/NAME}, with
   * a generated cluster.xml on free ports) and waits until each answers; returns the directory (kept after the run).
   */
  static Path startCluster(String name, RendezvousProcess[] instances) throws Exception {
    Path dir = Files.createDirectories(Path.of("target", name, Long.toString(System.currentTimeMillis())).toAbsolutePath());
    Path clusterXml = dir.resolve("cluster.xml");
    Files.writeString(clusterXml, TestCluster.hazelcastXml(TestCluster.freeTcpRange(instances.length), instances.length));
    for (int i = 0; i < instances.length; i++) {
      instances[i] = new RendezvousProcess(dir, "rdv" + i, clusterXml);
      instances[i].start();
    }
    for (RendezvousProcess instance : instances) {
      instance.awaitAnswer();
    }
    return dir;
  }

  /** A test's tear-down: its nodes' Vert.x closed (when started), then every instance started killed. */
  static void tearDown(io.vertx.core.Vertx nodes, List<RendezvousProcess> instances) throws Exception {
    if (nodes != null) {
      io.p2pchat.node.TestNet.await(nodes.close());
    }
    for (RendezvousProcess p : instances) {
      if (p != null && p.process != null) {
        p.kill();
      }
    }
  }

  /** kill -9: no shutdown hook, no leaving the cluster, no flush. */
  void kill() throws Exception {
    process.destroyForcibly().waitFor(PROCESS_SECONDS, TimeUnit.SECONDS);
  }

  /** A plain-text command, padded so the answer fits the amplification budget; null when unanswered. */
  String ask(String command) throws IOException {
    try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      socket.setSoTimeout(500);
      byte[] request = (command + " ".repeat(200)).getBytes(StandardCharsets.US_ASCII);
      socket.send(new DatagramPacket(request, request.length, InetAddress.getLoopbackAddress(), port));
      byte[] buffer = new byte[1500];
      DatagramPacket reply = new DatagramPacket(buffer, buffer.length);
      socket.receive(reply);
      return new String(buffer, 0, reply.getLength(), StandardCharsets.UTF_8);
    } catch (SocketTimeoutException e) {
      return null;
    }
  }
}
