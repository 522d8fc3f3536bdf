package io.p2pchat.metrics.impl;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.p2pchat.metrics.MetricsOptions;
import io.p2pchat.metrics.MetricsServer;
import io.p2pchat.metrics.VertxMetrics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.healthchecks.Status;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.healthchecks.HealthCheckHandler;
import io.vertx.micrometer.PrometheusScrapingHandler;
import io.vertx.micrometer.backends.BackendRegistries;

import java.util.function.BooleanSupplier;

/** {@link MetricsServer}: a vertx-web router over one HTTP server. */
public final class MetricsServerImpl implements MetricsServer {

  public static final String METRICS_PATH = "/metrics";
  public static final String HEALTH_PATH = "/health";
  public static final String READY_PATH = "/ready";
  /** The one liveness check: its answer proves the owner's event loop runs. */
  static final String LIVE_CHECK = "event-loop";
  private static final int NOT_LISTENING = -1;

  private final Vertx vertx;
  private final MetricsOptions options;
  private final PrometheusMeterRegistry registry;
  /** True when the registry is this server's own (no Vert.x metrics in the process): closed with it. */
  private final boolean ownRegistry;
  private final JvmGcMetrics gc;
  private final HealthChecks live;
  private final HealthChecks ready;
  private HttpServer server;
  private int port = NOT_LISTENING;

  public MetricsServerImpl(Vertx vertx, MetricsOptions options) {
    if (!options.enabled()) {
      throw new IllegalArgumentException("metrics.port is not set");
    }
    this.vertx = vertx;
    this.options = options;
    MeterRegistry shared = BackendRegistries.getDefaultNow();
    ownRegistry = !(shared instanceof PrometheusMeterRegistry);
    // Vert.x's registry when the process enabled it (VertxMetrics), else one of our own: ours and the
    // JVM's meters still show in an application that built its Vertx without metrics.
    registry = ownRegistry ? VertxMetrics.newRegistry() : (PrometheusMeterRegistry) shared;
    if (ownRegistry) {
      gc = bindJvm(registry);
    } else {
      // Vert.x bound the JVM's meters already (VertxMetrics.enable: jvmMetricsEnabled): binding them again
      // registered each twice (Micrometer warned and ignored the second) and a filter added now comes after them.
      gc = null;
      VertxMetrics.removeNonconforming(registry);
    }
    live = HealthChecks.create(vertx).register(LIVE_CHECK, p -> p.complete(Status.OK()));
    ready = HealthChecks.create(vertx);
  }

  /** Registries whose JVM meters are bound: once each, however many servers share one (GC listeners would count twice). */
  private static final java.util.Set<MeterRegistry> JVM_BOUND =
    java.util.Collections.synchronizedSet(java.util.Collections.newSetFromMap(new java.util.WeakHashMap<>()));

  /** The JVM's meters, without the nonconforming ones; the GC binder to close with an own registry, else null. */
  private JvmGcMetrics bindJvm(PrometheusMeterRegistry target) {
    if (!JVM_BOUND.add(target)) {
      return null;
    }
    new JvmMemoryMetrics().bindTo(target);
    new JvmThreadMetrics().bindTo(target);
    new ClassLoaderMetrics().bindTo(target);
    new ProcessorMetrics().bindTo(target);
    JvmGcMetrics binder = new JvmGcMetrics();
    binder.bindTo(target);
    return ownRegistry ? binder : null;
  }

  @Override
  public MeterRegistry registry() {
    return registry;
  }

  @Override
  public MetricsServer readiness(String name, BooleanSupplier check) {
    ready.register(name, p -> p.complete(check.getAsBoolean() ? Status.OK() : Status.KO()));
    return this;
  }

  @Override
  public Future<MetricsServer> listen() {
    if (server != null) {
      return Future.failedFuture(new IllegalStateException("listen() was called already"));
    }
    Router router = Router.router(vertx);
    router.get(METRICS_PATH).handler(PrometheusScrapingHandler.create(registry));
    router.get(HEALTH_PATH).handler(HealthCheckHandler.createWithHealthChecks(live));
    router.get(READY_PATH).handler(HealthCheckHandler.createWithHealthChecks(ready));
    server = vertx.createHttpServer(new HttpServerOptions().setHost(options.getHost()).setPort(options.getPort()))
      .requestHandler(router);
    return server.listen().map(s -> {
      port = s.actualPort();
      return (MetricsServer) this;
    }).recover(e -> Future.failedFuture(new io.p2pchat.common.ConfigException("metrics.port " + options.getPort()
      + " on " + options.getHost() + ": " + e.getMessage())));
  }

  @Override
  public int actualPort() {
    return port;
  }

  @Override
  public Future<Void> close() {
    port = NOT_LISTENING;
    Future<Void> closed = server == null ? Future.succeededFuture() : server.close();
    return closed.eventually(() -> {
      if (ownRegistry) {
        if (gc != null) {
          gc.close();
        }
        registry.close();
      }
      return Future.succeededFuture();
    });
  }
}
