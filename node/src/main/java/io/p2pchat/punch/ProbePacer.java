package io.p2pchat.punch;

import io.p2pchat.common.RateLimiter;
import io.p2pchat.wire.Endpoint;
import io.vertx.core.json.JsonObject;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * How fast this node may send probes ({@code punch} and {@code punched}, not the relay's): a global
 * token bucket of probes, and a byte budget per destination {@code ip:port} per window, so that no
 * address receives more than {@link #DESTINATION_BYTES_PER_WINDOW} probe bytes per
 * {@link #DESTINATION_WINDOW_NANOS} from this node whatever the room, the introductions or forged
 * punches ask for. A probe over either is not sent, and counted. Pure state: time passed in; lives on
 * PunchVerticle's event loop.
 */
final class ProbePacer {

  /**
   * Probes at once: a newcomer's first round in a room of a hundred (up to three candidates each:
   * a LAN one, the public one, a peer-reflexive one... plus the answers to their punches) fits.
   */
  static final int BURST_PROBES = 512;
  /**
   * Probes per second, steady: that round repeated at the punch rounds' densest (100, 200, 400 ms
   * apart) is about 2.5 rounds a second for a room of a hundred; ~20 KB/s of ~80-byte probes at most.
   */
  static final int PROBES_PER_SECOND = 256;
  /** The per-destination window: the default punch window, the time one round of punching takes. */
  static final long DESTINATION_WINDOW_NANOS = TimeUnit.SECONDS.toNanos(5);
  /**
   * Probe bytes to one {@code ip:port} per window: a whole punch window to a peer both ways (8
   * punches of each of two kinds naming the same address, as on loopback, and 8 answers: 24 probes
   * of at most ~100 bytes, 2400) with room for a keep-alive and a triggered check or two.
   */
  static final int DESTINATION_BYTES_PER_WINDOW = 4096;
  /** Destinations remembered at most (~100 bytes each); the least recently probed is forgotten. */
  static final int MAX_DESTINATIONS = 4096;

  private static final Object GLOBAL = "probes";

  private final RateLimiter global = new RateLimiter(PROBES_PER_SECOND, BURST_PROBES, 1);
  /** Destination → {window start, bytes sent in it}, least recently probed first. */
  private final Map<Endpoint, long[]> destinations = new LinkedHashMap<>(16, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<Endpoint, long[]> eldest) {
      return size() > MAX_DESTINATIONS;
    }
  };
  private long overDestination;
  private long overGlobal;

  /** Takes {@code bytes} to {@code to} at {@code now}; false (counted) when the probe must not be sent. */
  boolean tryTake(Endpoint to, int bytes, long now) {
    long[] window = destinations.get(to);
    if (window != null && now - window[0] >= DESTINATION_WINDOW_NANOS) {
      window[0] = now;
      window[1] = 0;
    }
    if (window != null && window[1] + bytes > DESTINATION_BYTES_PER_WINDOW) {
      overDestination++;
      return false;
    }
    if (!global.tryAcquire(GLOBAL, now)) {
      overGlobal++;
      return false;
    }
    if (window == null) {
      window = new long[] {now, 0};
      destinations.put(to, window);
    }
    window[1] += bytes;
    return true;
  }

  /** {@code {"overDestination": N, "overRate": N}}: probes not sent, by reason. */
  JsonObject toJson() {
    return new JsonObject().put("overDestination", overDestination).put("overRate", overGlobal);
  }
}
