package io.p2pchat.bench;

import io.vertx.core.json.JsonObject;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;

/** The bench's output: a table for people, then one {@code name=value} line per figure for scripts. */
final class BenchReport {

  private static final String FLOOD = SizeRun.FLOOD;
  private static final String RTT = SizeRun.RTT;

  private final double rawDatagramsPerSecond;
  private final List<SizeRun> runs;
  private final int relayBytesPerSecond;
  private final long idleMillis;

  BenchReport(double rawDatagramsPerSecond, List<SizeRun> runs, int relayBytesPerSecond, long idleMillis) {
    this.rawDatagramsPerSecond = rawDatagramsPerSecond;
    this.runs = runs;
    this.relayBytesPerSecond = relayBytesPerSecond;
    this.idleMillis = idleMillis;
  }

  void print(PrintStream out) {
    out.println();
    out.printf(Locale.ROOT, "%-11s %12s %9s %9s %9s %8s %8s %8s %9s %9s %9s %9s %9s %s%n",
      "size", "msgs/s", "/core", "MiB/s", "rtt rate", "p50 us", "p99 us", "p99.9 us", "snd RSS", "snd peak", "snd heap",
      "echo RSS", "echo peak", "check");
    for (SizeRun r : runs) {
      JsonObject rtt = r.rtt();
      out.printf(Locale.ROOT, "%-11s %,12.0f %,9.0f %9.1f %9d %8d %8d %8d %9.0f %9.0f %9.0f %9.0f %9.0f %s%n",
        r.label(), r.throughput(), r.perCoreThroughput(), r.mibPerSecond(), rtt.getInteger("rate"), rtt.getLong("p50Us"),
        rtt.getLong("p99Us"), rtt.getLong("p999Us"), r.senderMemory().rssMiB(), r.senderMemory().peakMiB(),
        heap(r.sender()), r.echoMemory().rssMiB(), r.echoMemory().peakMiB(), check(r));
    }
    out.println();
    out.printf(Locale.ROOT, "%-11s %9s %9s %-22s %-22s %-22s %-22s%n", "size", "snd B/msg", "echo B/msg",
      "flood snd GC n/ms/max", "flood echo GC n/ms/max", "rtt snd GC n/ms/max", "rtt echo GC n/ms/max");
    for (SizeRun r : runs) {
      out.printf(Locale.ROOT, "%-11s %,9.0f %,9.0f %-22s %-22s %-22s %-22s%n", r.label(),
        r.allocatedBytesPerMessage(true), r.allocatedBytesPerMessage(false), gc(r.jvm(true, FLOOD)),
        gc(r.jvm(false, FLOOD)), gc(r.jvm(true, RTT)), gc(r.jvm(false, RTT)));
    }
    out.println("(B/msg = bytes allocated per message of the measured flood, all threads of each JVM; GC n/ms/max =");
    out.println(" collections, their total and their longest pause in ms, during the flood and during the round trips)");
    out.printf(Locale.ROOT, "%-11s %,12.0f datagrams/s (raw UDP, 2 threads, window %d, ack every %d)%n",
      "raw", rawDatagramsPerSecond, RawUdpBaseline.WINDOW, RawUdpBaseline.ACK_EVERY);
    for (SizeRun r : runs) {
      if (r.idleSender() != null) {
        out.printf(Locale.ROOT, "idle        sender RSS %.0f MiB, echo RSS %.0f MiB (%s pair connected, nothing sent for %d s)%n",
          r.idleSender().rssMiB(), r.idleEcho().rssMiB(), r.label(), idleMillis / 1000);
      }
    }
    out.println("(/core = msgs/s at one core per node, from CPU time per message; RSS = resident at the end,");
    out.println(" peak = VmHWM, heap = peak heap in use; all MiB)");
    if (runs.stream().anyMatch(r -> !r.direct())) {
      out.printf(Locale.ROOT, "(tls = the sender's UDP blocked: relayed over TLS through the rendezvous, whose relay budget is %,d bytes/s per client)%n",
        relayBytesPerSecond);
    }
    out.printf(Locale.ROOT, "(machine: %d CPUs, load average %.1f: above the CPU count the nodes shared their cores)%n",
      Runtime.getRuntime().availableProcessors(), loadAverage());
    out.println();
    line(out, "raw_udp_datagrams_per_s", rawDatagramsPerSecond, 0);
    line(out, "cpus", Runtime.getRuntime().availableProcessors(), 0);
    line(out, "load_average_1m", loadAverage(), 2);
    line(out, "relay_budget_bytes_per_s", relayBytesPerSecond, 0);
    double maxSenderPeak = 0;
    double maxEchoPeak = 0;
    for (SizeRun r : runs) {
      String s = r.key();
      JsonObject flood = r.flood();
      JsonObject rtt = r.rtt();
      line(out, "throughput_" + s + "_msgs_per_s", r.throughput(), 0);
      line(out, "throughput_" + s + "_MiB_per_s", r.mibPerSecond(), 1);
      line(out, "throughput_" + s + "_messages", flood.getLong("delivered"), 0);
      line(out, "throughput_" + s + "_seconds", flood.getDouble("seconds"), 2);
      line(out, "throughput_" + s + "_failed", flood.getLong("failed") + flood.getLong("rejected"), 0);
      line(out, "received_" + s + "_messages", r.receiver().getLong("count"), 0);
      line(out, "received_" + s + "_out_of_order", r.receiver().getLong("outOfOrder"), 0);
      line(out, "throughput_" + s + "_vs_raw_udp", r.throughput() / rawDatagramsPerSecond, 3);
      line(out, "send_batch_" + s, r.sender().getInteger("batch"), 0);
      JsonObject warmup = r.sender().getJsonObject("warmup");
      line(out, "warmup_" + s + "_s", warmup.getDouble("seconds"), 0);
      line(out, "jit_" + s + "_ms_last_warmup_round", warmup.getLong("lastRoundJitMillis"), 0);
      line(out, "jit_sender_" + s + "_ms_during_flood", flood.getLong("jitMillis"), 0);
      if (r.direct()) {
        // The node counts UDP datagrams; over TLS its packets are WebSocket messages, not counted there.
        line(out, "msgs_per_datagram_" + s, r.messagesPerDatagram(), 1);
        line(out, "acks_per_msg_" + s, r.datagramsInPerMessage(), 3);
      }
      line(out, "cpu_sender_" + s + "_us_per_msg", r.senderCpuMicrosPerMessage(), 1);
      line(out, "cpu_receiver_" + s + "_us_per_msg", r.receiverCpuMicrosPerMessage(), 1);
      line(out, "throughput_" + s + "_per_core_msgs_per_s", r.perCoreThroughput(), 0);
      line(out, "cpu_sender_" + s + "_user_s", r.senderMemory().userMillis() / 1000.0, 1);
      line(out, "cpu_sender_" + s + "_sys_s", r.senderMemory().sysMillis() / 1000.0, 1);
      line(out, "cpu_receiver_" + s + "_user_s", r.echoMemory().userMillis() / 1000.0, 1);
      line(out, "cpu_receiver_" + s + "_sys_s", r.echoMemory().sysMillis() / 1000.0, 1);
      line(out, "rtt_" + s + "_rate_msgs_per_s", rtt.getInteger("rate"), 0);
      line(out, "rtt_" + s + "_samples", rtt.getInteger("samples"), 0);
      line(out, "rtt_" + s + "_lost", rtt.getInteger("sent") - rtt.getInteger("received"), 0);
      line(out, "rtt_" + s + "_p50_us", rtt.getLong("p50Us"), 0);
      line(out, "rtt_" + s + "_p90_us", rtt.getLong("p90Us"), 0);
      line(out, "rtt_" + s + "_p99_us", rtt.getLong("p99Us"), 0);
      line(out, "rtt_" + s + "_p999_us", rtt.getLong("p999Us"), 0);
      line(out, "rtt_" + s + "_max_us", rtt.getLong("maxUs"), 0);
      line(out, "rss_sender_" + s + "_MiB", r.senderMemory().rssMiB(), 1);
      line(out, "rss_peak_sender_" + s + "_MiB", r.senderMemory().peakMiB(), 1);
      line(out, "heap_peak_sender_" + s + "_MiB", heap(r.sender()), 1);
      line(out, "gc_sender_" + s + "_count", r.sender().getJsonObject("memory").getLong("gcCount"), 0);
      line(out, "gc_sender_" + s + "_ms", r.sender().getJsonObject("memory").getLong("gcMillis"), 0);
      for (boolean ofSender : new boolean[] {true, false}) {
        String who = ofSender ? "sender" : "receiver";
        line(out, "alloc_" + who + "_" + s + "_bytes_per_msg", r.allocatedBytesPerMessage(ofSender), 0);
        line(out, "alloc_" + who + "_" + s + "_bytes_per_rtt", r.allocatedBytesPerRoundTrip(ofSender), 0);
        for (String phase : new String[] {FLOOD, RTT}) {
          JsonObject jvm = r.jvm(ofSender, phase);
          line(out, "gc_" + who + "_" + s + "_" + phase + "_count", jvm.getLong("gcCount", -1L), 0);
          line(out, "gc_" + who + "_" + s + "_" + phase + "_ms", jvm.getLong("gcMillis", -1L), 0);
          line(out, "gc_" + who + "_" + s + "_" + phase + "_max_ms", jvm.getLong("gcMaxMillis", -1L), 0);
        }
      }
      line(out, "rss_receiver_" + s + "_MiB", r.echoMemory().rssMiB(), 1);
      line(out, "rss_peak_receiver_" + s + "_MiB", r.echoMemory().peakMiB(), 1);
      line(out, "heap_peak_receiver_" + s + "_MiB", r.receiver().getDouble("heapPeakMiB"), 1);
      maxSenderPeak = Math.max(maxSenderPeak, r.senderMemory().peakMiB());
      maxEchoPeak = Math.max(maxEchoPeak, r.echoMemory().peakMiB());
    }
    for (SizeRun r : runs) {
      if (r.idleSender() != null) {
        line(out, "rss_idle_sender_MiB", r.idleSender().rssMiB(), 1);
        line(out, "rss_idle_receiver_MiB", r.idleEcho().rssMiB(), 1);
      }
    }
    line(out, "rss_sender_MiB", maxSenderPeak, 1);
    line(out, "rss_receiver_MiB", maxEchoPeak, 1);
  }

  /**
   * The machine's 1-minute load average at the end (-1 where unknown): on a shared machine, a
   * load above the CPU count means the nodes got only part of a core and the figures are low.
   */
  private static double loadAverage() {
    return java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
  }

  private static double heap(JsonObject sender) {
    return sender.getJsonObject("memory").getDouble("heapPeakMiB");
  }

  /** {@code collections/total ms/longest ms} of one phase's {@link JvmCounters}. */
  private static String gc(JsonObject jvm) {
    return jvm.getLong("gcCount", -1L) + "/" + jvm.getLong("gcMillis", -1L) + "/" + jvm.getLong("gcMaxMillis", -1L);
  }

  private static String check(SizeRun r) {
    return r.complete() ? "all delivered, in order" : "INCOMPLETE: " + r.flood().encode() + " " + r.receiver().encode();
  }

  private static void line(PrintStream out, String name, double value, int decimals) {
    out.println(name + "=" + String.format(Locale.ROOT, "%." + decimals + "f", value));
  }
}
