package io.p2pchat.rendezvous;

import io.p2pchat.common.NodeLog;
import io.p2pchat.common.Plural;
import io.p2pchat.wire.DropCounters;
import io.p2pchat.wire.DropReason;
import io.vertx.core.json.JsonObject;

/**
 * Dropped datagrams: counted by reason, each logged at a bounded rate, and summed up in one INFO
 * line every {@link #INTERVAL_MS} when there were any, so a flood never floods the log.
 */
final class DropReport {

  /** How often the verticle asks for the summary line: once a minute reads well and costs nothing. */
  static final long INTERVAL_MS = 60_000;

  private final DropCounters drops = new DropCounters();
  private final NodeLog log;
  private JsonObject reported = new JsonObject();

  DropReport(NodeLog log) {
    this.log = log;
  }

  /** Counts {@code ex} as dropped for {@code reason}; {@code detail} goes to the (rate-limited) log line. */
  void drop(Exchange ex, DropReason reason, String detail) {
    drops.count(reason);
    ex.dropped();
    log.warnRateLimited(reason.label(), "dropped {} bytes from {}: {} ({})", ex.bytesIn, ex.from, reason.label(), detail);
  }

  /** Logs the drops since the last report, if there were any, with the rate limiters' sizes. */
  void report(int trackedSources, int trackedHosts) {
    JsonObject now = drops.toJson();
    if (now.getLong("total") == reported.getLong("total", 0L)) {
      return;
    }
    JsonObject delta = new JsonObject();
    now.forEach(e -> delta.put(e.getKey(), ((Number) e.getValue()).longValue() - reported.getLong(e.getKey(), 0L)));
    log.info("dropped since the last report: {} (limiter tracks {}, {})", delta.encode(),
      Plural.of(trackedSources, "source"), Plural.of(trackedHosts, "host"));
    reported = now;
  }

  /** Datagrams dropped for {@code reason} since start. */
  long count(DropReason reason) {
    return drops.get(reason);
  }

  /** The counts since start, by reason, and their {@code total}. */
  JsonObject toJson() {
    return drops.toJson();
  }
}
