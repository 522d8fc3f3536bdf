package io.p2pchat.chat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.p2pchat.common.NodeLog;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class MessageLogTest {

  @Test
  void consecutiveIdsAreWrittenAsRuns() {
    assertEquals("a1-1..a1-3, a1-5, b2-6..b2-7",
      MessageLog.runs(List.of("a1-1", "a1-2", "a1-3", "a1-5", "b2-6", "b2-7")));
  }

  @Test
  void idsThatAreNotNumberedStayAsTheyAre() {
    assertEquals("x, x-y, x-1, 1-x-2", MessageLog.runs(List.of("x", "x-y", "x-1", "1-x-2")));
    assertEquals("p-99999999999999999999, p-1", MessageLog.runs(List.of("p-99999999999999999999", "p-1")));
  }

  @Test
  void oneIdIsItself() {
    assertEquals("a-7", MessageLog.runs(List.of("a-7")));
  }

  @Test
  void idsInterleavedAcrossConversationsAndKindsAreGroupedOncePerConversationAndKind() {
    MessageLog log = new MessageLog();
    log.sent("a-1", "bob", 10);
    log.sent("a-2", "bob", 10);
    log.received("b-1", "bob", false, 5);
    log.sent("a-3", "carol", 7);
    log.sent("a-4", "bob", 10); // back to bob's group after two others
    log.received("b-2", "bob", true, 6); // private: its own group
    log.received("b-3", "bob", false, 5);
    log.failed("a-5", "dave", "gone");
    log.failed("a-6", "dave", "timeout"); // another reason: its own line
    assertEquals(9, log.pending());

    Logger logger = (Logger) LoggerFactory.getLogger(MessageLogTest.class);
    ListAppender<ILoggingEvent> lines = new ListAppender<>();
    lines.start();
    logger.addAppender(lines);
    try {
      log.writeTo(NodeLog.unstamped(MessageLogTest.class));
    } finally {
      logger.detachAppender(lines);
    }
    assertEquals(List.of(
      "sent 3 messages to bob: a-1..a-2, a-4; 30 bytes",
      "received 2 messages from bob: b-1, b-3; 10 chars",
      "sent a-3 to carol: 7 bytes",
      "received b-2 from bob (private): 6 chars",
      "message a-5 not delivered to dave: gone",
      "message a-6 not delivered to dave: timeout"),
      lines.list.stream().map(ILoggingEvent::getFormattedMessage).toList());
    assertEquals(0, log.pending());

    log.sent("a-7", "bob", 10); // after a write, groups start over
    assertEquals(1, log.pending());
  }
}
