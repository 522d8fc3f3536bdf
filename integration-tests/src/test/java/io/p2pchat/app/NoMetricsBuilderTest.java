package io.p2pchat.app;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.MicrometerMetricsFactory;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The launcher without {@code metrics.port}: the legacy launcher passes the class path's metrics factory to the
 * builder, and Vert.x 5 runs a factory it was given even with its metrics options disabled (the first case
 * shows it); {@link NoMetricsBuilder} refuses it, so no meter is kept per event-bus message.
 */
class NoMetricsBuilderTest {

  @Test
  void vertxRunsAGivenMetricsFactoryEvenWhenDisabled() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    Vertx vertx = Vertx.builder().with(new VertxOptions()).withMetrics(new MicrometerMetricsFactory(registry)).build();
    try {
      vertx.eventBus().publish("p2pchat.chat.received", "hi");
      assertTrue(vertx.isMetricsEnabled(), "Vert.x ran the factory: what NoMetricsBuilder exists for");
      assertFalse(registry.getMeters().isEmpty(), "meters kept: " + registry.getMeters().size());
    } finally {
      vertx.close().await();
    }
  }

  @Test
  void noMetricsWithoutMetricsPort() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    Vertx vertx = new NoMetricsBuilder(Vertx.builder().with(new VertxOptions()))
      .withMetrics(new MicrometerMetricsFactory(registry)).build();
    try {
      vertx.eventBus().publish("p2pchat.chat.received", "hi");
      assertFalse(vertx.isMetricsEnabled());
      assertTrue(registry.getMeters().isEmpty(), "no meters: " + registry.getMeters());
    } finally {
      vertx.close().await();
    }
  }
}
