package io.p2pchat.bench;

import io.vertx.core.json.JsonObject;

/**
 * The figures of one message size on one path: what the sender driver and the echo driver reported,
 * and the resident memory of both processes at the end of the run (and after the idle part, if it had one).
 *
 * @param path {@link #DIRECT} or {@link #RELAYED_OVER_TLS}
 * @param idleSender the sender's memory at the end of the idle part, or null (no idle part)
 * @param idleEcho   the echo node's, likewise
 */
record SizeRun(int size, String path, JsonObject sender, JsonObject receiver, ProcStatus senderMemory, ProcStatus echoMemory,
               ProcStatus idleSender, ProcStatus idleEcho) {

  /** A direct UDP path between the two nodes. */
  static final String DIRECT = "direct";
  /** The sender's UDP is blocked: it reaches the rendezvous over TLS, and the echo node through its relay. */
  static final String RELAYED_OVER_TLS = "relayed over TLS";
  /**
   * Direct, with an application in each node consuming every {@code chat.sent}, {@code chat.delivered} and
   * {@code chat.received} through the typed API ({@link TypedAppVerticle}): what a bot or bridge pays.
   */
  static final String TYPED_APP = "typed app";
  /**
   * Direct, the nodes with {@code events.perMessage: false} and the drivers on the batched event addresses:
   * the per-message events are not published, nobody being subscribed to them.
   */
  static final String BATCHED = "batched events";

  /** The phases {@link #jvm} tells apart: the measured flood, the round trips. */
  static final String FLOOD = "flood";
  static final String RTT = "rtt";

  private static final double MIB = 1024.0 * 1024.0;

  /** The row's name in the table: {@code 100 B}, or {@code 100 B tls} / {@code typed} / {@code batched}. */
  String label() {
    return size + " B" + suffix(" ");
  }

  /** The figure names' stem: {@code 100B}, or {@code 100B_tls} / {@code _typed} / {@code _batched}. */
  String key() {
    return size + "B" + suffix("_");
  }

  private String suffix(String separator) {
    return switch (path) {
      case RELAYED_OVER_TLS -> separator + "tls";
      case TYPED_APP -> separator + "typed";
      case BATCHED -> separator + "batched";
      default -> "";
    };
  }

  /** True when the two nodes talk over a direct UDP path (every kind but {@link #RELAYED_OVER_TLS}). */
  boolean direct() {
    return !path.equals(RELAYED_OVER_TLS);
  }

  JsonObject flood() {
    return sender.getJsonObject("flood");
  }

  JsonObject rtt() {
    return sender.getJsonObject("rtt");
  }

  /** Acknowledged messages per second of the measured flood. */
  double throughput() {
    return flood().getLong("delivered") / flood().getDouble("seconds");
  }

  double mibPerSecond() {
    return throughput() * size / MIB;
  }

  /**
   * Messages of the measured flood per datagram the sender sent (data, acks, keep-alives): above
   * 1 when coalescing packs a burst into shared packets.
   */
  double messagesPerDatagram() {
    return flood().getLong("delivered") / (double) Math.max(1, flood().getLong("datagramsOut"));
  }

  /** Datagrams the sender received (acks) per message of the measured flood. */
  double datagramsInPerMessage() {
    return flood().getLong("datagramsIn") / (double) Math.max(1, flood().getLong("delivered"));
  }

  /** CPU microseconds the sender process spent per acknowledged message of the measured flood. */
  double senderCpuMicrosPerMessage() {
    return flood().getLong("cpuMicros") / (double) Math.max(1, flood().getLong("delivered"));
  }

  /** CPU microseconds the echo process spent per message of the measured flood (mark to end). */
  double receiverCpuMicrosPerMessage() {
    return sender.getJsonObject("receiver").getLong("cpuMicros") / (double) Math.max(1, flood().getLong("delivered"));
  }

  /**
   * Messages per second one core per node would carry: the busier side's CPU cost per message
   * inverted. Unlike the wall-clock rate it does not fall when other work shares the machine.
   */
  double perCoreThroughput() {
    return 1e6 / Math.max(senderCpuMicrosPerMessage(), receiverCpuMicrosPerMessage());
  }

  /**
   * Allocation and GC of one process in one phase ({@link JvmCounters#since}): {@code flood} or {@code rtt} of
   * the {@code sender} or, when false, the echo node; an empty object where the driver did not report it.
   */
  JsonObject jvm(boolean ofSender, String phase) {
    JsonObject figures = phase.equals(FLOOD)
      ? (ofSender ? flood() : sender.getJsonObject("receiver")).getJsonObject("jvm")
      : ofSender ? rtt().getJsonObject("jvm") : receiver.getJsonObject("rttJvm");
    return figures == null ? new JsonObject() : figures;
  }

  /** Bytes a process allocated per message of the measured flood (each side: its whole JVM). */
  double allocatedBytesPerMessage(boolean ofSender) {
    return jvm(ofSender, FLOOD).getLong("allocatedBytes", -1L) / (double) Math.max(1, flood().getLong("delivered"));
  }

  /** Bytes a process allocated per round trip sent (both of its messages, the timer ticks, the warm-up's share). */
  double allocatedBytesPerRoundTrip(boolean ofSender) {
    return jvm(ofSender, RTT).getLong("allocatedBytes", -1L) / (double) Math.max(1, rtt().getInteger("sent"));
  }

  /** True when every flood message was acknowledged, and received once and in order. */
  boolean complete() {
    JsonObject warmup = sender.getJsonObject("warmup");
    long sent = warmup.getLong("messages") + flood().getLong("messages");
    long delivered = warmup.getLong("delivered") + flood().getLong("delivered");
    return delivered == sent && receiver.getLong("count") == sent && receiver.getLong("outOfOrder") == 0;
  }
}
