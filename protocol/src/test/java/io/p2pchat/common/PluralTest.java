package io.p2pchat.common;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class PluralTest {

  @Test
  void oneIsSingularEveryOtherCountPlural() {
    assertEquals("1 peer", Plural.of(1, "peer"));
    assertEquals("0 peers", Plural.of(0, "peer"));
    assertEquals("2 peers", Plural.of(2, "peer"));
    assertEquals("-1 peers", Plural.of(-1, "peer"));
    assertEquals("1 entry", Plural.of(1, "entry", "entries"));
    assertEquals("3 entries", Plural.of(3, "entry", "entries"));
  }
}
