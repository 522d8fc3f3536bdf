package io.p2pchat.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Resident memory of a process from Linux {@code /proc/<pid>/status}: {@code VmRSS} (now) and
 * {@code VmHWM} (the peak, "high water mark"). Both -1 where /proc is missing (not Linux).
 *
 * @param rssKiB  resident set size now
 * @param peakKiB peak resident set size
 */
record ProcStatus(long rssKiB, long peakKiB) {

  static ProcStatus of(long pid) {
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
      return new ProcStatus(rss, hwm);
    } catch (IOException | RuntimeException e) {
      return new ProcStatus(-1, -1);
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
