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

  /**
   * A logger for code used on its own, outside any node (e.g. a {@code PortMapper} an application creates):
   * its lines carry no node stamp, and go where the logging configuration sends unstamped lines.
   */
  public static NodeLog unstamped(Class<?> owner) {
    return new NodeLog(LoggerFactory.getLogger(owner), null, null);
  }

  public boolean isDebugEnabled() {
    return logger.isDebugEnabled();
  }

  public void debug(String format, Object... args) {
    if (logger.isDebugEnabled()) {
      Stamp previous = stamp();
      logger.debug(format, args);
      previous.restore();
    }
  }

  public void info(String format, Object... args) {
    if (logger.isInfoEnabled()) {
      Stamp previous = stamp();
      logger.info(format, args);
      previous.restore();
    }
  }

  public void warn(String format, Object... args) {
    Stamp previous = stamp();
    logger.warn(format, args);
    previous.restore();
  }

  public void error(String format, Object... args) {
    Stamp previous = stamp();
    logger.error(format, args);
    previous.restore();
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
   * Puts this node's name and file in the thread's MDC for one line and gives back what was there
   * before: an event loop is shared with the application's own verticles (and other nodes), whose
   * lines must not come out stamped with this node's name. Only values that differ are put: each
   * {@code MDC.put} makes logback copy the thread's MDC map for the next event.
   */
  private Stamp stamp() {
    if (node == null) {
      return Stamp.UNCHANGED;
    }
    String previousNode = MDC.get("node");
    String previousFile = MDC.get("logFile");
    if (!node.equals(previousNode)) {
      MDC.put("node", node);
    }
    if (!logFile.equals(previousFile)) {
      MDC.put("logFile", logFile);
    }
    return node.equals(previousNode) && logFile.equals(previousFile) ? Stamp.UNCHANGED
      : new Stamp(previousNode, previousFile);
  }

  /** The MDC values a line replaced, put back after it. */
  private record Stamp(String node, String logFile) {
    /** The line changed nothing: nothing to put back (compared by identity). */
    static final Stamp UNCHANGED = new Stamp(null, null);

    void restore() {
      if (this == UNCHANGED) {
        return;
      }
      put("node", node);
      put("logFile", logFile);
    }

    private static void put(String key, String value) {
      if (value == null) {
        MDC.remove(key);
      } else {
        MDC.put(key, value);
      }
    }
  }
}
