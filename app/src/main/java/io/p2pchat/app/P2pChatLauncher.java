package io.p2pchat.app;

import io.p2pchat.common.ConfigException;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Launcher;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The fat jar's main: the Vert.x {@link Launcher} ({@code run VERTICLE -conf FILE}, {@code -cluster},
 * …) with two changes users asked for: a {@code -conf} file that does not exist is an error
 * (the stock launcher silently deploys with an empty config), and a failed start prints one clear
 * line instead of a stack trace and exits non-zero. A chat node also runs on one event loop
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

  /** True when this process runs something other than the rendezvous (a chat node). */
  private final boolean chatNode;

  P2pChatLauncher(boolean chatNode) {
    this.chatNode = chatNode;
  }

  public static void main(String[] args) {
    for (int i = 0; i < args.length - 1; i++) {
      if (args[i].equals("-conf") || args[i].equals("--conf")) {
        String conf = args[i + 1].trim();
        if (!conf.startsWith("{") && !Files.isRegularFile(Path.of(conf))) {
          System.err.println("p2pchat: config file not found: " + conf);
          System.exit(EXIT_START_FAILED);
        }
      }
    }
    new P2pChatLauncher(!Arrays.asList(args).contains(RENDEZVOUS)).dispatch(args);
  }

  @Override
  public void beforeStartingVertx(VertxOptions options) {
    preferNativeTransport(options);
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

  @Override
  public void handleDeployFailed(Vertx vertx, String mainVerticle, DeploymentOptions deploymentOptions, Throwable cause) {
    System.err.println("p2pchat: cannot start " + mainVerticle + ": " + describe(cause));
    vertx.close().onComplete(ar -> System.exit(EXIT_START_FAILED));
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
