package io.p2pchat.wire.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.p2pchat.wire.DropReason;
import io.p2pchat.wire.WireException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Issue 19: the mDNS codec against golden bytes, compressed answers as other stacks send them, and hostile input. */
class DnsCodecTest {

  private static final HexFormat HEX = HexFormat.of();

  /** A PTR query for _p2pchat._udp.local, QM (multicast answer wanted). */
  private static final String QUERY_HEX = "0000" + "0000" + "0001" + "0000" + "0000" + "0000"
    + "085f7032706368617404" + "5f756470" + "056c6f63616c00" + "000c" + "0001";

  /**
   * A response as Avahi and other stacks write it, compressed: the PTR's owner at offset 12, its
   * target "n1" plus a pointer to 12, the SRV and TXT owned by a pointer to that target.
   */
  private static byte[] compressedResponse() {
    String ptrOwner = "085f7032706368617404" + "5f756470" + "056c6f63616c00"; // 12..33
    String header = "0000" + "8400" + "0000" + "0003" + "0000" + "0000";
    String ptr = ptrOwner + "000c" + "0001" + "00001194" + "0005" + "026e31" + "c00c"; // target at 43
    String srv = "c02b" + "0021" + "8001" + "00000078" + "0008" + "0000" + "0000" + "1f40" + "c02b";
    String txt = "c02b" + "0010" + "8001" + "00001194" + "0008" + "03763d32" + "03613d62";
    return HEX.parseHex(header + ptr + srv + txt);
  }

  @Test
  void encodesAQueryToGoldenBytes() {
    DnsMessage query = new DnsMessage(0, false,
      List.of(new DnsMessage.Question("_p2pchat._udp.local", DnsCodec.TYPE_PTR, false)), List.of(), List.of());
    assertEquals(QUERY_HEX, HEX.formatHex(DnsCodec.encode(query)));
  }

  @Test
  void roundTripsAResponse() throws WireException {
    DnsMessage response = new DnsMessage(0, true, List.of(),
      List.of(new DnsRecord("_p2pchat._udp.local", DnsCodec.TYPE_PTR, false, 4500,
        new DnsRecord.Ptr("ab12._p2pchat._udp.local"))),
      List.of(
        new DnsRecord("ab12._p2pchat._udp.local", DnsCodec.TYPE_SRV, true, 120,
          new DnsRecord.Srv(0, 0, 40001, "ab12.local")),
        new DnsRecord("ab12._p2pchat._udp.local", DnsCodec.TYPE_TXT, true, 4500,
          new DnsRecord.Txt(List.of("v=2", "room=lobby"))),
        new DnsRecord("ab12.local", DnsCodec.TYPE_A, true, 120, new DnsRecord.A("10.1.2.3"))));
    assertEquals(response, DnsCodec.decode(DnsCodec.encode(response)));
  }

  @Test
  void followsBackwardCompressionPointers() throws WireException {
    DnsMessage m = DnsCodec.decode(compressedResponse());
    assertTrue(m.response());
    assertEquals(new DnsRecord.Ptr("n1._p2pchat._udp.local"), m.answers().get(0).data());
    assertEquals(new DnsRecord("n1._p2pchat._udp.local", DnsCodec.TYPE_SRV, true, 120,
      new DnsRecord.Srv(0, 0, 8000, "n1._p2pchat._udp.local")), m.answers().get(1));
    assertEquals(new DnsRecord.Txt(List.of("v=2", "a=b")), m.answers().get(2).data());
  }

  @Test
  void refusesAPointerToItself() {
    // one question whose name is a pointer to its own offset (12): a loop for a naive reader
    byte[] loop = HEX.parseHex("000000000001000000000000" + "c00c" + "000c0001");
    assertReason(DropReason.MALFORMED, loop);
  }

  @Test
  void refusesAForwardPointer() {
    // the name points ahead to a label that points back to it: a two-step loop
    byte[] loop = HEX.parseHex("000000000001000000000000" + "c010" + "000c" + "0161" + "c00c");
    assertReason(DropReason.MALFORMED, loop);
  }

  @Test
  void refusesANameLongerThan255BytesBuiltFromPointers() {
    // label chains that each point back to the previous: 5 x 63-byte labels = 320 bytes of name
    StringBuilder hex = new StringBuilder("000000000001000000000000");
    String label = "3f" + "61".repeat(63);
    hex.append(label).append("00"); // offset 12: one label, then the end
    int previous = 12;
    for (int i = 0; i < 4; i++) {
      int here = hex.length() / 2;
      hex.append(label).append(String.format("%04x", 0xc000 | previous));
      previous = here;
    }
    // the question itself at the end: a pointer to the last chain
    byte[] head = HEX.parseHex(hex.toString());
    byte[] question = HEX.parseHex(String.format("%04x", 0xc000 | previous) + "000c0001");
    byte[] all = Arrays.copyOf(head, head.length + question.length);
    System.arraycopy(question, 0, all, head.length, question.length);
    // the first "question" is the label chain at 12 (a 64-byte name): make qdcount 1 read from the last pointer instead
    byte[] msg = new byte[12 + (all.length - 12)];
    System.arraycopy(all, 0, msg, 0, all.length);
    // put the question first by making it the whole message tail and pointing the question there
    WireException e = assertThrows(WireException.class, () -> DnsCodec.decode(withQuestionAt(msg, head.length)));
    assertTrue(e.getMessage().contains("longer than 255"), e.getMessage());
  }

  /** {@code msg} with its one question read at {@code offset}: the bytes between the header and it are moved after it. */
  private static byte[] withQuestionAt(byte[] msg, int offset) {
    // a message whose first entry is the question: header, question (a pointer to the chain), then the chain
    // (pointers must point backwards, so the chain is shifted in front through an unread answer of type OTHER)
    byte[] chain = Arrays.copyOfRange(msg, 12, offset);
    byte[] q = Arrays.copyOfRange(msg, offset, msg.length);
    // answer section: one record named by the root, type 0xff00, whose rdata is the chain
    byte[] header = HEX.parseHex("0000" + "8400" + "0000" + "0002" + "0000" + "0000");
    byte[] rr = HEX.parseHex("00" + "ff00" + "0001" + "00000000" + String.format("%04x", chain.length));
    // the chain's pointers were relative to offset 12; it now starts at 12 + rr.length
    int shift = rr.length;
    byte[] moved = chain.clone();
    for (int i = 0; i + 1 < moved.length; ) {
      int len = moved[i] & 0xff;
      if ((len & 0xc0) == 0xc0) {
        int target = (((len & 0x3f) << 8) | (moved[i + 1] & 0xff)) + shift;
        moved[i] = (byte) (0xc0 | (target >> 8));
        moved[i + 1] = (byte) target;
        i += 2;
      } else if (len == 0) {
        i++;
      } else {
        i += 1 + len;
      }
    }
    int qTarget = ((((q[0] & 0x3f) << 8) | (q[1] & 0xff))) + shift;
    byte[] rr2 = HEX.parseHex(String.format("%04x", 0xc000 | qTarget) + "000c" + "0001" + "00000000" + "0000");
    byte[] out = new byte[header.length + rr.length + moved.length + rr2.length];
    int at = 0;
    for (byte[] part : List.of(header, rr, moved, rr2)) {
      System.arraycopy(part, 0, out, at, part.length);
      at += part.length;
    }
    return out;
  }

  @Test
  void refusesEveryTruncationOfAValidResponse() {
    byte[] full = compressedResponse();
    for (int cut = 0; cut < full.length; cut++) {
      byte[] truncated = Arrays.copyOf(full, cut);
      WireException e = assertThrows(WireException.class, () -> DnsCodec.decode(truncated), "cut at " + cut);
      assertTrue(e.reason() == DropReason.TRUNCATED || e.reason() == DropReason.MALFORMED, cut + ": " + e.reason());
    }
  }

  @Test
  void refusesAnOversizedMessageBeforeParsing() {
    assertReason(DropReason.OVERSIZED, new byte[DnsCodec.MAX_MESSAGE + 1]);
  }

  @Test
  void refusesMoreEntriesThanTheCapBeforeParsingThem() {
    assertReason(DropReason.OVERSIZED, HEX.parseHex("0000840000000041000000000000"));
    assertReason(DropReason.OVERSIZED, HEX.parseHex("0000" + "8400" + "ffff" + "ffff" + "ffff" + "ffff"));
  }

  @Test
  void refusesTxtStringsThatRunPastTheirRecord() {
    byte[] bad = HEX.parseHex("0000" + "8400" + "0000" + "0001" + "0000" + "0000"
      + "0161" + "00" + "0010" + "0001" + "00000078" + "0003" + "05616263"); // says 5, has 2 in a 3-byte rdata
    assertReason(DropReason.TRUNCATED, bad);
  }

  @Test
  void refusesAnARecordOfTheWrongLength() {
    byte[] bad = HEX.parseHex("0000" + "8400" + "0000" + "0001" + "0000" + "0000"
      + "0161" + "00" + "0001" + "0001" + "00000078" + "0005" + "0a000001ff");
    assertReason(DropReason.MALFORMED, bad);
  }

  @Test
  void refusesAPtrWhoseNameRunsPastItsRdata() {
    byte[] bad = HEX.parseHex("0000" + "8400" + "0000" + "0001" + "0000" + "0000"
      + "0161" + "00" + "000c" + "0001" + "00000078" + "0002" + "0162" + "00");
    assertReason(DropReason.MALFORMED, bad);
  }

  @Test
  void randomAndMutatedInputRaisesOnlyWireExceptions() {
    Random random = new Random(19);
    byte[] seed = compressedResponse();
    for (int i = 0; i < 200_000; i++) {
      byte[] input;
      if (i % 2 == 0) {
        input = new byte[random.nextInt(64)];
        random.nextBytes(input);
        if (input.length >= 12) {
          input[2] &= (byte) 0x87; // opcode 0 so that most reach the entries
          input[4] = 0;
          input[6] = 0;
        }
      } else {
        input = seed.clone();
        for (int flips = 1 + random.nextInt(4); flips > 0; flips--) {
          input[random.nextInt(input.length)] = (byte) random.nextInt(256);
        }
      }
      try {
        DnsCodec.decode(input);
      } catch (WireException expected) {
        // refused: fine
      }
    }
  }

  private static void assertReason(DropReason reason, byte[] bytes) {
    WireException e = assertThrows(WireException.class, () -> DnsCodec.decode(bytes));
    assertEquals(reason, e.reason(), e.getMessage());
  }
}
