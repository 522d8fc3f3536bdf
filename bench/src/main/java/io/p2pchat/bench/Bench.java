package io.p2pchat.bench;

import io.p2pchat.node.NodeOptions;
import io.p2pchat.rendezvous.RendezvousOptions;
import io.p2pchat.rendezvous.RendezvousVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * {@code p2pchat bench}: two chat nodes as shipped (event-bus API, log level INFO, history on),
 * each its own JVM on 127.0.0.1, introduced by a rendezvous in this JVM. For each message size a
 * fresh pair measures the acknowledged one-way throughput, round-trip latency at a fixed rate and
 * the memory of both processes; a raw-UDP run on the same machine is the yardstick. Then, for each
 * of the TLS sizes, a pair whose sender's network drops all UDP ({@link LoopbackNat#blocked}) is
 * measured relayed over TLS: the sender falls back to the rendezvous's WebSocket, the echo node is
 * behind a NAT that lets no peer in, and every message crosses the rendezvous's relay. Prints a
 * table and one {@code name=value} line per figure.
 */
public final class Bench {

  private static final int EXIT_FAILED = 1;
  private static final int EXIT_USAGE = 2;
  /** A JVM starts and deploys a node in a few seconds on a loaded machine; this is on top of connectMillis. */
  private static final long START_SLACK_MS = 15_000;
  /** On top of the planned durations: draining, the echo question, JFR, a slow machine. */
  private static final long RUN_SLACK_MS = 120_000;
  /** The echo node prints its figures right after the sender's last message is delivered. */
  private static final long RECEIVER_WAIT_SECONDS = 15;
  private static final long VERTX_WAIT_SECONDS = 30;
  /**
   * Text bytes in send requests not yet replied to, at most: 4 x the node's 1 MiB send window keeps
   * it full, and the replies held by back-pressure still come within seconds for 16 KiB messages.
   */
  private static final long REQUEST_WINDOW_BYTES = 4L << 20;
  /** Fewest messages in send requests outstanding, however large the messages. */
  private static final int MIN_WINDOW = 16;
  private static final String SENDER_DRIVER = BenchSenderVerticle.class.getName();
  private static final String ECHO_DRIVER = BenchEchoVerticle.class.getName();
  private static final String TYPED_APP = TypedAppVerticle.class.getName();
  /**
   * The echo node of a relayed run binds here, not on 127.0.0.1 where its NAT's public side is: a host
   * candidate on its public address would let the sender reach it directly.
   */
  private static final String RELAYED_ECHO_HOST = "127.0.0.2";
  /** A node whose UDP registration goes unanswered this long tries TLS: the smallest bound, to start soon. */
  private static final int TLS_FALLBACK_SECONDS = 1;

  private final BenchOptions options;
  private final List<NodeProcess> running = new CopyOnWriteArrayList<>();
  private Path workDir;
  private int rendezvousPort;
  private int rendezvousTlsPort;
  private Vertx vertx;

  private Bench(BenchOptions options) {
    this.options = options;
  }

  public static void main(String[] args) {
    if (args.length > 0 && (args[0].equals("mailbox")
        || (args[0].equals("rendezvous") && List.of(args).contains("--mailbox")))) {
      System.exit(MailboxBench.run(List.of(args).subList(1, args.length)));
      return;
    }
    if (args.length > 0 && args[0].equals("rendezvous")) {
      System.exit(RendezvousBench.run(List.of(args).subList(1, args.length)));
      return;
    }
    BenchOptions options;
    try {
      options = BenchOptions.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("p2pchat bench: " + e.getMessage());
      System.err.println(BenchOptions.USAGE);
      System.exit(EXIT_USAGE);
      return;
    }
    int status = 0;
    try {
      new Bench(options).run();
    } catch (BenchException e) {
      System.err.println("p2pchat bench: FAILED: " + e.getMessage());
      status = EXIT_FAILED;
    } catch (Exception e) {
      System.err.println("p2pchat bench: FAILED: " + e);
      e.printStackTrace();
      status = EXIT_FAILED;
    }
    System.exit(status);
  }

  private void run() throws Exception {
    workDir = Files.createTempDirectory("p2pchat-bench");
    Runtime.getRuntime().addShutdownHook(new Thread(() -> running.forEach(NodeProcess::kill)));
    if (options.jfrDir != null) {
      Files.createDirectories(options.jfrDir);
    }
    vertx = Vertx.vertx();
    boolean ok = false;
    try {
      System.out.printf("p2pchat bench%s: sizes %s, two nodes on 127.0.0.1 (work dir %s)%n",
        options.quick ? " --quick" : "", options.sizes, workDir);
      System.out.printf("* raw UDP baseline: %,d datagrams of 100 bytes, window %d, ack every %d...%n",
        options.rawDatagrams, RawUdpBaseline.WINDOW, RawUdpBaseline.ACK_EVERY);
      double raw = RawUdpBaseline.run(100, options.rawWarmup, options.rawDatagrams);
      RendezvousVerticle rendezvous = new RendezvousVerticle();
      vertx.deployVerticle(rendezvous, new DeploymentOptions().setConfig(new JsonObject()
          .put("host", "127.0.0.1").put("port", 0).put("logDir", workDir.resolve("logs").toString())
          .put("dataDir", workDir.resolve("rendezvous").toString())
          .put("relayBytesPerSecond", options.relayBytesPerSecond)
          .put("tls", new JsonObject().put("host", "127.0.0.1")
            .put("port", options.tlsSizes.isEmpty() ? RendezvousOptions.TLS_OFF : 0))))
        .toCompletionStage().toCompletableFuture().get(VERTX_WAIT_SECONDS, TimeUnit.SECONDS);
      rendezvousPort = rendezvous.port();
      rendezvousTlsPort = rendezvous.tlsPort();
      List<SizeRun> runs = new ArrayList<>();
      // Only the first pair idles: what an idle node costs does not depend on the message size.
      for (int size : options.sizes) {
        runs.add(runSize(size, SizeRun.DIRECT, runs.isEmpty() ? options.idleMillis : 0));
      }
      for (int size : options.typedSizes) {
        runs.add(runSize(size, SizeRun.TYPED_APP, 0));
      }
      for (int size : options.batchedSizes) {
        runs.add(runSize(size, SizeRun.BATCHED, 0));
      }
      for (int size : options.tlsSizes) {
        runs.add(runSize(size, SizeRun.RELAYED_OVER_TLS, 0));
      }
      new BenchReport(raw, runs, options.relayBytesPerSecond, options.idleMillis).print(System.out);
      ok = runs.stream().allMatch(SizeRun::complete);
      if (!ok) {
        throw new BenchException("some messages were not delivered, or not received once and in order (see above)");
      }
    } finally {
      running.forEach(NodeProcess::close);
      vertx.close().toCompletionStage().toCompletableFuture().get(VERTX_WAIT_SECONDS, TimeUnit.SECONDS);
      if (options.keep || !ok) {
        System.out.println("* node logs and stderr kept in " + workDir);
      } else {
        deleteTree(workDir);
      }
    }
  }

  /** A fresh pair of nodes, sender and echo, for one message size on {@code path} (a {@link SizeRun} kind). */
  private SizeRun runSize(int size, String path, long idleMillis) throws Exception {
    boolean tls = path.equals(SizeRun.RELAYED_OVER_TLS);
    // Nicks and room per size and path: a previous pair that is still saying goodbye cannot interfere.
    String tag = size + switch (path) {
      case SizeRun.RELAYED_OVER_TLS -> "t";
      case SizeRun.TYPED_APP -> "a";
      case SizeRun.BATCHED -> "b";
      default -> "";
    };
    String room = "bench" + tag;
    String senderNick = "send" + tag;
    String echoNick = "echo" + tag;
    String label = size + " B" + (path.equals(SizeRun.DIRECT) ? "" : " " + path);
    int window = (int) Math.min(options.window, Math.max(MIN_WINDOW, REQUEST_WINDOW_BYTES / size));
    BenchPlan plan = new BenchPlan(echoNick, size, window, Math.min(options.batch, window), options.warmupMessages, options.warmupMillis,
      options.messages, TimeUnit.SECONDS.toMillis(options.seconds), options.rttRate, options.rttMillis,
      options.rttWarmupMillis, options.connectMillis, tls ? BenchPlan.RELAYED : BenchPlan.DIRECT,
      idleMillis);
    JsonObject echoConfig = node(echoNick, room, ECHO_DRIVER);
    JsonObject senderConfig = node(senderNick, room, SENDER_DRIVER)
      .put(NodeOptions.EXTENSION_CONFIG, new JsonObject().put(BenchPlan.KEY, plan.toJson()));
    if (path.equals(SizeRun.TYPED_APP)) {
      echoConfig.getJsonArray("extensions").add(TYPED_APP);
      senderConfig.getJsonArray("extensions").add(TYPED_APP);
    } else if (path.equals(SizeRun.BATCHED)) {
      JsonObject batchedOnly = new JsonObject().put("perMessage", false);
      echoConfig.put("events", batchedOnly);
      senderConfig.put("events", batchedOnly.copy());
    }
    List<LoopbackNat> nats = new ArrayList<>();
    if (tls) {
      LoopbackNat echoNat = get(LoopbackNat.open(vertx, rendezvousPort));
      LoopbackNat senderNet = get(LoopbackNat.blocked(vertx));
      nats.add(echoNat);
      nats.add(senderNet);
      echoConfig.getJsonObject("rendezvous").put("port", echoNat.port());
      echoConfig.getJsonObject("bind").put("host", RELAYED_ECHO_HOST);
      senderConfig.getJsonObject("rendezvous").put("port", senderNet.port())
        .put("tls", new JsonObject().put("port", rendezvousTlsPort).put("fallbackSeconds", TLS_FALLBACK_SECONDS));
    }
    System.out.printf("* %s: starting %s and %s...%n", label, senderNick, echoNick);
    try (NodeProcess echo = start(echoNick, echoConfig);
         NodeProcess sender = start(senderNick, senderConfig)) {
      sender.await(BenchSenderVerticle.READY, options.connectMillis + START_SLACK_MS, TimeUnit.MILLISECONDS,
        plan.path() + " path to " + echoNick + " (connect)");
      ProcStatus idleSender = null;
      ProcStatus idleEcho = null;
      if (idleMillis > 0) {
        System.out.printf("* %s: connected; idle for %d s...%n", label, TimeUnit.MILLISECONDS.toSeconds(idleMillis));
        sender.await(BenchSenderVerticle.IDLE, idleMillis + START_SLACK_MS, TimeUnit.MILLISECONDS, "the idle part's end");
        idleSender = sender.memory();
        idleEcho = echo.memory();
      }
      System.out.printf("* %s: connected; flooding, then round trips...%n", label);
      long runMillis = options.warmupMillis + TimeUnit.SECONDS.toMillis(options.seconds) + options.rttMillis + RUN_SLACK_MS;
      JsonObject result = new JsonObject(sender.await(BenchSenderVerticle.RESULT, runMillis, TimeUnit.MILLISECONDS,
        "result"));
      JsonObject received = new JsonObject(echo.await(BenchEchoVerticle.RECEIVER, RECEIVER_WAIT_SECONDS,
        TimeUnit.SECONDS, "receiver figures"));
      SizeRun run = new SizeRun(size, path, result, received, sender.memory(), echo.memory(), idleSender, idleEcho);
      System.out.printf("* %s: node drop counters: sender %s, echo %s%n", label,
        result.getValue("nodeStats"), received.getValue("nodeStats"));
      System.out.printf("* %s: %,.0f msgs/s, rtt p50 %d us, p99 %d us%n", label, run.throughput(),
        run.rtt().getLong("p50Us"), run.rtt().getLong("p99Us"));
      return run;
    } finally {
      running.clear();
      for (LoopbackNat nat : nats) {
        get(nat.close());
      }
    }
  }

  private static <T> T get(io.vertx.core.Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(VERTX_WAIT_SECONDS, TimeUnit.SECONDS);
  }

  private NodeProcess start(String nick, JsonObject config) throws IOException {
    NodeProcess node = NodeProcess.start(nick, config, childFlags(nick), workDir);
    running.add(node);
    return node;
  }

  private JsonObject node(String nick, String room, String driver) {
    return new JsonObject()
      .put("nick", nick)
      .put("room", room)
      .put("rendezvous", new JsonObject().put("host", "127.0.0.1").put("port", rendezvousPort)
        .put("tls", new JsonObject().put("port", NodeOptions.NO_TLS_FALLBACK)))
      .put("bind", new JsonObject().put("host", "127.0.0.1").put("port", 0))
      .put("dataDir", workDir.resolve("data").resolve(nick).toString())
      .put("logDir", workDir.resolve("logs").toString())
      .put("extensions", new JsonArray().add(driver));
  }

  /** The JVM flags Bench runs with (bin/p2pchat's), minus agents and recordings, plus JFR when asked. */
  private List<String> childFlags(String nick) {
    List<String> flags = new ArrayList<>();
    for (String flag : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (!flag.startsWith("-agentlib") && !flag.startsWith("-agentpath") && !flag.startsWith("-javaagent") && !flag.startsWith("-Xrunjdwp")
        && !flag.startsWith("-XX:StartFlightRecording") && !flag.startsWith("-XX:FlightRecorderOptions")) {
        flags.add(flag);
      }
    }
    if (options.jfrDir != null) {
      flags.add("-XX:StartFlightRecording=filename=" + options.jfrDir.resolve(nick + ".jfr")
        + ",settings=profile,dumponexit=true");
    }
    return flags;
  }

  private static void deleteTree(Path root) throws IOException {
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
