package io.p2pchat.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;

/**
 * Vert.x's own meters (datagram bytes and errors, event bus, HTTP server, pools) and the JVM's, in a
 * Prometheus registry, the Vert.x 5 way: metrics options on the {@link VertxOptions} the Vertx is
 * built with ({@link #enable}) and the registry on the builder ({@link #withRegistry}).
 * A {@link MetricsServer} created in that Vertx serves them.
 */
public final class VertxMetrics {

  private VertxMetrics() {
  }

  /**
   * Micrometer's JVM meters whose Prometheus names break the naming rules {@code promtool check metrics}
   * enforces (abbreviated units, a gauge ending in {@code _count}); the JVM's other meters stay.
   */
  static final java.util.List<String> NONCONFORMING = java.util.List.of("jvm.compilation.time", "process.cpu.time",
    "system.cpu.count");

  /** A Prometheus registry without the {@link #NONCONFORMING} meters. */
  public static PrometheusMeterRegistry newRegistry() {
    return withoutNonconforming(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
  }

  /** Denies the {@link #NONCONFORMING} meters in a registry that has no meters yet; returns it. */
  public static PrometheusMeterRegistry withoutNonconforming(PrometheusMeterRegistry registry) {
    registry.config().meterFilter(MeterFilter.deny(id -> NONCONFORMING.contains(id.getName())));
    return registry;
  }

  /**
   * Removes the {@link #NONCONFORMING} meters a registry holds already: Vert.x's own, when the application
   * enabled its metrics without {@link #withRegistry} (a filter added after meters makes Micrometer warn).
   */
  public static void removeNonconforming(MeterRegistry registry) {
    registry.getMeters().stream().filter(m -> NONCONFORMING.contains(m.getId().getName())).toList()
      .forEach(registry::remove);
  }

  /** Turns the meters on in {@code options} (a launcher's {@code beforeStartingVertx}); returns it. */
  public static VertxOptions enable(VertxOptions options) {
    return options.setMetricsOptions(new MicrometerMetricsOptions()
      .setEnabled(true)
      .setJvmMetricsEnabled(true)
      .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true)));
  }

  /**
   * The Vert.x 5 way to hand Vert.x a registry of our own (a launcher's {@code createVertxBuilder}):
   * a Prometheus registry without the {@link #NONCONFORMING} meters, on {@code builder}, whose options
   * went through {@link #enable}.
   */
  public static VertxBuilder withRegistry(VertxBuilder builder) {
    return builder.withMetrics(new MicrometerMetricsFactory(newRegistry()));
  }
}
