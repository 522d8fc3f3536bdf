package io.p2pchat.crypto;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ReplayWindowTest {
  private static final long W = ReplayWindow.WINDOW;

  /** Each case: counters fed in order, and the expected accept result of each. */
  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of("first packet", new long[] {0}, new boolean[] {true}),
        Arguments.of("in order", new long[] {0, 1, 2, 3}, new boolean[] {true, true, true, true}),
        Arguments.of("duplicate", new long[] {5, 5}, new boolean[] {true, false}),
        Arguments.of("reordered within window", new long[] {10, 8, 9, 8}, new boolean[] {true, true, true, false}),
        Arguments.of("negative", new long[] {-1, 0}, new boolean[] {false, true}),
        Arguments.of("oldest still in window", new long[] {W, 1, 0}, new boolean[] {true, true, false}),
        Arguments.of("too old after a jump", new long[] {3, 3 + W + 100, 3, 104}, new boolean[] {true, true, false, true}),
        Arguments.of("big jump clears the ring", new long[] {1, 2, 1_000_000, 999_999, 1_000_000},
            new boolean[] {true, true, true, true, false}),
        Arguments.of("block boundary", new long[] {63, 64, 63, 64, 65}, new boolean[] {true, true, false, false, true}),
        Arguments.of("ring wrap keeps recent bits", new long[] {100, 100 + 64 * 31, 100 + 64 * 31 - 1, 100 + 64 * 31},
            new boolean[] {true, true, true, false}),
        Arguments.of("duplicate after wrap", new long[] {5000, 5000 - (W - 1), 5000 - (W - 1), 5000 - W},
            new boolean[] {true, true, false, false}),
        Arguments.of("huge counter", new long[] {Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE - 1},
            new boolean[] {true, false, true}),
        Arguments.of("a jump of one word less than the window keeps the words between",
            new long[] {10, 10 + W - 64, 10 + W - 65, 9, 10}, new boolean[] {true, true, true, true, false}),
        Arguments.of("a jump of exactly the window forgets all", new long[] {10, 10 + W, 11, 10},
            new boolean[] {true, true, true, false}));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void table(String name, long[] counters, boolean[] expected) {
    ReplayWindow w = new ReplayWindow();
    for (int i = 0; i < counters.length; i++) {
      assertEquals(expected[i], w.check(counters[i]), name + ": check #" + i + " (" + counters[i] + ")");
      assertEquals(expected[i], w.accept(counters[i]), name + ": accept #" + i + " (" + counters[i] + ")");
    }
  }

  /**
   * Both forms (DATA's array, the control session's two fields) against a model: a set of the accepted counters.
   * Counters wander around the top by up to a little more than the window, so every slide length, every
   * word boundary and the oldest counter of the window come up.
   */
  @ParameterizedTest(name = "{0} seed {1}")
  @MethodSource("formsAndSeeds")
  void matchesASetBasedModel(String form, long seed) {
    SlidingReplayWindow w = form.equals("data") ? new ReplayWindow() : new CompactReplayWindow() { };
    long window = w.window();
    java.util.Random rnd = new java.util.Random(seed);
    java.util.Set<Long> seen = new java.util.HashSet<>();
    long top = -1;
    for (int i = 0; i < 20_000; i++) {
      long c = Math.max(0, top + rnd.nextInt((int) (window * 1.2)) - (int) (window * 1.05));
      boolean expected = c > top || (top - c < window && !seen.contains(c));
      assertEquals(expected, w.isFresh(c), form + " seed " + seed + " step " + i + " counter " + c + " top " + top);
      assertEquals(expected, w.record(c), form + " seed " + seed + " step " + i + " counter " + c + " top " + top);
      if (expected) {
        seen.add(c);
        top = Math.max(top, c);
      }
    }
  }

  static Stream<Arguments> formsAndSeeds() {
    return Stream.of("data", "compact").flatMap(form -> seeds().map(seed -> Arguments.of(form, seed)));
  }

  @org.junit.jupiter.api.Test
  void theWindowsAreTheirWholeBitmaps() {
    assertEquals(2048, ReplayWindow.WINDOW);
    assertEquals(ReplayWindow.WINDOW, new ReplayWindow().window());
    assertEquals(128, CompactReplayWindow.WINDOW);
    assertEquals(CompactReplayWindow.WINDOW, new CompactReplayWindow() { }.window());
  }

  static Stream<Long> seeds() {
    return Stream.of(1L, 2L, 42L);
  }
}
