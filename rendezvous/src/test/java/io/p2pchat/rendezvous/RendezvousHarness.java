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
  /** How often {@link #awaitTrue} looks again: a stats request costs well under a millisecond. */
  private static final long POLL_MS = 20;

  public final Vertx vertx = Vertx.vertx();
  public final RendezvousVerticle verticle = new RendezvousVerticle();

  /** {@code overrides} on top of port 0, loopback, logs under target/ and no TLS listener ({@code "tls"} turns it on). */
  public RendezvousHarness(JsonObject overrides) {
    JsonObject config = new JsonObject().put("host", "127.0.0.1").put("port", 0)
      .put("logDir", "target/test-logs").put("tls", new JsonObject().put("port", RendezvousOptions.TLS_OFF))
      .mergeIn(overrides);
    try {
      await(vertx.deployVerticle(verticle, new DeploymentOptions().setConfig(config)));
    } catch (AssertionError e) {
      vertx.close();
      throw e;
    }
  }

  public int port() {
    return verticle.port();
  }

  /** The HTTPS (WebSocket) port, -1 when TLS is off. */
  public int tlsPort() {
    return verticle.tlsPort();
  }

  /** {@link RendezvousVerticle#stats()}, read on its event loop. */
  public JsonObject stats() {
    return await(vertx.eventBus().<JsonObject>request("p2pchat.rendezvous.stats", null)).body();
  }

  public long drops(String reason) {
    return stats().getJsonObject("drops").getLong(reason, 0L);
  }

  /** A drop count of the TLS transport ({@code stats().tls.drops}): {@code tls-policy}, {@code tls-backpressure}... */
  public long tlsDrops(String reason) {
    return stats().getJsonObject("tls").getJsonObject("drops").getLong(reason, 0L);
  }

  /** Waits until {@code condition} holds, re-checking every few milliseconds, or fails after the timeout. */
  public static void awaitTrue(String what, java.util.function.BooleanSupplier condition) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("not within " + TIMEOUT_SECONDS + " s: " + what);
      }
      try {
        Thread.sleep(POLL_MS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
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
