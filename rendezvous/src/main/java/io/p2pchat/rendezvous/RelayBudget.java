package io.p2pchat.rendezvous;

/**
 * The relay bytes each client may send through the rendezvous, so one client cannot exhaust the server's
 * bandwidth: a token bucket of {@code bytesPerSecond} that holds at most one second of budget (enough for
 * a burst of chat, not for a flood), run as the generic cell rate algorithm (GCRA, ITU-T I.371) so a
 * client's state is one long, {@link Registration#relayReadyNanos}, not a bucket object of its own (a
 * rendezvous holds a million of them).
 *
 * <p>{@code relayReadyNanos} is when the client's bucket would be full again if nothing more were sent
 * (the "theoretical arrival time"); a send of {@code b} bytes pushes it {@code b / bytesPerSecond} seconds
 * later, and is refused when that would put it more than {@link #BURST_NANOS} past now: exactly a bucket
 * of one second's bytes refilled at the rate. A new registration's is its registration time: a full bucket.
 * One instance per rendezvous (the rate is the server's option); on the verticle's event loop.
 */
final class RelayBudget {

  private static final long NANOS_PER_SECOND = 1_000_000_000L;
  /** The bucket holds one second of the rate: a burst of chat, not a flood. */
  static final long BURST_NANOS = NANOS_PER_SECOND;

  private final long bytesPerSecond;

  RelayBudget(long bytesPerSecond) {
    if (bytesPerSecond < 1) {
      throw new IllegalArgumentException("bytesPerSecond must be at least 1");
    }
    this.bytesPerSecond = bytesPerSecond;
  }

  /** Takes {@code bytes} from {@code client}'s bucket at {@code nowNanos} if it holds them. */
  boolean tryTake(Registration client, int bytes, long nowNanos) {
    long ready = client.relayReadyNanos;
    if (ready - nowNanos < 0) {
      ready = nowNanos; // full: what was not spent does not accumulate past one second
    }
    // bytes <= 64 KiB, so bytes * 1e9 stays far below 2^63.
    long next = ready + bytes * NANOS_PER_SECOND / bytesPerSecond;
    if (next - nowNanos > BURST_NANOS) {
      return false;
    }
    client.relayReadyNanos = next;
    return true;
  }
}
