package io.p2pchat.app;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.core.spi.VertxMetricsFactory;
import io.vertx.core.spi.VertxTracerFactory;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.core.transport.Transport;

/**
 * A {@link VertxBuilder} that refuses a metrics factory: what the launcher builds Vert.x with when
 * {@code metrics.port} is unset.
 *
 * <p>Why: the legacy launcher hands Vert.x every {@code VertxMetricsFactory} on the class path
 * ({@code withMetrics}, after {@code createVertxBuilder}), and Vert.x 5 starts the metrics of a factory it
 * was given whether or not the metrics options say enabled. With vertx-micrometer-metrics on the class path
 * (the {@code metrics} module) every node and rendezvous then kept Micrometer meters nobody could scrape:
 * each event-bus message looked up or registered a meter per address, 13 % of a flooding sender's CPU
 * samples and 14 % of the receiver's (docs/BENCH.md, "Per-message events").
 */
final class NoMetricsBuilder implements VertxBuilder {

  private final VertxBuilder delegate;

  NoMetricsBuilder(VertxBuilder delegate) {
    this.delegate = delegate;
  }

  @Override
  public VertxBuilder with(VertxOptions options) {
    delegate.with(options);
    return this;
  }

  /** Ignored: no meters without {@code metrics.port}. */
  @Override
  public VertxBuilder withMetrics(VertxMetricsFactory factory) {
    return this;
  }

  @Override
  public VertxBuilder withTracer(VertxTracerFactory factory) {
    delegate.withTracer(factory);
    return this;
  }

  @Override
  public VertxBuilder withTransport(Transport transport) {
    delegate.withTransport(transport);
    return this;
  }

  @Override
  public VertxBuilder withClusterManager(ClusterManager clusterManager) {
    delegate.withClusterManager(clusterManager);
    return this;
  }

  @Override
  public Vertx build() {
    return delegate.build();
  }

  @Override
  public Future<Vertx> buildClustered() {
    return delegate.buildClustered();
  }
}
