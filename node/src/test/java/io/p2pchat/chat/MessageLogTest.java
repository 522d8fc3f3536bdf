package io.p2pchat.chat;

import org.junit.jupiter.api.Test;

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
}
