package io.p2pchat.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.p2pchat.metrics.impl.MetricsServerImpl;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.util.function.BooleanSupplier;

/**
 * One HTTP listener ({@link MetricsOptions}) serving:
 * <ul>
 *   <li>{@code GET /metrics}: the Prometheus text exposition of {@link #registry()}: Vert.x's own
 *   meters and the JVM's when the process started Vert.x with {@link VertxMetrics#enable}, and the
 *   meters its owner registers;</li>
 *   <li>{@code GET /health}: live: 200 whenever the owner's event loop answers;</li>
 *   <li>{@code GET /ready}: 200 when every {@link #readiness} check holds, else 503 naming the ones that do not.</li>
 * </ul>
 * Create it on the owner's context (in its {@code start}): the checks are then asked on the owner's event loop.
 */
public interface MetricsServer {

  static MetricsServer create(Vertx vertx, MetricsOptions options) {
    return new MetricsServerImpl(vertx, new MetricsOptions(options));
  }

  /**
   * The registry the owner's meters go in: Vert.x's Prometheus registry when the process enabled it,
   * else one of this server's own (with the JVM's meters).
   */
  MeterRegistry registry();

  /** Adds a check of {@code /ready}; {@code check} runs on the owner's event loop and must not block. */
  MetricsServer readiness(String name, BooleanSupplier check);

  /** Listens; fails when the port is taken. */
  Future<MetricsServer> listen();

  /** The port listened on (useful with port 0); -1 before {@link #listen()} succeeded. */
  int actualPort();

  /** Closes the listener and removes the meters registered through {@link #registry()} by the owner. */
  Future<Void> close();
}
