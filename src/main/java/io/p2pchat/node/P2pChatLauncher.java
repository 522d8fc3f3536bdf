package io.p2pchat.node;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Launcher;
import io.vertx.core.Vertx;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The fat jar's main: the Vert.x {@link Launcher} ({@code run VERTICLE -conf FILE}, {@code -cluster},
 * …) with two changes users asked for: a {@code -conf} file that does not exist is an error
 * (the stock launcher silently deploys with an empty config), and a failed start prints one clear
 * line instead of a stack trace and exits non-zero.
 */
public class P2pChatLauncher extends Launcher {

  /** Exit status of a start-up that failed (bad config, port in use). */
  private static final int EXIT_START_FAILED = 1;

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
    new P2pChatLauncher().dispatch(args);
  }

  @Override
  public void handleDeployFailed(Vertx vertx, String mainVerticle, DeploymentOptions deploymentOptions, Throwable cause) {
    System.err.println("p2pchat: cannot start " + mainVerticle + ": " + describe(cause));
    vertx.close().onComplete(ar -> System.exit(EXIT_START_FAILED));
  }

  /** One line: the config error as written, anything else with its type. */
  static String describe(Throwable cause) {
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
