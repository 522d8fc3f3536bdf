package io.p2pchat.node;

import io.p2pchat.chat.ChatVerticle;
import io.p2pchat.common.ConfigException;
import io.p2pchat.common.ConfigLoader;
import io.p2pchat.common.NodeLog;
import io.p2pchat.console.ConsoleVerticle;
import io.p2pchat.crypto.SecureFiles;
import io.p2pchat.punch.PunchVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * One client node: loads and checks its configuration, then deploys {@link ChatVerticle} (chat
 * semantics, history), {@link PunchVerticle} (the socket and every peer session), the console when
 * {@code console} is true, the web UI when {@code http.port} is set, and every verticle named in
 * {@code extensions} (given the node's config). A Vert.x application deploys this to embed a node.
 * One node per {@code eventBusPrefix}: the deploy fails at once when another node, in this Vert.x
 * instance or on the cluster, holds the prefix ({@link PrefixClaim}).
 *
 * <p><b>Start and stop order.</b> The node's verticles are a chain, each deployed as a child of the one before
 * ({@link NodeStage}): this verticle, ChatVerticle, PunchVerticle, then the console, the web UI and the extensions
 * (children of PunchVerticle). They start first to last: ChatVerticle's consumer of what PunchVerticle hands over
 * is registered before the socket takes its first datagram, {@code chat.send} is served once PunchVerticle is there
 * to carry what it accepts, and the front ends find both working. Vert.x undeploys a verticle's children before it
 * calls its {@code stop}, so they stop last to first, whether the node is undeployed ({@code ChatNode.undeploy()},
 * {@code vertx.undeploy(id)}) or its Vert.x closes: the front ends (nothing new is sent), then PunchVerticle (its
 * stop first tells ChatVerticle, which refuses {@code chat.send} from then on (503), and wipes every session's keys,
 * so no message is received, nor acknowledged, once it begins, and all it has is handed over when it ends), then
 * ChatVerticle (which refuses every send still unanswered: PunchVerticle never took it), whose consumers and
 * journal thus outlive every hand-over (a message PunchVerticle acknowledged to its sender among them), then this
 * verticle (the prefix, {@code /metrics}).
 * Vert.x would otherwise undeploy all of them at once: ChatVerticle's journal closed and its consumers gone while
 * PunchVerticle still took datagrams, acknowledged them and handed them over, to be dropped.
 */
public class ChatNodeVerticle extends VerticleBase {

  /** The web UI verticle, deployed by name so the node runs without it on the classpath. */
  static final String UI_VERTICLE = "io.p2pchat.ui.UiVerticle";

  private PunchVerticle punch;
  /** {@code /metrics}, {@code /health}, {@code /ready}; null unless {@code metrics.port} is set. */
  private io.p2pchat.metrics.MetricsServer metricsServer;
  /** What {@code /ready} asks: the node's verticles (its UDP socket among them) are up. */
  private boolean started;
  /** This node's hold on its eventBusPrefix, from before its verticles start until it is undeployed. */
  private PrefixClaim claim;

  @Override
  public Future<?> start() {
    return ConfigLoader.load(config(), NodeOptions.KEYS)
      .map(NodeOptions::new)
      .compose(options -> vertx.executeBlocking(() -> {
        prepareFiles(options);
        return options;
      }))
      .compose(options -> PrefixClaim.claim(vertx, options.eventBusPrefix(), options.nick()).map(held -> {
        claim = held;
        return options;
      }))
      .compose(options -> {
        if (!options.metrics().enabled()) {
          return Future.succeededFuture(options);
        }
        metricsServer = io.p2pchat.metrics.MetricsServer.create(vertx, options.metrics())
          .readiness("node", () -> started);
        return metricsServer.listen().map(server -> {
          announceMetrics(options, server.actualPort());
          return options;
        });
      })
      .compose(options -> {
        punch = new PunchVerticle(options);
        if (metricsServer != null) {
          punch.metrics(new io.p2pchat.metrics.Meters(metricsServer.registry()));
        }
        ChatVerticle chat = new ChatVerticle(options);
        DeploymentOptions withConfig = new DeploymentOptions().setConfig(options.json());
        // The chain of the class comment, each stage deployed under the one before: started first to last,
        // stopped last to first.
        Future<?> deployed = vertx.deployVerticle(chat)
          .compose(id -> chat.deployChild(() -> vertx.deployVerticle(punch)))
          .compose(id -> chat.openSends());
        if (options.console()) {
          deployed = deployed.compose(id -> punch.deployChild(() -> vertx.deployVerticle(new ConsoleVerticle(options,
            System.in, System.out, () -> vertx.undeploy(context.deploymentID())))));
        }
        if (options.httpEnabled()) {
          deployed = deployed.compose(id -> punch.deployChild(() -> vertx.deployVerticle(UI_VERTICLE, withConfig)));
        }
        for (String extension : options.extensions()) {
          deployed = deployed.compose(id -> punch.deployChild(() -> vertx.deployVerticle(extension, withConfig))
            .recover(e -> Future.failedFuture(new ConfigException(
              "extension " + extension + " failed to start: " + e.getMessage()))));
        }
        return deployed;
      })
      .onSuccess(v -> started = true)
      .onFailure(e -> {
        releasePrefix();
        if (metricsServer != null) {
          metricsServer.close();
        }
      });
  }

  /**
   * BLOCKING (a worker runs it). The node's data directory and log directory owner-only (0700), its
   * log file owner-only (0600) before the logging library first writes it: what people said, whom
   * they trust and the node's keys are nobody else's to read or change. One that others may write
   * stops start-up with one line saying how to fix it; one that others may only read (made by an
   * earlier version, or opened on purpose) is kept, with a WARN line saying how to close it.
   */
  private static void prepareFiles(NodeOptions options) {
    Path logFile = Path.of(options.logDir(), options.nick() + ".log");
    List<String> warnings;
    try {
      warnings = SecureFiles.prepareOwnerOnly(options.dataDir(), Path.of(options.logDir()), logFile);
    } catch (IOException e) {
      throw new ConfigException(e.getMessage());
    }
    NodeLog log = NodeLog.of(ChatNodeVerticle.class, options.nick(), options.logDir());
    warnings.forEach(warning -> log.warn("{}", warning));
  }

  /**
   * Says where {@code /metrics} listens, on stdout and in the node's log, as the rendezvous does: with
   * {@code metrics.port} 0 an operator has no other way to learn the port.
   */
  private static void announceMetrics(NodeOptions options, int port) {
    String url = "http://" + options.metrics().getHost() + ":" + port + "/metrics";
    NodeLog.of(ChatNodeVerticle.class, options.nick(), options.logDir())
      .info("metrics on {} (/health, /ready)", url);
    System.out.println("* metrics on " + url + " (/health, /ready)");
    System.out.flush();
  }

  /** Runs after the node's own verticles are undeployed (last stage first): the prefix is free for another node. */
  @Override
  public Future<?> stop() {
    releasePrefix();
    return metricsServer == null ? Future.succeededFuture() : metricsServer.close();
  }

  private void releasePrefix() {
    if (claim != null) {
      claim.release();
    }
  }

  /** The port of {@code /metrics}, {@code /health} and {@code /ready}, or -1 when {@code metrics.port} is unset. */
  public int metricsPort() {
    return metricsServer == null ? -1 : metricsServer.actualPort();
  }

  /** The UDP port of this node's socket. */
  public int port() {
    return punch.port();
  }
}
