package io.p2pchat.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The live heap of another JVM: {@code jcmd PID GC.run} (a full collection), then {@code jcmd PID
 * GC.heap_info}, summing the {@code used} of the heap's lines (G1's one "garbage-first heap" line, or
 * the generations of the serial and parallel collectors), not Metaspace's. What is left after a full
 * collection is what the process holds, so per registration it is a figure a GC's timing does not blur.
 */
final class HeapAfterGc {

  /** Two jcmd calls on a busy 2-core machine: a full GC of a 1 GiB heap takes a few seconds at most. */
  private static final long JCMD_TIMEOUT_SECONDS = 120;
  private static final Pattern USED = Pattern.compile("used (\\d+)K");

  private HeapAfterGc() {
  }

  /** KiB of heap in use in process {@code pid} right after a full GC; -1 when jcmd could not say. */
  static long usedKiB(long pid) {
    try {
      jcmd(pid, "GC.run");
      long used = 0;
      boolean found = false;
      for (String line : jcmd(pid, "GC.heap_info").lines().toList()) {
        if (line.strip().startsWith("Metaspace") || line.strip().startsWith("class space")) {
          break;
        }
        Matcher m = USED.matcher(line);
        if (line.contains("total") && m.find()) {
          used += Long.parseLong(m.group(1));
          found = true;
        }
      }
      return found ? used : -1;
    } catch (IOException | InterruptedException e) {
      return -1;
    }
  }

  private static String jcmd(long pid, String command) throws IOException, InterruptedException {
    Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    Process p = new ProcessBuilder(List.of(jcmd.toString(), Long.toString(pid), command))
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(JCMD_TIMEOUT_SECONDS, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException("jcmd " + pid + " " + command + " failed: " + out);
    }
    return out;
  }
}
