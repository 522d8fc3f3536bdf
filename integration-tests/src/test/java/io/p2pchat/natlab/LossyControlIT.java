package io.p2pchat.natlab;

import static io.p2pchat.natlab.ConsoleLines.DIRECT;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * (i) Lossy control: six clients, each behind its own home router (topology {@code six}), so every
 * pair needs the rendezvous's introduction to meet. Before any of them starts, the core drops 20%
 * of every public packet and duplicates 5%: registrations, cookies, IK handshakes, introductions,
 * acks, punches and peer handshakes all cross the impairment. All 15 pairs must reach a direct path
 * within 45 s, and one room message from each node must be shown by each of the other five exactly once.
 */
class LossyControlIT extends NatLabScenario {

  static final double LOSS = 0.20;
  static final double DUPLICATION = 0.05;
  /** The bound for the whole room to mesh, from the last client's JVM start (so start and registration count). */
  static final Duration MESH_BOUND = Duration.ofSeconds(45);
  /** The console's line once the client registered with the rendezvous. */
  static final Pattern REGISTERED = Pattern.compile("\\* rendezvous \\S+ up: registered as .*");
  /** Each client's host in topology {@code six}, and the public address its home router keeps for it. */
  static final Map<String, String> PUBLIC = new LinkedHashMap<>();

  static {
    PUBLIC.put("alice", "203.0.113.21:" + CLIENT_PORT);
    PUBLIC.put("bob", "203.0.113.22:" + CLIENT_PORT);
    PUBLIC.put("carol", "203.0.113.23:" + CLIENT_PORT);
    PUBLIC.put("dan", "203.0.113.26:" + CLIENT_PORT);
    PUBLIC.put("eve", "203.0.113.27:" + CLIENT_PORT);
    PUBLIC.put("fay", "203.0.113.28:" + CLIENT_PORT);
  }

  @Test
  void sixHomeNatClientsMeshAndChatOnceThoughAFifthOfEveryPacketIsLost(TestInfo info) {
    up("six", info);
    rendezvous("rdv");
    lab.loss(LOSS);
    lab.dup(DUPLICATION);
    List<ConsoleProcess> room = new ArrayList<>();
    PUBLIC.keySet().forEach(nick -> room.add(client(nick, nick)));
    long start = room.get(room.size() - 1).startNanos();
    long deadline = start + MESH_BOUND.toNanos();

    long lastPath = start;
    for (ConsoleProcess at : room) {
      for (ConsoleProcess peer : room) {
        if (peer == at) {
          continue;
        }
        Duration left = Duration.ofNanos(Math.max(1, deadline - System.nanoTime()));
        ConsoleProcess.Matched m = at.await(ConsoleLines.pathIn(peer.name(), Set.of(DIRECT)), left);
        assertEquals(PUBLIC.get(peer.name()), ConsoleLines.address(m), at.name() + "'s path to " + peer.name());
        lastPath = Math.max(lastPath, m.line().nanos());
      }
    }
    long meshMillis = TimeUnit.NANOSECONDS.toMillis(lastPath - start);

    for (ConsoleProcess from : room) {
      from.type("hello from " + from.name());
    }
    // A sentinel typed after: a duplicate of a hello would be shown before it (delivery is in order).
    for (ConsoleProcess from : room) {
      for (ConsoleProcess at : room) {
        if (at != from) {
          at.await(ConsoleLines.roomMessage(from.name(), "hello from " + from.name()), MESSAGE_TIMEOUT);
        }
      }
      from.type("end of " + from.name());
    }
    for (ConsoleProcess at : room) {
      for (ConsoleProcess from : room) {
        if (at != from) {
          at.await(ConsoleLines.roomMessage(from.name(), "end of " + from.name()), MESSAGE_TIMEOUT);
          assertEquals(1, at.matching(ConsoleLines.roomMessage(from.name(), "hello from " + from.name())).size(),
              at.name() + " shows " + from.name() + "'s message exactly once\n" + at.transcript());
        }
      }
    }
    // Only for the figures, never awaited: a client learns it is registered from the `registered`
    // answer, which can be lost too, so its console may say so after the introductions (which imply it).
    List<ConsoleProcess.Matched> registered = room.stream().flatMap(p -> p.matching(REGISTERED).stream().limit(1))
        .toList();
    String lastRegistered = registered.size() < room.size()
        ? (room.size() - registered.size()) + " clients not yet shown `registered`"
        : "the last `registered` line shown at " + TimeUnit.NANOSECONDS.toMillis(
            registered.stream().mapToLong(m -> m.line().nanos()).max().orElseThrow() - start) + " ms";
    report(String.format("6 clients behind 6 home NATs, %.0f%% loss and %.0f%% duplication on every public packet"
        + " from before the first registration: all 15 pairs direct %d ms after the last client's JVM start"
        + " (%s); 6 room messages each shown exactly once by the 5 others",
        LOSS * 100, DUPLICATION * 100, meshMillis, lastRegistered));
    System.out.println(lab.status());
  }
}
