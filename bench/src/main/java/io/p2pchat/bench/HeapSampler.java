package io.p2pchat.bench;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;

/**
 * Samples the heap in use of this JVM on a timer and keeps the peak: the heap a node really
 * needs under load (a GC resets "used", so the peak between collections is what the run pinned).
 */
final class HeapSampler {

  /** 20 ms: many samples per young-GC cycle under load, negligible cost (one MXBean read). */
  private static final long SAMPLE_MS = 20;
  private static final double MIB = 1024.0 * 1024.0;

  private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
  private long peakUsed;
  private long timer = -1;

  /**
   * CPU time this whole process used so far (every thread: event loops, GC, JIT, logging), or -1
   * where the JVM does not say. Per message, it is a figure a busy shared machine does not distort.
   */
  static long processCpuNanos() {
    return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
      ? os.getProcessCpuTime() : -1;
  }

  /** Milliseconds this JVM's JIT compilers have worked so far (all compiler threads). */
  static long compileMillis() {
    return ManagementFactory.getCompilationMXBean().getTotalCompilationTime();
  }

  void start(Vertx vertx) {
    timer = vertx.setPeriodic(SAMPLE_MS, id -> sample());
  }

  void stop(Vertx vertx) {
    vertx.cancelTimer(timer);
  }

  private void sample() {
    peakUsed = Math.max(peakUsed, memory.getHeapMemoryUsage().getUsed());
  }

  /** {@code heapPeakMiB}, {@code heapCommittedMiB}, {@code gcCount}, {@code gcMillis} of this JVM so far. */
  JsonObject figures() {
    sample();
    JvmCounters gc = JvmCounters.snapshot();
    return new JsonObject()
      .put("heapPeakMiB", Math.round(peakUsed / MIB * 10) / 10.0)
      .put("heapCommittedMiB", Math.round(memory.getHeapMemoryUsage().getCommitted() / MIB * 10) / 10.0)
      .put("gcCount", gc.gcCount())
      .put("gcMillis", gc.gcMillis());
  }
}
