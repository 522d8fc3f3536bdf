package io.p2pchat.rendezvous;

/**
 * A token bucket of relay bytes per client, so one client cannot exhaust the server's bandwidth.
 * Holds at most one second of budget: enough for a burst of chat, not for a flood.
 */
final class RelayBudget {

  private static final long NANOS_PER_SECOND = 1_000_000_000L;

  private final long bytesPerSecond;
  private long available;
  private long lastRefillNanos;

  RelayBudget(long bytesPerSecond, long nowNanos) {
    this.bytesPerSecond = bytesPerSecond;
    this.available = bytesPerSecond;
    this.lastRefillNanos = nowNanos;
  }

  /** Takes {@code bytes} from the bucket if it holds them. */
  boolean tryTake(int bytes, long nowNanos) {
    long elapsed = nowNanos - lastRefillNanos;
    if (elapsed > 0) {
      available = Math.min(bytesPerSecond, available + elapsed * bytesPerSecond / NANOS_PER_SECOND);
      lastRefillNanos = nowNanos;
    }
    if (available < bytes) {
      return false;
    }
    available -= bytes;
    return true;
  }
}
