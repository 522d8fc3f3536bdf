package io.p2pchat.common;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A logger that stamps every line with its node's name and file (MDC {@code node} and
 * {@code logFile}), so several nodes can share one JVM (as the tests do) and still each write
 * {@code <logDir>/<node>.log}. Vert.x event loops are shared between verticles, so the MDC is
 * checked at each call (and set when another node's line left other values) rather than once per
 * thread.
 */
public final class NodeLog {

  /** At most one line per reason in this period for a flood of bad datagrams. */
  private static final long RATE_LIMIT_NANOS = TimeUnit.SECONDS.toNanos(5);

  private final Logger logger;
  private final String node;
  private final String logFile;
  private final Map<String, long[]> limited = new HashMap<>();

  private NodeLog(Logger logger, String node, String logFile) {
    this.logger = logger;
    this.node = node;
    this.logFile = logFile;
  }

  public static NodeLog of(Class<?> owner, String node, String logDir) {
    return new NodeLog(LoggerFactory.getLogger(owner), node, Path.of(logDir, node + ".log").toString());
  }

  public boolean isDebugEnabled() {
    return logger.isDebugEnabled();
  }

  public void debug(String format, Object... args) {
    if (logger.isDebugEnabled()) {
      stamp();
      logger.debug(format, args);
    }
  }

  public void info(String format, Object... args) {
    if (logger.isInfoEnabled()) {
      stamp();
      logger.info(format, args);
    }
  }

  public void warn(String format, Object... args) {
    stamp();
    logger.warn(format, args);
  }

  public void error(String format, Object... args) {
    stamp();
    logger.error(format, args);
  }

  /**
   * A WARN line for {@code key} at most once per period, saying how many were held back: a flood
   * of bad datagrams must not flood the log. Call only from one event loop.
   */
  public void warnRateLimited(String key, String format, Object... args) {
    long now = System.nanoTime();
    long[] state = limited.computeIfAbsent(key, k -> new long[] {now - RATE_LIMIT_NANOS, 0});
    if (now - state[0] >= RATE_LIMIT_NANOS) {
      if (state[1] > 0) {
        warn("{} more like the next line were not logged", state[1]);
      }
      state[0] = now;
      state[1] = 0;
      warn(format, args);
    } else {
      state[1]++;
    }
  }

  /**
   * Sets the MDC only when this thread's last line was another node's: each {@code MDC.put} makes
   * logback copy the thread's MDC map for the next event, which was a map per line on a node that
   * logs every message (the usual case: one node per JVM, so the values rarely change).
   */
  private void stamp() {
    if (!node.equals(MDC.get("node"))) {
      MDC.put("node", node);
    }
    if (!logFile.equals(MDC.get("logFile"))) {
      MDC.put("logFile", logFile);
    }
  }
}
