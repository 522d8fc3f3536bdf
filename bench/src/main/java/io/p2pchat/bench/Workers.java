package io.p2pchat.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/** Runs one task per thread, waits for all of them until a deadline, and times the whole. */
final class Workers {

  /** One worker's job; {@code thread} is its number, 0 .. threads-1. */
  interface Task {
    void run(int thread) throws Exception;
  }

  /**
   * Workers check the deadline between requests; one started just before it may still retry for
   * a while (5 attempts of two 2 s round trips at most): wait this much longer before giving up.
   */
  static final long GRACE_NANOS = TimeUnit.SECONDS.toNanos(30);

  private Workers() {}

  /** Runs {@code task} on {@code threads} threads; returns the seconds until the last one ended. */
  static double timed(int threads, long deadlineNanos, Task task) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    long start = System.nanoTime();
    try {
      List<Future<Void>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        done.add(pool.submit(() -> {
          task.run(thread);
          return null;
        }));
      }
      for (Future<Void> f : done) {
        f.get(Math.max(1, deadlineNanos + GRACE_NANOS - System.nanoTime()), TimeUnit.NANOSECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    return (System.nanoTime() - start) / 1e9;
  }
}
