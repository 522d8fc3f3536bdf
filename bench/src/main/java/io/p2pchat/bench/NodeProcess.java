package io.p2pchat.bench;

import io.vertx.core.json.JsonObject;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * One chat node as its own JVM, started the way users start one ({@code P2pChatLauncher run
 * ChatNodeVerticle -conf JSON}) with Bench's classpath and JVM flags. Its stdout lines are read on
 * a thread and handed out by prefix; its stderr goes to a file whose tail explains a failure.
 */
final class NodeProcess implements AutoCloseable {

  private static final String LAUNCHER = "io.p2pchat.app.P2pChatLauncher";
  private static final String NODE_VERTICLE = "io.p2pchat.node.ChatNodeVerticle";
  private static final String ENV_PREFIX = "P2PCHAT_";
  /** logback.xml reads it: a user may run the bench at another log level on purpose. */
  private static final String LOG_LEVEL_ENV = "P2PCHAT_LOG_LEVEL";
  /** A stopping node says goodbye and a JFR recording is written: this long before it is killed. */
  private static final long STOP_WAIT_SECONDS = 15;
  /** Lines of stdout and stderr shown when a node fails. */
  private static final int TAIL_LINES = 15;

  private final String name;
  private final Process process;
  private final Path stderr;
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
  private final Deque<String> recent = new ArrayDeque<>();

  private NodeProcess(String name, Process process, Path stderr) {
    this.name = name;
    this.process = process;
    this.stderr = stderr;
    Thread reader = new Thread(this::readStdout, "bench-" + name + "-stdout");
    reader.setDaemon(true);
    reader.start();
  }

  /**
   * This JVM's class path with every entry absolute: the child runs in its own work directory, where
   * a relative entry ({@code java -cp bench/target/p2pchat-bench.jar}) would name nothing.
   */
  static String classPath() {
    return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
      .map(entry -> Path.of(entry).toAbsolutePath().toString())
      .collect(Collectors.joining(File.pathSeparator));
  }

  /** Starts a node with {@code config} (its -conf JSON), extra JVM flags before the class name. */
  static NodeProcess start(String name, JsonObject config, List<String> jvmFlags, Path workDir) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmFlags);
    command.add("-cp");
    command.add(classPath());
    command.add(LAUNCHER);
    command.add("run");
    command.add(NODE_VERTICLE);
    command.add("-conf");
    command.add(config.encode());
    Path stderr = workDir.resolve(name + ".stderr");
    ProcessBuilder builder = new ProcessBuilder(command);
    // P2PCHAT_* variables override node config under the launcher (ConfigOverrides): a user's P2PCHAT_NICK or
    // P2PCHAT_RENDEZVOUS_PORT must not change the bench's nodes. The log level is the one kept.
    builder.environment().keySet().removeIf(k -> k.startsWith(ENV_PREFIX) && !k.equals(LOG_LEVEL_ENV));
    Process process = builder
      .directory(workDir.toFile())
      .redirectError(stderr.toFile())
      .redirectInput(ProcessBuilder.Redirect.PIPE)
      .start();
    return new NodeProcess(name, process, stderr);
  }

  String name() {
    return name;
  }

  long pid() {
    return process.pid();
  }

  /**
   * The rest of the first stdout line starting with {@code prefix}, waiting at most {@code timeout}.
   * A {@code BENCH_ERROR} line, an exit or the timeout throws with the node's last output.
   */
  String await(String prefix, long timeout, TimeUnit unit, String what) throws InterruptedException {
    long deadline = System.nanoTime() + unit.toNanos(timeout);
    while (true) {
      String line = lines.poll(100, TimeUnit.MILLISECONDS);
      if (line != null) {
        if (line.startsWith(BenchSenderVerticle.ERROR)) {
          throw new BenchException(name + ": " + line.substring(BenchSenderVerticle.ERROR.length()).trim());
        }
        if (line.startsWith(prefix)) {
          return line.substring(prefix.length()).trim();
        }
        continue;
      }
      if (!process.isAlive() && lines.isEmpty()) {
        throw new BenchException(name + " exited (status " + process.exitValue() + ") before " + what + "\n" + tail());
      }
      if (System.nanoTime() - deadline > 0) {
        throw new BenchException(name + ": no " + what + " within " + unit.toSeconds(timeout) + " s\n" + tail());
      }
    }
  }

  ProcStatus memory() {
    return ProcStatus.of(process.pid());
  }

  /** SIGTERM (the node says goodbye, JFR writes its file), then SIGKILL if it lingers. */
  @Override
  public void close() {
    if (!process.isAlive()) {
      return;
    }
    process.destroy();
    try {
      if (!process.waitFor(STOP_WAIT_SECONDS, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(STOP_WAIT_SECONDS, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  /** For a shutdown hook: no waiting. */
  void kill() {
    process.destroyForcibly();
  }

  private void readStdout() {
    try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        synchronized (recent) {
          recent.addLast(line);
          if (recent.size() > TAIL_LINES) {
            recent.removeFirst();
          }
        }
        lines.add(line);
      }
    } catch (IOException e) {
      lines.add(BenchSenderVerticle.ERROR + " cannot read the output of " + name + ": " + e.getMessage());
    }
  }

  private String tail() {
    StringBuilder out = new StringBuilder();
    synchronized (recent) {
      recent.forEach(l -> out.append("  ").append(name).append(" stdout: ").append(l).append('\n'));
    }
    try {
      List<String> err = Files.readAllLines(stderr);
      err.subList(Math.max(0, err.size() - TAIL_LINES), err.size())
        .forEach(l -> out.append("  ").append(name).append(" stderr: ").append(l).append('\n'));
    } catch (IOException e) {
      out.append("  (no stderr: ").append(e.getMessage()).append(")\n");
    }
    return out.toString();
  }
}
