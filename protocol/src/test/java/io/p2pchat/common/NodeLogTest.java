package io.p2pchat.common;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A node's log line is stamped with its name, and the thread's MDC is as it was afterwards: an
 * application's own lines on the same event loop are not stamped with a node's name (an embedding
 * application's log showed its own lines as "[bob]").
 */
class NodeLogTest {

  @AfterEach
  void clear() {
    MDC.clear();
  }

  @Test
  void aNodesLineLeavesTheThreadsMdcAsItWas() throws Exception {
    String line = "a line of alice " + System.nanoTime();
    NodeLog alice = NodeLog.of(NodeLogTest.class, "alice", "target/node-log-test");
    alice.info(line);
    // The test logback configuration, like the application's, writes each node's lines to
    // <logDir>/<node>.log by the MDC: the line itself was stamped.
    assertTrue(Files.readString(Path.of("target/node-log-test/alice.log")).contains("[alice] " + line));
    assertNull(MDC.get("node"), "nothing left behind on a thread that had no node");
    assertNull(MDC.get("logFile"));

    MDC.put("node", "app");
    alice.warn("another line of alice");
    assertEquals("app", MDC.get("node"), "the application's own value is back");
    assertNull(MDC.get("logFile"));
  }

  /** A logger outside any node (a port mapper an application made) stamps nothing: the caller's MDC decides. */
  @Test
  void anUnstampedLineKeepsTheCallersMdc() {
    MDC.put("node", "app");
    NodeLog.unstamped(NodeLogTest.class).info("a line of no node");
    assertEquals("app", MDC.get("node"));
    assertNull(MDC.get("logFile"), "no node's file put in");
  }
}
