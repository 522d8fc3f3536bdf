package io.p2pchat.delivery;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.p2pchat.crypto.MailboxSeal;
import io.p2pchat.delivery.EnvelopeAssembler.Outcome;
import io.p2pchat.wire.MailboxControl;
import io.p2pchat.wire.MailboxControl.DepositPart;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Envelopes in parts, as the receiver sees them: whole once, from parts in any order and repeated; what
 * contradicts is refused; memory stays within its bounds (eviction, timeout).
 */
class EnvelopeAssemblerTest {
  private static final int PART = MailboxControl.PART_BYTES;
  private static final long TIMEOUT = 30_000;

  private static EnvelopeAssembler<String> assembler(int maxIncomplete) {
    return new EnvelopeAssembler<>(maxIncomplete, MailboxControl.MAX_PARTS, PART, TIMEOUT);
  }

  @Test
  void partsInAnyOrderAndRepeatedMakeTheEnvelopeOnce() {
    byte[] envelope = new byte[MailboxSeal.MAX_ENVELOPE];
    new Random(1).nextBytes(envelope);
    List<DepositPart> parts = new ArrayList<>(MailboxControl.split("d", new byte[32], envelope));
    parts.addAll(parts.subList(0, 10)); // repeats
    Collections.shuffle(parts, new Random(2));
    EnvelopeAssembler<String> a = assembler(4);
    int completions = 0;
    byte[] whole = null;
    for (DepositPart p : parts) {
      Outcome o = a.accept("d", p.part(), p.parts(), p.data(), 0);
      if (o == Outcome.COMPLETE) {
        completions++;
        whole = a.complete();
      }
    }
    // A repeat after completion starts a new envelope that never completes: the caller acknowledges by id.
    assertEquals(1, completions);
    assertArrayEquals(envelope, whole);
  }

  @Test
  void theLastMissingPartCompletesAndDuplicatesBeforeItChangeNothing() {
    EnvelopeAssembler<String> a = assembler(4);
    byte[] p1 = filled(PART, 1);
    byte[] p2 = filled(PART, 2);
    byte[] p3 = filled(10, 3);
    assertEquals(Outcome.PARTIAL, a.accept("d", 3, 3, p3, 0));
    assertEquals(Outcome.PARTIAL, a.accept("d", 1, 3, p1, 1));
    assertEquals(Outcome.DUPLICATE, a.accept("d", 1, 3, p1, 2));
    assertNull(a.complete());
    assertEquals(Outcome.COMPLETE, a.accept("d", 2, 3, p2, 3));
    assertEquals(2 * PART + 10, a.complete().length);
    assertEquals(3, a.complete()[2 * PART]);
    assertEquals(0, a.incomplete());
    assertEquals(Outcome.COMPLETE, a.accept("single", 1, 1, p3, 4), "one part is at once whole");
  }

  @Test
  void aPartThatContradictsWhatCameBeforeIsRefused() {
    EnvelopeAssembler<String> a = assembler(4);
    a.accept("d", 1, 3, filled(PART, 1), 0);
    assertEquals(Outcome.REFUSED, a.accept("d", 2, 4, filled(PART, 2), 0), "another part count");
    assertEquals(Outcome.REFUSED, a.accept("d", 1, 3, filled(PART, 9), 0), "another copy of part 1");
    assertEquals(Outcome.REFUSED, a.accept("d", 4, 3, filled(PART, 4), 0), "part past the count");
    assertEquals(Outcome.REFUSED, a.accept("d", 2, 3, filled(PART - 1, 2), 0), "a short part that is not the last");
    assertEquals(Outcome.REFUSED, a.accept("d", 3, 3, filled(PART + 1, 3), 0), "a part over the size");
    assertEquals(Outcome.REFUSED, a.accept("e", 1, MailboxControl.MAX_PARTS + 1, filled(PART, 1), 0), "too many parts");
    assertEquals(Outcome.PARTIAL, a.accept("d", 2, 3, filled(PART, 2), 0), "the genuine part still counts");
  }

  @Test
  void memoryStaysWithinItsBoundsByEvictionAndTimeout() {
    EnvelopeAssembler<String> a = assembler(4);
    for (int i = 0; i < 100; i++) {
      a.accept("flood" + i, 1, MailboxControl.MAX_PARTS, filled(PART, 1), i);
    }
    assertEquals(4, a.incomplete(), "never more than 4 in progress");
    assertEquals(96, a.evicted());
    assertEquals(Outcome.PARTIAL, a.accept("late", 1, 2, filled(PART, 1), 1_000));
    assertEquals(97, a.evicted(), "the least recently progressed made room");
    assertEquals(Outcome.DUPLICATE, a.accept("late", 1, 2, filled(PART, 1), 1_000 + TIMEOUT - 1),
        "still there just before its timeout");
    assertEquals(1, a.incomplete(), "the flood's last three timed out");
    a.accept("other", 1, 2, filled(PART, 1), 1_000 + TIMEOUT);
    assertEquals(1, a.incomplete(), "and so did it, at its timeout");
    assertEquals(4, a.timedOut());
  }

  private static byte[] filled(int length, int value) {
    byte[] b = new byte[length];
    java.util.Arrays.fill(b, (byte) value);
    return b;
  }
}
