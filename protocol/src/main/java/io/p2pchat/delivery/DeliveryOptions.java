package io.p2pchat.delivery;

import io.p2pchat.wire.frame.FrameCodec;
import java.util.concurrent.TimeUnit;

/**
 * Limits and timings of one peer's reliable stream. Setters validate at once and are fluent; the
 * streams copy nothing, so do not change an options object a stream is using.
 */
public final class DeliveryOptions {

  /** Largest message: 64 KiB, the PROTOCOL.md limit; a chat line is far smaller. */
  public static final int DEFAULT_MAX_MESSAGE_BYTES = 64 * 1024;
  /**
   * Bytes available for frames in one DATA packet: 1176 (max peer packet) - 16 (header) - 16 (AEAD
   * tag) = 1144, minus 44 bytes of slack for later header growth.
   */
  public static final int DEFAULT_PACKET_FRAME_BUDGET = 1100;
  /**
   * Data bytes per fragment: 1024 leaves 1100 - 11 (MSG header) - 1024 = 65 bytes, enough for an ACK
   * with 6 ranges to ride with a full fragment, and makes a 64 KiB message exactly 64 fragments.
   */
  public static final int DEFAULT_FRAGMENT_PAYLOAD_BYTES = 1024;
  /**
   * Most fragments offered but not yet acked: 1024 is ~100 packets of coalesced 100-byte messages,
   * enough to keep a 50 ms path busy at ~20k packets/s; also the size of the sender's ring.
   */
  public static final int DEFAULT_MAX_UNACKED_FRAGMENTS = 1024;
  /** Most message bytes offered but not yet acked: 1 MiB bounds the memory one peer can pin. */
  public static final int DEFAULT_MAX_UNACKED_BYTES = 1024 * 1024;
  /**
   * Most fragments the receiver holds beyond its in-order point: the sender's window, so a sender
   * using the defaults is never dropped for being out of order.
   */
  public static final int DEFAULT_RECEIVE_HOLDBACK_FRAGMENTS = 1024;
  /** Most bytes the receiver holds for reassembly and reordering (same bound as the send side). */
  public static final int DEFAULT_RECEIVE_HOLDBACK_BYTES = 1024 * 1024;
  /** RTO floor: 30 ms. Chat paths are LAN/Internet RTTs, not RFC 6298's conservative 1 s. */
  public static final long DEFAULT_RTO_MIN_NANOS = TimeUnit.MILLISECONDS.toNanos(30);
  /** RTO ceiling: 3 s, so a recovered path is noticed within seconds, not minutes. */
  public static final long DEFAULT_RTO_MAX_NANOS = TimeUnit.SECONDS.toNanos(3);
  /** RTO before any sample: 200 ms, above most Internet RTTs, far below RFC 6298's 1 s. */
  public static final long DEFAULT_INITIAL_RTO_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
  /** A message not acked 30 s after {@code offer} fails: a user waits no longer for a chat line. */
  public static final long DEFAULT_DELIVERY_DEADLINE_NANOS = TimeUnit.SECONDS.toNanos(30);
  /** An ACK waits at most 5 ms to ride on data: small next to the 30 ms RTO floor. */
  public static final long DEFAULT_ACK_DELAY_NANOS = TimeUnit.MILLISECONDS.toNanos(5);
  /**
   * ACK at once after this many in-order fragments (two packets of ~10 coalesced 100-byte messages,
   * like TCP's ack-every-second-segment), so a one-way flood is not paced by the ack delay.
   */
  public static final int DEFAULT_ACK_EVERY_FRAGMENTS = 20;
  /** A fragment is lost when 3 fragments sent after it were acked (TCP/QUIC packet threshold). */
  public static final int DEFAULT_FAST_RETRANSMIT_THRESHOLD = 3;

  private int maxMessageBytes = DEFAULT_MAX_MESSAGE_BYTES;
  private int packetFrameBudget = DEFAULT_PACKET_FRAME_BUDGET;
  private int fragmentPayloadBytes = DEFAULT_FRAGMENT_PAYLOAD_BYTES;
  private int maxUnackedFragments = DEFAULT_MAX_UNACKED_FRAGMENTS;
  private int maxUnackedBytes = DEFAULT_MAX_UNACKED_BYTES;
  private int receiveHoldbackFragments = DEFAULT_RECEIVE_HOLDBACK_FRAGMENTS;
  private int receiveHoldbackBytes = DEFAULT_RECEIVE_HOLDBACK_BYTES;
  private long rtoMinNanos = DEFAULT_RTO_MIN_NANOS;
  private long rtoMaxNanos = DEFAULT_RTO_MAX_NANOS;
  private long initialRtoNanos = DEFAULT_INITIAL_RTO_NANOS;
  private long deliveryDeadlineNanos = DEFAULT_DELIVERY_DEADLINE_NANOS;
  private long ackDelayNanos = DEFAULT_ACK_DELAY_NANOS;
  private int ackEveryFragments = DEFAULT_ACK_EVERY_FRAGMENTS;
  private int fastRetransmitThreshold = DEFAULT_FAST_RETRANSMIT_THRESHOLD;

  public DeliveryOptions() {
  }

  public DeliveryOptions(DeliveryOptions other) {
    maxMessageBytes = other.maxMessageBytes;
    packetFrameBudget = other.packetFrameBudget;
    fragmentPayloadBytes = other.fragmentPayloadBytes;
    maxUnackedFragments = other.maxUnackedFragments;
    maxUnackedBytes = other.maxUnackedBytes;
    receiveHoldbackFragments = other.receiveHoldbackFragments;
    receiveHoldbackBytes = other.receiveHoldbackBytes;
    rtoMinNanos = other.rtoMinNanos;
    rtoMaxNanos = other.rtoMaxNanos;
    initialRtoNanos = other.initialRtoNanos;
    deliveryDeadlineNanos = other.deliveryDeadlineNanos;
    ackDelayNanos = other.ackDelayNanos;
    ackEveryFragments = other.ackEveryFragments;
    fastRetransmitThreshold = other.fastRetransmitThreshold;
  }

  /**
   * Checks the relations between fields (each setter checks its own range): a max-size message must
   * fit the windows and a max-size fragment a packet.
   *
   * @throws IllegalArgumentException naming the first violated relation
   */
  public DeliveryOptions validate() {
    int fragments = maxFragmentsPerMessage();
    require(FrameCodec.MSG_HEADER_BYTES + fragmentPayloadBytes <= packetFrameBudget,
        "fragmentPayloadBytes + MSG header must fit packetFrameBudget");
    require(FrameCodec.ackSize(FrameCodec.MAX_ACK_RANGES) <= packetFrameBudget, "packetFrameBudget below a full ACK");
    require(fragments <= maxUnackedFragments, "a max-size message must fit maxUnackedFragments");
    require(fragments <= receiveHoldbackFragments, "a max-size message must fit receiveHoldbackFragments");
    require(maxMessageBytes <= maxUnackedBytes, "a max-size message must fit maxUnackedBytes");
    require(maxMessageBytes <= receiveHoldbackBytes, "a max-size message must fit receiveHoldbackBytes");
    require(rtoMinNanos <= initialRtoNanos && initialRtoNanos <= rtoMaxNanos, "need rtoMin <= initialRto <= rtoMax");
    return this;
  }

  /** Fragments of a max-size message. */
  public int maxFragmentsPerMessage() {
    return Math.max(1, (maxMessageBytes + fragmentPayloadBytes - 1) / fragmentPayloadBytes);
  }

  private static void require(boolean ok, String what) {
    if (!ok) {
      throw new IllegalArgumentException(what);
    }
  }

  private static int positive(int v, int max, String name) {
    if (v < 1 || v > max) {
      throw new IllegalArgumentException(name + " must be in 1.." + max + ": " + v);
    }
    return v;
  }

  private static long positive(long v, String name) {
    if (v <= 0) {
      throw new IllegalArgumentException(name + " must be > 0: " + v);
    }
    return v;
  }

  /** Ring sizes are powers of two; 2^24 fragments is far beyond any sane window. */
  private static final int MAX_RING = 1 << 24;

  public int getMaxMessageBytes() { return maxMessageBytes; }
  public DeliveryOptions setMaxMessageBytes(int v) { maxMessageBytes = positive(v, 16 * 1024 * 1024, "maxMessageBytes"); return this; }
  public int getPacketFrameBudget() { return packetFrameBudget; }
  public DeliveryOptions setPacketFrameBudget(int v) { packetFrameBudget = positive(v, 65_507, "packetFrameBudget"); return this; }
  public int getFragmentPayloadBytes() { return fragmentPayloadBytes; }
  public DeliveryOptions setFragmentPayloadBytes(int v) { fragmentPayloadBytes = positive(v, FrameCodec.MAX_U16, "fragmentPayloadBytes"); return this; }
  public int getMaxUnackedFragments() { return maxUnackedFragments; }
  public DeliveryOptions setMaxUnackedFragments(int v) { maxUnackedFragments = positive(v, MAX_RING, "maxUnackedFragments"); return this; }
  public int getMaxUnackedBytes() { return maxUnackedBytes; }
  public DeliveryOptions setMaxUnackedBytes(int v) { maxUnackedBytes = positive(v, Integer.MAX_VALUE, "maxUnackedBytes"); return this; }
  public int getReceiveHoldbackFragments() { return receiveHoldbackFragments; }
  public DeliveryOptions setReceiveHoldbackFragments(int v) { receiveHoldbackFragments = positive(v, MAX_RING, "receiveHoldbackFragments"); return this; }
  public int getReceiveHoldbackBytes() { return receiveHoldbackBytes; }
  public DeliveryOptions setReceiveHoldbackBytes(int v) { receiveHoldbackBytes = positive(v, Integer.MAX_VALUE, "receiveHoldbackBytes"); return this; }
  public long getRtoMinNanos() { return rtoMinNanos; }
  public DeliveryOptions setRtoMinNanos(long v) { rtoMinNanos = positive(v, "rtoMinNanos"); return this; }
  public long getRtoMaxNanos() { return rtoMaxNanos; }
  public DeliveryOptions setRtoMaxNanos(long v) { rtoMaxNanos = positive(v, "rtoMaxNanos"); return this; }
  public long getInitialRtoNanos() { return initialRtoNanos; }
  public DeliveryOptions setInitialRtoNanos(long v) { initialRtoNanos = positive(v, "initialRtoNanos"); return this; }
  public long getDeliveryDeadlineNanos() { return deliveryDeadlineNanos; }
  public DeliveryOptions setDeliveryDeadlineNanos(long v) { deliveryDeadlineNanos = positive(v, "deliveryDeadlineNanos"); return this; }
  public long getAckDelayNanos() { return ackDelayNanos; }
  public DeliveryOptions setAckDelayNanos(long v) {
    if (v < 0) {
      throw new IllegalArgumentException("ackDelayNanos must be >= 0: " + v);
    }
    ackDelayNanos = v;
    return this;
  }
  public int getAckEveryFragments() { return ackEveryFragments; }
  public DeliveryOptions setAckEveryFragments(int v) { ackEveryFragments = positive(v, MAX_RING, "ackEveryFragments"); return this; }
  public int getFastRetransmitThreshold() { return fastRetransmitThreshold; }
  public DeliveryOptions setFastRetransmitThreshold(int v) { fastRetransmitThreshold = positive(v, MAX_RING, "fastRetransmitThreshold"); return this; }
}
