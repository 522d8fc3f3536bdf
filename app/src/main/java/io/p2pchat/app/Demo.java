package io.p2pchat.app;

import io.p2pchat.common.ConfigOverrides;
import io.p2pchat.node.ChatNodeVerticle;
import io.p2pchat.node.NodeOptions;
import io.p2pchat.rendezvous.RendezvousOptions;
import io.p2pchat.rendezvous.RendezvousVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code bin/p2pchat demo}: a rendezvous, an echo bot node and an interactive console node on
 * loopback in one JVM, so a typed line visibly crosses real UDP sockets and comes back. Each part
 * is the same verticle a real deployment runs; only the addresses are chosen for one machine.
 * {@code P2PCHAT_*} environment variables and {@code -Dp2pchat.*} system properties apply to your
 * node only (the bot's and the rendezvous' settings are the demo's own).
 */
public final class Demo {

  /** How often the demo looks whether the console node has left (then it ends). */
  private static final long LEFT_CHECK_MS = 250;

  private Demo() {
  }

  public static void main(String[] args) throws IOException {
    String nick = args.length > 0 ? args[0] : "you";
    Path home = Files.createTempDirectory("p2pchat-demo");
    String logDir = args.length > 1 ? args[1] : "logs";
    // One event loop and the native transport, as the launcher gives a node: the demo's rendezvous and nodes are light.
    Vertx vertx = Vertx.vertx(P2pChatLauncher.preferNativeTransport(
      new VertxOptions().setEventLoopPoolSize(P2pChatLauncher.NODE_EVENT_LOOPS)));
    RendezvousVerticle rendezvous = new RendezvousVerticle();
    vertx.deployVerticle(rendezvous, new DeploymentOptions().setConfig(new JsonObject()
        .put("host", "127.0.0.1").put("port", 0).put("logDir", logDir)
        .put("tls", new JsonObject().put("port", RendezvousOptions.TLS_OFF))))
      .compose(id -> vertx.deployVerticle(ChatNodeVerticle.class.getName(), new DeploymentOptions().setConfig(
        node("echo", rendezvous, home, logDir)
          .put("extensions", new JsonArray().add("io.p2pchat.examples.EchoBotVerticle"))
          // Its own event-bus addresses: the bot's node and yours share this JVM.
          .put("eventBusPrefix", "demo.echo"))))
      // Yours takes P2PCHAT_* and -Dp2pchat.* overrides (e.g. P2PCHAT_HTTP_PORT), as under the launcher.
      .compose(id -> vertx.deployVerticle(ChatNodeVerticle.class.getName(), new DeploymentOptions().setConfig(
        ConfigOverrides.apply(withUi(node(nick, rendezvous, home, logDir).put("console", true)),
          NodeOptions.KEYS))))
      .onSuccess(consoleNode -> {
        System.out.println("* demo: rendezvous on 127.0.0.1:" + rendezvous.port() + ", echo bot and you (" + nick
          + ") on loopback; logs in " + Path.of(logDir).toAbsolutePath() + "; type a line, or !ping; /quit ends");
        vertx.setPeriodic(LEFT_CHECK_MS, t -> {
          if (!vertx.deploymentIDs().contains(consoleNode)) {
            vertx.close().onComplete(ar -> System.exit(0));
          }
        });
      })
      .onFailure(e -> {
        System.err.println("p2pchat demo: cannot start: " + P2pChatLauncher.describe(e));
        vertx.close().onComplete(ar -> System.exit(1));
      });
  }

  /** The web UI too, on any free port of loopback. */
  private static JsonObject withUi(JsonObject config) {
    return config.put("http", new JsonObject().put("host", "127.0.0.1").put("port", 0));
  }

  /**
   * A node of the demo. It is given the rendezvous's key, as a deployment's config would: nothing is
   * trusted on first use, and no {@code known_servers} line is written for a port that changes every run.
   */
  private static JsonObject node(String nick, RendezvousVerticle rendezvous, Path home, String logDir) {
    return new JsonObject()
      .put("nick", nick)
      .put("rendezvous", new JsonObject().put("host", "127.0.0.1").put("port", rendezvous.port())
        .put("key", rendezvous.identity().publicKeyText()))
      .put("bind", new JsonObject().put("host", "127.0.0.1").put("port", 0))
      .put("dataDir", home.resolve(nick).toString())
      .put("logDir", logDir);
  }
}
