package io.p2pchat.metrics;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;

import java.util.ArrayList;
import java.util.List;
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

  /** Removes every meter registered here. */
  public void removeAll() {
    for (Meter meter : owned) {
      registry.remove(meter);
    }
    owned.clear();
  }
}
