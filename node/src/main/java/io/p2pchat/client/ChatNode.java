package io.p2pchat.client;

import io.p2pchat.client.impl.ChatNodeImpl;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

/**
 * A client node deployed in this Vert.x instance: {@code io.p2pchat.node.ChatNodeVerticle} with
 * {@link ChatNodeOptions#toJson()} as its config, and a {@link ChatClient} to use it.
 * <pre>{@code
 * ChatNode.deploy(vertx, new ChatNodeOptions().setNick("alice").setRendezvousHost("rdv.example.org"))
 *   .compose(node -> node.client().ready().timeout(30, TimeUnit.SECONDS).map(node))
 *   .onSuccess(node -> node.client().send("hello"));
 * }</pre>
 * Several nodes can live in one Vert.x instance when each has its own
 * {@link ChatNodeOptions#setEventBusPrefix(String) eventBusPrefix}.
 */
public interface ChatNode {

  /**
   * Deploys a node. Completes once it is deployed (its socket bound, its event-bus API listening),
   * not yet registered with the rendezvous: {@code client().ready()} waits for that. Fails with the
   * node's one-line config error when {@code options} do not make a valid node (e.g. no nick).
   */
  static Future<ChatNode> deploy(Vertx vertx, ChatNodeOptions options) {
    return ChatNodeImpl.deploy(vertx, options);
  }

  /** A client of this node (its {@code eventBusPrefix}); closed by {@link #undeploy()}. */
  ChatClient client();

  /** The options it was deployed with (a copy). */
  ChatNodeOptions options();

  /** The Vert.x deployment id of its {@code ChatNodeVerticle}. */
  String deploymentId();

  /** The UDP port of its socket (the real one when {@code bind.port} was 0). */
  int port();

  /** Closes {@link #client()} and undeploys the node. */
  Future<Void> undeploy();
}
