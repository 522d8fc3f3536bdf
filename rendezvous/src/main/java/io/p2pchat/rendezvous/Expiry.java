package io.p2pchat.rendezvous;

import io.p2pchat.common.NodeLog;
import io.p2pchat.rendezvous.cluster.RendezvousDirectory;

import java.util.concurrent.TimeUnit;

/**
 * Ends the registrations of clients silent for longer than the TTL (no keep-alive, nor for a client
 * of another instance a refresh from it) and tells their rooms; clustered, it also refreshes the
 * other instances' view of our clients. The verticle calls {@link #sweep} every {@link #intervalMillis}.
 */
final class Expiry {

  /** Sweeps per TTL: a quarter TTL between sweeps keeps expiry within 25% late. */
  private static final long SWEEPS_PER_TTL = 4;
  /** The shortest interval between sweeps, so that a tiny TTL (tests) never makes the timer spin. */
  private static final long MIN_INTERVAL_MS = 100;

  private final Registry registry;
  private final RendezvousDirectory directory;
  private final Introductions introductions;
  private final NodeLog log;
  private final int ttlSeconds;
  private final long ttlNanos;

  Expiry(int ttlSeconds, Registry registry, RendezvousDirectory directory, Introductions introductions, NodeLog log) {
    this.registry = registry;
    this.directory = directory;
    this.introductions = introductions;
    this.log = log;
    this.ttlSeconds = ttlSeconds;
    this.ttlNanos = TimeUnit.SECONDS.toNanos(ttlSeconds);
  }

  /** How often to {@link #sweep}. */
  long intervalMillis() {
    return Math.max(MIN_INTERVAL_MS, TimeUnit.NANOSECONDS.toMillis(ttlNanos / SWEEPS_PER_TTL));
  }

  /** Expires every registration silent at {@code nowNanos} for longer than the TTL. */
  void sweep(long nowNanos) {
    for (Registration r : registry.expire(nowNanos, ttlNanos)) {
      if (r.isLocal()) {
        directory.depart(ClusterMembers.toMember(r, directory.self()));
      }
      log.info("{} expired (no keep-alive for {} s{})", r.nick, ttlSeconds,
        r.isLocal() ? "" : ", nor a refresh from its instance");
      introductions.announceGone(null, r);
    }
    if (directory.clustered()) {
      directory.refresh(registry.local().stream().map(r -> ClusterMembers.toMember(r, directory.self())).toList());
    }
  }
}
