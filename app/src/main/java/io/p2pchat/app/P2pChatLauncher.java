package io.p2pchat.app;

import io.p2pchat.common.ConfigException;
import io.p2pchat.common.ConfigLoader;
import io.p2pchat.common.ConfigReader;
import io.p2pchat.metrics.MetricsOptions;
import io.p2pchat.metrics.VertxMetrics;
import io.p2pchat.common.ConfigLoader.Type;
import io.p2pchat.common.ConfigOverrides;
import io.p2pchat.node.HttpProxy;
import io.p2pchat.node.NodeOptions;
import io.p2pchat.rendezvous.RendezvousOptions;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Launcher;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/**
 * The fat jar's main: the Vert.x {@link Launcher} ({@code run VERTICLE -conf FILE}, {@code -cluster},
 * …) with two changes users asked for: a {@code -conf} file that does not exist is an error
 * (the stock launcher silently deploys with an empty config), and a failed start prints one clear
 * line instead of a stack trace and exits non-zero. It is also where {@code P2PCHAT_*} environment
 * variables and {@code -Dp2pchat.*} system properties apply: {@link #afterConfigParsed} merges them
 * into the deployment config of the verticle it runs (a node or a rendezvous), so a verticle
 * deployed in code by an application never sees them. A chat node also runs on one event loop
 * (see {@link #NODE_EVENT_LOOPS}), and every process on the native transport where there is one
 * (see {@link #preferNativeTransport}).
 */
public class P2pChatLauncher extends Launcher {

  /** Exit status of a start-up that failed (bad config, port in use). */
  private static final int EXIT_START_FAILED = 1;
  /**
   * Event loops of a chat node process: one. Its verticles (punch, chat, console, UI, extensions)
   * then share a thread and hand messages to each other without waking another thread: with the
   * default (2 per core) a round trip crossed ~10 thread wake-ups and took 3.7 ms at the median
   * on this project's 2-core machines, 0.6 ms on one loop (bench, 1,000 round trips/s). The
   * rendezvous keeps Vert.x's default. {@code -Dvertx.options.eventLoopPoolSize=N} overrides.
   */
  static final int NODE_EVENT_LOOPS = 1;
  private static final String RENDEZVOUS = "io.p2pchat.rendezvous.RendezvousVerticle";
  private static final String CHAT_NODE = "io.p2pchat.node.ChatNodeVerticle";
  /** The keys overrides may set, per verticle this launcher runs; other verticles get none. */
  private static final Map<String, Map<String, Type>> OVERRIDABLE = Map.of(
    RENDEZVOUS, RendezvousOptions.KEYS,
    CHAT_NODE, NodeOptions.KEYS);

  /** True when this process runs something other than the rendezvous (a chat node). */
  private final boolean chatNode;
  /** The verticle of {@code run VERTICLE}, or null for another command. */
  private final String verticle;
  /** The config sets {@code metrics.port}: Vert.x starts with its own meters in a Prometheus registry. */
  private boolean metrics;

  P2pChatLauncher(boolean chatNode, String verticle) {
    this.chatNode = chatNode;
    this.verticle = verticle;
  }

  public static void main(String[] args) {
    chooseLogFormat();
    for (int i = 0; i < args.length - 1; i++) {
      if (args[i].equals("-conf") || args[i].equals("--conf")) {
        String conf = args[i + 1].trim();
        if (!conf.startsWith("{") && !Files.isRegularFile(Path.of(conf))) {
          System.err.println("p2pchat: config file not found: " + conf);
          System.exit(EXIT_START_FAILED);
        }
      }
    }
    int run = Arrays.asList(args).indexOf("run");
    String verticle = run >= 0 && run + 1 < args.length ? args[run + 1] : null;
    new P2pChatLauncher(!Arrays.asList(args).contains(RENDEZVOUS), verticle).dispatch(args);
  }

  /**
   * Before the first logger: a {@code P2PCHAT_LOG_FORMAT} (or {@code -Dp2pchat.log.format}) other than
   * plain or json stops start-up with one line; logback.xml's {@link LogFormatEncoder} writes the one chosen.
   */
  private static void chooseLogFormat() {
    String problem = LogFormatEncoder.problem(System.getProperty(LogFormatEncoder.PROPERTY,
      System.getenv(LogFormatEncoder.ENV)));
    if (problem != null) {
      System.err.println("p2pchat: config error: " + problem);
      System.exit(EXIT_START_FAILED);
    }
  }

  /**
   * Applies the environment and system property overrides ({@link ConfigOverrides}) to the
   * deployment config in place, before Vert.x starts. A config with an unknown key, or an override
   * of the wrong type, prints the same one line as a failed deploy and exits.
   */
  @Override
  public void afterConfigParsed(JsonObject config) {
    Map<String, Type> keys = OVERRIDABLE.get(verticle);
    if (keys == null) {
      return;
    }
    try {
      JsonObject applied = ConfigOverrides.apply(config, keys);
      if (CHAT_NODE.equals(verticle)) {
        HttpProxy.applyEnvironment(applied, System.getenv()); // https_proxy, as curl reads it
      }
      metrics = new MetricsOptions(new ConfigReader(ConfigLoader.normalize(applied, keys))).enabled();
      config.clear();
      config.mergeIn(applied);
    } catch (ConfigException e) {
      System.err.println(startFailure(verticle, e));
      System.exit(EXIT_START_FAILED);
    }
  }

  @Override
  public VertxBuilder createVertxBuilder(VertxOptions options) {
    VertxBuilder builder = super.createVertxBuilder(options);
    return metrics ? VertxMetrics.withRegistry(builder) : new NoMetricsBuilder(builder);
  }

  @Override
  public void beforeStartingVertx(VertxOptions options) {
    preferNativeTransport(options);
    if (metrics) {
      VertxMetrics.enable(options);
    }
    if (chatNode && options.getEventLoopPoolSize() == VertxOptions.DEFAULT_EVENT_LOOP_POOL_SIZE
      && System.getProperty("vertx.options.eventLoopPoolSize") == null) {
      options.setEventLoopPoolSize(NODE_EVENT_LOOPS);
    }
  }

  /**
   * Asks for Netty's native transport (epoll on Linux; Vert.x falls back to NIO where it is
   * missing) unless {@code -Dvertx.options.preferNativeTransport} says otherwise. The UDP sockets
   * gain most: NIO's selector waits in whole milliseconds and spins before a timer due within half
   * of one, which a node's pacing and retransmission timers always are; epoll sleeps until the
   * exact deadline. Round trips at 1,000/s: p90 0.7 ms on NIO, 0.27 ms on epoll (bench).
   */
  public static VertxOptions preferNativeTransport(VertxOptions options) {
    if (System.getProperty("vertx.options.preferNativeTransport") == null) {
      options.setPreferNativeTransport(true);
    }
    return options;
  }

  /**
   * A failed start prints one line and exits. Not when the JVM is shutting down already (SIGTERM during
   * start-up): its hook closes Vert.x, which fails the deploy under way; that is the stop asked for,
   * not a failure to report. And never {@code System.exit} on the event loop: exit waits for the
   * shutdown hooks, one of which (the launcher's) waits for Vert.x to close on that same event loop,
   * so start-up hung until the hook gave up.
   */
  @Override
  public void handleDeployFailed(Vertx vertx, String mainVerticle, DeploymentOptions deploymentOptions, Throwable cause) {
    if (shuttingDown()) {
      return;
    }
    System.err.println(startFailure(mainVerticle, cause));
    vertx.close().onComplete(ar -> new Thread(() -> System.exit(EXIT_START_FAILED), "p2pchat-exit").start());
  }

  /** True once the JVM runs its shutdown hooks (a hook can no longer be added then). */
  private static boolean shuttingDown() {
    Thread probe = new Thread(() -> { }, "p2pchat-shutdown-probe");
    try {
      Runtime.getRuntime().addShutdownHook(probe);
      Runtime.getRuntime().removeShutdownHook(probe);
      return false;
    } catch (IllegalStateException e) {
      return true;
    }
  }

  private static String startFailure(String verticle, Throwable cause) {
    return "p2pchat: cannot start " + verticle + ": " + describe(cause);
  }

  /** One line: the config error as written, anything else with its type. */
  public static String describe(Throwable cause) {
    Throwable root = cause;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    if (root instanceof ConfigException) {
      return "config error: " + root.getMessage();
    }
    String message = root.getMessage();
    return message == null ? root.getClass().getSimpleName() : message;
  }
}
