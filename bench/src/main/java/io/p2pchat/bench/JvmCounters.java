package io.p2pchat.bench;

import com.sun.management.GarbageCollectionNotificationInfo;
import io.vertx.core.json.JsonObject;

import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What one phase of a run (the measured flood, the round trips) cost this JVM in memory: the bytes
 * its threads allocated, the garbage collections and the time they took, and the longest of them.
 * Taken as a snapshot at the phase's start; {@link #since} gives the differences at its end.
 *
 * <p>Allocation is summed over the live threads ({@code com.sun.management.ThreadMXBean}, the JVM's
 * TLAB accounting, exact to the byte): a thread that ends within the phase takes its bytes with it,
 * which a node's long-lived event loops and the GC never do. Collection time is what the
 * collectors' MXBeans count, for the serial collector (the node's) and G1's young and mixed
 * collections the stop-the-world pauses; the longest pause comes from the JVM's GC notifications.
 *
 * @param allocatedBytes bytes allocated by the live threads so far
 * @param gcCount        collections so far, every collector
 * @param gcMillis       milliseconds of collection so far, every collector
 */
record JvmCounters(long allocatedBytes, long gcCount, long gcMillis) {

  /** The longest GC pause since the last {@link #now()}, ms; -1 until a notification arrives. */
  private static final AtomicLong LONGEST_PAUSE_MS = new AtomicLong(-1);
  private static final boolean LISTENING = listen();

  /** This JVM's counters now; the longest-pause tracking starts over from here. */
  static JvmCounters now() {
    LONGEST_PAUSE_MS.set(LISTENING ? 0 : -1);
    return snapshot();
  }

  static JvmCounters snapshot() {
    long count = 0;
    long millis = 0;
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      count += Math.max(0, gc.getCollectionCount());
      millis += Math.max(0, gc.getCollectionTime());
    }
    return new JvmCounters(allocatedSoFar(), count, millis);
  }

  /**
   * The phase since {@code this} snapshot: {@code allocatedBytes}, {@code gcCount}, {@code gcMillis},
   * {@code gcMaxMillis} (-1 where the JVM sends no GC notifications).
   */
  JsonObject since() {
    JvmCounters end = snapshot();
    return new JsonObject()
      .put("allocatedBytes", end.allocatedBytes - allocatedBytes)
      .put("gcCount", end.gcCount - gcCount)
      .put("gcMillis", end.gcMillis - gcMillis)
      .put("gcMaxMillis", LONGEST_PAUSE_MS.get());
  }

  /** Bytes the live threads of this JVM allocated so far, or -1 where the JVM does not count them. */
  private static long allocatedSoFar() {
    if (!(ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean threads)
      || !threads.isThreadAllocatedMemorySupported() || !threads.isThreadAllocatedMemoryEnabled()) {
      return -1;
    }
    long total = 0;
    for (long bytes : threads.getThreadAllocatedBytes(threads.getAllThreadIds())) {
      total += Math.max(0, bytes);
    }
    return total;
  }

  /** Keeps {@link #LONGEST_PAUSE_MS} from the collectors' notifications; false where there are none. */
  private static boolean listen() {
    boolean any = false;
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      if (gc instanceof NotificationEmitter emitter) {
        emitter.addNotificationListener((notification, handback) -> {
          if (GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(notification.getType())) {
            long ms = GarbageCollectionNotificationInfo.from((CompositeData) notification.getUserData()).getGcInfo()
              .getDuration();
            LONGEST_PAUSE_MS.accumulateAndGet(ms, Math::max);
          }
        }, null, null);
        any = true;
      }
    }
    return any;
  }
}
