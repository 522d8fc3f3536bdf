package io.p2pchat.punch;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class HandleQueueTest {

  @Test
  void removesInOrderOutOfOrderAndOnceAndDrainsOldestFirst() {
    HandleQueue<String> q = new HandleQueue<>();
    for (long h = 10; h < 60; h += 2) {
      q.add(h, "m" + h);
    }
    assertEquals("m10", q.remove(10));
    assertEquals("m30", q.remove(30)); // a hole in the middle
    assertNull(q.remove(30), "once");
    assertNull(q.remove(11), "never added");
    assertNull(q.remove(9), "below the oldest");
    assertNull(q.remove(100), "above the newest");
    assertEquals("m12", q.remove(12));
    assertEquals(22, q.size());
    List<String> rest = q.drain();
    assertEquals(22, rest.size());
    assertEquals("m14", rest.get(0));
    assertEquals("m58", rest.get(rest.size() - 1));
    assertEquals(false, rest.contains("m30"));
    assertEquals(0, q.size());
    q.add(1, "again"); // empty again: any handle may start it
    assertEquals("again", q.remove(1));
  }

  @Test
  void handlesMustRiseAndValuesMustBeThere() {
    HandleQueue<String> q = new HandleQueue<>();
    q.add(5, "a");
    assertThrows(IllegalArgumentException.class, () -> q.add(5, "b"));
    assertThrows(IllegalArgumentException.class, () -> q.add(4, "b"));
    assertThrows(IllegalArgumentException.class, () -> q.add(6, null));
  }

  /** Against a TreeMap, through growth and wrap-around: random adds and removals, in order and out of it. */
  @Test
  void agreesWithASortedMapWhateverTheOrderOfRemovals() {
    Random random = new Random(42);
    HandleQueue<Long> q = new HandleQueue<>();
    TreeMap<Long, Long> model = new TreeMap<>();
    long next = 1;
    for (int step = 0; step < 200_000; step++) {
      int op = random.nextInt(10);
      if (op < 5 || model.isEmpty()) {
        next += 1 + random.nextInt(3);
        q.add(next, next);
        model.put(next, next);
      } else if (op < 8) {
        long oldest = model.firstKey(); // in order, the common case
        assertEquals(model.remove(oldest), q.remove(oldest));
      } else {
        long any = model.firstKey() + random.nextInt((int) Math.min(Integer.MAX_VALUE, next - model.firstKey() + 2));
        assertEquals(model.remove(any), q.remove(any));
      }
      assertEquals(model.size(), q.size());
    }
    assertEquals(new ArrayList<>(model.values()), q.drain());
  }
}
