package io.p2pchat.punch;

/**
 * What the node's sessions did, counted where it happens (one increment, nothing else on the path of
 * a message), for its meters ({@link NodeMetrics}). Lives on PunchVerticle's event loop only: the
 * meters read a copy it publishes ({@link #copy()}).
 */
final class NodeCounts {

  /** One monotonic count each; the meters' labels come from these names (a bounded set). */
  enum Count {
    /** Chat messages ChatVerticle handed over to be sent (to one peer or the room). */
    SENT,
    /** Chat messages that arrived from peers. */
    RECEIVED,
    /** Messages a peer acknowledged. */
    DELIVERED,
    /** Messages that could not be delivered (and were not queued at the rendezvous instead). */
    FAILED,
    /** Handshakes that secured a session. */
    HANDSHAKE_SECURED,
    /** Handshakes that failed. */
    HANDSHAKE_FAILED,
    /** Punches that found a direct path. */
    PUNCH_DIRECT,
    /** Punches whose window closed with no direct path. */
    PUNCH_FAILED,
    /** DATA fragments the reliable-delivery layer sent again (lost by the packet threshold or the timeout). */
    RETRANSMISSION
  }

  private final long[] counts = new long[Count.values().length];
  /** Round trips by path kind, bucketed for the histogram. */
  private final RttBuckets rtt = new RttBuckets();

  void count(Count what) {
    counts[what.ordinal()]++;
  }

  /** Where round trips are counted. */
  RttBuckets rtt() {
    return rtt;
  }

  /** A copy of every count, indexed by {@link Count#ordinal()}. */
  long[] copy() {
    return counts.clone();
  }
}
