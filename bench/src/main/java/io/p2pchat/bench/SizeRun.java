package io.p2pchat.bench;

import io.vertx.core.json.JsonObject;

/**
 * The figures of one message size: what the sender driver and the echo driver reported, and the
 * resident memory of both processes at the end of the run.
 */
record SizeRun(int size, JsonObject sender, JsonObject receiver, ProcStatus senderMemory, ProcStatus echoMemory) {

  private static final double MIB = 1024.0 * 1024.0;

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

  /** True when every flood message was acknowledged, and received once and in order. */
  boolean complete() {
    JsonObject warmup = sender.getJsonObject("warmup");
    long sent = warmup.getLong("messages") + flood().getLong("messages");
    long delivered = warmup.getLong("delivered") + flood().getLong("delivered");
    return delivered == sent && receiver.getLong("count") == sent && receiver.getLong("outOfOrder") == 0;
  }
}
