package io.p2pchat.metrics;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.model.registry.Collector;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.Unit;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntFunction;
import java.util.function.ToDoubleFunction;

/**
 * The meters one owner (a rendezvous, a node) registers, removed together when it stops, so a
 * registry shared by the process never keeps a gauge of a stopped verticle. Names are Micrometer's
 * dotted ones ({@code p2pchat.rendezvous.registrations}); the Prometheus registry writes them with
 * underscores, base units and {@code _total} on counters. Tags must come from bounded sets: never a
 * nick, an address or a key.
 *
 * <p>Counters are {@link FunctionCounter}s over the owner's own monotonic counts (its stats), so
 * nothing is counted twice.
 */
public final class Meters {

  private final MeterRegistry registry;
  private final List<Meter> owned = new ArrayList<>();
  private final List<Collector> collectors = new ArrayList<>();

  public Meters(MeterRegistry registry) {
    this.registry = registry;
  }

  public MeterRegistry registry() {
    return registry;
  }

  /** A value that goes up and down, read from {@code source} at each scrape. */
  public <T> Meters gauge(String name, String help, Tags tags, T source, ToDoubleFunction<T> value) {
    owned.add(Gauge.builder(name, source, value).description(help).tags(tags).strongReference(true).register(registry));
    return this;
  }

  /** A monotonic count the owner keeps, read from {@code source} at each scrape. */
  public <T> Meters counter(String name, String help, Tags tags, T source, ToDoubleFunction<T> count) {
    owned.add(FunctionCounter.builder(name, source, count).description(help).tags(tags).register(registry));
    return this;
  }

  /**
   * A Prometheus histogram of {@code baseUnit} values with buckets at {@code buckets} (in that unit;
   * a few fixed ones keep the series bounded).
   */
  public DistributionSummary histogram(String name, String help, String baseUnit, Tags tags, double... buckets) {
    DistributionSummary summary = DistributionSummary.builder(name).description(help).baseUnit(baseUnit).tags(tags)
      .serviceLevelObjectives(buckets).register(registry);
    owned.add(summary);
    return summary;
  }

  /**
   * A Prometheus histogram of {@code baseUnit} values whose buckets the owner counts itself (a fixed array
   * incremented on its hot path: cheaper than a Micrometer histogram's {@code record}) and hands over at
   * each scrape: one series per value of {@code labelKey} (a bounded set), series {@code i} read as
   * {@code read.apply(i)} with {@code upperBounds.length + 1} counts. Registered with the Prometheus registry
   * itself, as Micrometer has no meter over buckets counted elsewhere; a registry that is not Prometheus's
   * (none here: {@link MetricsServer} always makes one) gets nothing.
   *
   * @param name Micrometer's dotted name, without the unit ({@code p2pchat.node.rtt} with {@code seconds}
   *             is {@code p2pchat_node_rtt_seconds})
   */
  public Meters countedHistogram(String name, String help, String baseUnit, double[] upperBounds, String labelKey,
                                 List<String> labelValues, IntFunction<BucketCounts> read) {
    if (!(registry instanceof PrometheusMeterRegistry prometheus)) {
      return this;
    }
    double[] bounds = Arrays.copyOf(upperBounds, upperBounds.length + 1);
    bounds[upperBounds.length] = Double.POSITIVE_INFINITY;
    String prometheusName = name.replace('.', '_') + "_" + baseUnit;
    Unit unit = new Unit(baseUnit);
    Collector collector = () -> {
      HistogramSnapshot.Builder snapshot = HistogramSnapshot.builder().name(prometheusName).help(help).unit(unit);
      for (int i = 0; i < labelValues.size(); i++) {
        BucketCounts series = read.apply(i);
        snapshot.dataPoint(HistogramSnapshot.HistogramDataPointSnapshot.builder()
          .classicHistogramBuckets(ClassicHistogramBuckets.of(bounds, series.counts()))
          .sum(series.sum()).labels(Labels.of(labelKey, labelValues.get(i))).build());
      }
      return snapshot.build();
    };
    prometheus.getPrometheusRegistry().register(collector);
    collectors.add(collector);
    return this;
  }

  /** Removes every meter registered here. */
  public void removeAll() {
    for (Meter meter : owned) {
      registry.remove(meter);
    }
    owned.clear();
    if (registry instanceof PrometheusMeterRegistry prometheus) {
      collectors.forEach(prometheus.getPrometheusRegistry()::unregister);
    }
    collectors.clear();
  }
}
