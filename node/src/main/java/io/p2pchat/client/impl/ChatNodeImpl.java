package io.p2pchat.client.impl;

import io.p2pchat.client.ChatClient;
import io.p2pchat.client.ChatNode;
import io.p2pchat.client.ChatNodeOptions;
import io.p2pchat.node.ChatNodeVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

/** {@link ChatNode}: a deployed {@link ChatNodeVerticle} and its client. */
public final class ChatNodeImpl implements ChatNode {

  private final Vertx vertx;
  private final ChatNodeOptions options;
  private final ChatNodeVerticle verticle;
  private final String deploymentId;
  private final ChatClient client;

  private ChatNodeImpl(Vertx vertx, ChatNodeOptions options, ChatNodeVerticle verticle, String deploymentId) {
    this.vertx = vertx;
    this.options = options;
    this.verticle = verticle;
    this.deploymentId = deploymentId;
    this.client = ChatClient.create(vertx, options.getEventBusPrefix());
  }

  /** See {@link ChatNode#deploy}. */
  public static Future<ChatNode> deploy(Vertx vertx, ChatNodeOptions options) {
    ChatNodeOptions copy = new ChatNodeOptions(options);
    ChatNodeVerticle verticle = new ChatNodeVerticle();
    return vertx.deployVerticle(verticle, new DeploymentOptions().setConfig(copy.toJson()))
      .map(id -> new ChatNodeImpl(vertx, copy, verticle, id));
  }

  @Override
  public ChatClient client() {
    return client;
  }

  @Override
  public ChatNodeOptions options() {
    return new ChatNodeOptions(options);
  }

  @Override
  public String deploymentId() {
    return deploymentId;
  }

  @Override
  public int port() {
    return verticle.port();
  }

  @Override
  public Future<Void> undeploy() {
    return client.close().transform(closed -> vertx.undeploy(deploymentId));
  }
}
