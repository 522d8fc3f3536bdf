package io.p2pchat.rendezvous;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.p2pchat.wire.Control;
import io.p2pchat.wire.ControlType;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** The retransmission state machine of reliable control messages, on a fake clock (no Vert.x). */
class RetransmitsTest {

  private static final long T0 = 1_000_000_000L;
  private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
  /** Every client registered in its first process. */
  private static final Function<String, String> REGISTERED = nick -> "i1";

  private final Retransmits retransmits = new Retransmits();

  private static JsonObject gone(String nick) {
    return Control.of(ControlType.GONE).put(Control.NICK, nick);
  }

  /** Runs the clock from T0 to {@code until} in 1 ms steps; returns the times (ms after T0) anything was sent again. */
  private List<Long> retransmissionTimes(long until, Function<String, String> current) {
    List<Long> times = new ArrayList<>();
    for (long now = T0; now <= until; now += MS) {
      if (!retransmits.due(now, current).isEmpty()) {
        times.add((now - T0) / MS);
      }
    }
    return times;
  }

  @Test
  void aMessageGetsAnIdAndIsSentAgainWithDoublingBackOffToTheCapThenGivenUp() {
    JsonObject sent = retransmits.send("alice", "i1", "bob", gone("bob"), T0);
    assertEquals(1L, sent.getLong(Control.MID));
    assertEquals(T0 + Retransmits.FIRST_RETRY_NANOS, retransmits.nextDeadline());
    // 250, 500, then 1000 ms (the cap) apart: eleven resends, twelve sends in all.
    assertEquals(List.of(250L, 750L, 1750L, 2750L, 3750L, 4750L, 5750L, 6750L, 7750L, 8750L, 9750L),
      retransmissionTimes(T0 + TimeUnit.SECONDS.toNanos(30), REGISTERED));
    assertEquals(0, retransmits.outstanding("alice"));
    assertEquals(1L, retransmits.toJson().getLong("gaveUp"));
    assertEquals(Long.MAX_VALUE, retransmits.nextDeadline());
  }

  @Test
  void theRetransmissionIsTheSameMessageWithTheSameId() {
    JsonObject sent = retransmits.send("alice", "i1", "bob", gone("bob"), T0);
    List<Retransmits.Due> due = retransmits.due(T0 + Retransmits.FIRST_RETRY_NANOS, REGISTERED);
    assertEquals(List.of(new Retransmits.Due("alice", sent)), due);
  }

  @Test
  void anAckStopsItAndADuplicateAckIsHarmless() {
    long mid = retransmits.send("alice", "i1", "bob", gone("bob"), T0).getLong(Control.MID);
    assertEquals("bob", retransmits.ack("alice", mid));
    assertNull(retransmits.ack("alice", mid), "a duplicate ack finds nothing");
    assertNull(retransmits.ack("carol", mid), "an ack from another client finds nothing");
    assertTrue(retransmissionTimes(T0 + TimeUnit.SECONDS.toNanos(20), REGISTERED).isEmpty());
    assertEquals(1L, retransmits.toJson().getLong("acked"));
  }

  @Test
  void anAckOfOneClientDoesNotStopAnothersMessage() {
    long mid = retransmits.send("alice", "i1", "bob", gone("bob"), T0).getLong(Control.MID);
    retransmits.send("carol", "i1", "bob", gone("bob"), T0);
    assertNull(retransmits.ack("carol", mid), "mids are per message: carol's is another");
    assertEquals(1, retransmits.outstanding("carol"));
  }

  @Test
  void aNewerMessageAboutTheSamePeerReplacesTheOlderOne() {
    long old = retransmits.send("alice", "i1", "bob", gone("bob"), T0).getLong(Control.MID);
    JsonObject newer = retransmits.send("alice", "i1", "bob", Control.of(ControlType.INTRODUCE), T0 + MS);
    assertEquals(1, retransmits.outstanding("alice"));
    assertNull(retransmits.ack("alice", old), "the replaced message's ack is moot");
    List<Retransmits.Due> due = retransmits.due(T0 + MS + Retransmits.FIRST_RETRY_NANOS, REGISTERED);
    assertEquals(List.of(new Retransmits.Due("alice", newer)), due);
  }

  @Test
  void aClientThatLeftOrRestartedIsSentNothingMore() {
    retransmits.send("alice", "i1", "bob", gone("bob"), T0);
    retransmits.send("carol", "i1", "bob", gone("bob"), T0);
    // alice registered anew (another process); carol left.
    Map<String, String> now = Map.of("alice", "i2");
    assertTrue(retransmits.due(T0 + Retransmits.FIRST_RETRY_NANOS, now::get).isEmpty());
    assertEquals(0, retransmits.outstanding("alice"));
    assertEquals(0, retransmits.outstanding("carol"));
    assertEquals(0L, retransmits.toJson().getLong("gaveUp"), "moot is not given up");

    retransmits.send("dave", "i1", "bob", gone("bob"), T0);
    retransmits.forget("dave");
    assertEquals(Long.MAX_VALUE, retransmits.nextDeadline());
  }

  @Test
  void overTheCapTheOldestMessageOfThatClientIsDropped() {
    Retransmits small = new Retransmits(3);
    long first = small.send("alice", "i1", "p0", gone("p0"), T0).getLong(Control.MID);
    for (int i = 1; i <= 3; i++) {
      small.send("alice", "i1", "p" + i, gone("p" + i), T0 + i * MS);
    }
    small.send("carol", "i1", "p0", gone("p0"), T0);
    assertEquals(3, small.outstanding("alice"));
    assertEquals(1, small.outstanding("carol"), "another client's messages are not counted against alice");
    assertNull(small.ack("alice", first), "the oldest was dropped");
    assertEquals(1L, small.toJson().getLong("overCap"));
  }

  @Test
  void theDeadlineIsTheEarliestOfAllClients() {
    retransmits.send("alice", "i1", "bob", gone("bob"), T0 + 10 * MS);
    retransmits.send("carol", "i1", "bob", gone("bob"), T0);
    assertEquals(T0 + Retransmits.FIRST_RETRY_NANOS, retransmits.nextDeadline());
    assertEquals(1, retransmits.due(T0 + Retransmits.FIRST_RETRY_NANOS, REGISTERED).size());
    assertEquals(T0 + 10 * MS + Retransmits.FIRST_RETRY_NANOS, retransmits.nextDeadline());
  }
}
