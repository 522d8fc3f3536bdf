package io.p2pchat.rendezvous;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.util.concurrent.TimeUnit;

/** A rendezvous on a free loopback port in its own Vert.x, driven from a test thread. */
public final class RendezvousHarness implements AutoCloseable {

  /** Generous: a loaded 2-core machine may take seconds to deploy or answer. */
  private static final long TIMEOUT_SECONDS = 30;

  public final Vertx vertx = Vertx.vertx();
  public final RendezvousVerticle verticle = new RendezvousVerticle();

  /** {@code overrides} on top of port 0, loopback and logs under target/. */
  public RendezvousHarness(JsonObject overrides) {
    JsonObject config = new JsonObject().put("host", "127.0.0.1").put("port", 0)
      .put("logDir", "target/test-logs").mergeIn(overrides);
    await(vertx.deployVerticle(verticle, new DeploymentOptions().setConfig(config)));
  }

  public int port() {
    return verticle.port();
  }

  /** {@link RendezvousVerticle#stats()}, read on its event loop. */
  public JsonObject stats() {
    return await(vertx.eventBus().<JsonObject>request("p2pchat.rendezvous.stats", null)).body();
  }

  public long drops(String reason) {
    return stats().getJsonObject("drops").getLong(reason, 0L);
  }

  public static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("timed out or failed: " + e, e);
    }
  }

  @Override
  public void close() {
    await(vertx.close());
  }
}
