package io.p2pchat.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Resident memory of a process from Linux {@code /proc/<pid>/status}: {@code VmRSS} (now) and
 * {@code VmHWM} (the peak, "high water mark"), and its CPU time so far split into user and kernel
 * from {@code /proc/<pid>/stat}. All -1 where /proc is missing (not Linux).
 *
 * @param rssKiB     resident set size now
 * @param peakKiB    peak resident set size
 * @param userMillis CPU time in user mode since the process started
 * @param sysMillis  CPU time in the kernel (system calls, wake-ups, fsync) since it started
 */
record ProcStatus(long rssKiB, long peakKiB, long userMillis, long sysMillis) {

  /** USER_HZ, the unit of /proc/<pid>/stat times: 100 on every Linux architecture Java runs on. */
  private static final long TICKS_PER_SECOND = 100;
  /** utime and stime: fields 14 and 15 of /proc/<pid>/stat, i.e. 11 and 12 after the ")" of the name. */
  private static final int UTIME_AFTER_NAME = 11;
  private static final int STIME_AFTER_NAME = 12;

  static ProcStatus of(long pid) {
    ProcStatus memory = memory(pid);
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      long user = Long.parseLong(fields[UTIME_AFTER_NAME]) * 1000 / TICKS_PER_SECOND;
      long sys = Long.parseLong(fields[STIME_AFTER_NAME]) * 1000 / TICKS_PER_SECOND;
      return new ProcStatus(memory.rssKiB, memory.peakKiB, user, sys);
    } catch (IOException | RuntimeException e) {
      return memory;
    }
  }

  private static ProcStatus memory(long pid) {
    try {
      long rss = -1;
      long hwm = -1;
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
        if (line.startsWith("VmRSS:")) {
          rss = kib(line);
        } else if (line.startsWith("VmHWM:")) {
          hwm = kib(line);
        }
      }
      return new ProcStatus(rss, hwm, -1, -1);
    } catch (IOException | RuntimeException e) {
      return new ProcStatus(-1, -1, -1, -1);
    }
  }

  /** "VmRSS:     123456 kB" → 123456. */
  private static long kib(String line) {
    return Long.parseLong(line.substring(line.indexOf(':') + 1).replace("kB", "").trim());
  }

  double rssMiB() {
    return rssKiB < 0 ? -1 : rssKiB / 1024.0;
  }

  double peakMiB() {
    return peakKiB < 0 ? -1 : peakKiB / 1024.0;
  }
}
