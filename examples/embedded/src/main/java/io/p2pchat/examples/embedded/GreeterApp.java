package io.p2pchat.examples.embedded;

import io.p2pchat.client.ChatNode;
import io.p2pchat.client.ChatNodeOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * An application embedding a p2pchat node: it makes its own Vert.x, deploys a node through
 * {@link ChatNode#deploy}, waits until the node is registered with its rendezvous, and runs
 * {@link GreeterVerticle} next to it.
 * <pre>
 * java io.p2pchat.examples.embedded.GreeterApp [NICK [RENDEZVOUS_HOST:PORT]]
 * </pre>
 * The arguments, else the environment variables {@code GREETER_NICK} and {@code GREETER_RENDEZVOUS},
 * else {@value #DEFAULT_NICK} and {@value #DEFAULT_RENDEZVOUS}. Its state goes to
 * {@code ~/.p2pchat/<nick>}; {@code GREETER_DATA_DIR} moves it.
 */
public final class GreeterApp {

  private static final Logger LOG = LoggerFactory.getLogger(GreeterApp.class);

  /** The nick when neither an argument nor the environment names one. */
  static final String DEFAULT_NICK = "greeter";
  /** The rendezvous of {@code bin/p2pchat rendezvous} on this machine. */
  static final String DEFAULT_RENDEZVOUS = "127.0.0.1:7000";
  /**
   * How long start-up waits for the rendezvous to answer: three times its own give-up time
   * ({@link ChatNodeOptions#DEFAULT_RENDEZVOUS_DOWN_AFTER_SECONDS}), so a failover to a second
   * instance still fits, and a wrong address still ends start-up in under half a minute.
   */
  static final long READY_TIMEOUT_SECONDS = 3L * ChatNodeOptions.DEFAULT_RENDEZVOUS_DOWN_AFTER_SECONDS;

  private GreeterApp() {
  }

  /** Starts the greeter; stops the JVM with status 1 when it cannot start. */
  public static void main(String[] args) {
    ChatNodeOptions options = options(args, System.getenv());
    // Native epoll where the platform has it (NIO's selector spins on a node's short timers), and
    // one event loop: the node's verticles then hand messages to each other on one thread.
    Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true).setEventLoopPoolSize(1));
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        vertx.close().toCompletionStage().toCompletableFuture().get(READY_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      } catch (Exception e) {
        LOG.warn("shutdown: {}", e.toString());
      }
    }, "greeter-shutdown"));
    start(vertx, options).onFailure(e -> {
      LOG.error("cannot start: {}", e.getMessage());
      System.exit(1);
    });
  }

  /**
   * Deploys the node and the greeter in {@code vertx}; completes with the node once it is
   * registered with its rendezvous.
   */
  public static Future<ChatNode> start(Vertx vertx, ChatNodeOptions options) {
    return ChatNode.deploy(vertx, options)
      .compose(node -> vertx.deployVerticle(new GreeterVerticle(node.options().getEventBusPrefix()))
        .compose(id -> node.client().ready().timeout(READY_TIMEOUT_SECONDS, TimeUnit.SECONDS))
        .map(info -> {
          LOG.info("{} is up in room {} (key {}), registered at {}", info.nick(), info.room(), info.fingerprint(),
            info.rendezvousAddress());
          return node;
        }));
  }

  /** The node's options from the arguments, else the environment, else the defaults. */
  static ChatNodeOptions options(String[] args, Map<String, String> env) {
    String nick = args.length > 0 ? args[0] : env.getOrDefault("GREETER_NICK", DEFAULT_NICK);
    String rendezvous = args.length > 1 ? args[1] : env.getOrDefault("GREETER_RENDEZVOUS", DEFAULT_RENDEZVOUS);
    ChatNodeOptions options = new ChatNodeOptions().setNick(nick).setRendezvousServers(List.of(rendezvous));
    String dataDir = env.get("GREETER_DATA_DIR");
    return dataDir == null ? options : options.setDataDir(dataDir);
  }
}
