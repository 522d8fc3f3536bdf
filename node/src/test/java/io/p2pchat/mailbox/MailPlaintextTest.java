package io.p2pchat.mailbox;

import io.p2pchat.wire.WireException;
import org.junit.jupiter.api.Test;

import java.util.HexFormat;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MailPlaintextTest {

  private static final HexFormat HEX = HexFormat.of();

  @Test
  void aDirectChatLineEncodesToItsGoldenBytes() throws WireException {
    MailPlaintext chat = MailPlaintext.chat("al", "a-1", "", 0x0102030405060708L, 5, "hi");
    String golden = "01" + "02" + "616c" + "03" + "612d31" + "00" + "0102030405060708" + "0000000000000005" + "6869";
    assertEquals(golden, HEX.formatHex(chat.encode()));
    assertEquals(chat, MailPlaintext.decode(HEX.parseHex(golden)));
    assertTrue(chat.direct());
  }

  @Test
  void aRoomReceiptEncodesToItsGoldenBytes() throws WireException {
    MailPlaintext receipt = MailPlaintext.receipt("bo", "r", "lobby", 1, 2, List.of("a-1", "a-2"));
    String golden = "02" + "02" + "626f" + "01" + "72" + "05" + "6c6f626279" + "0000000000000001" + "0000000000000002"
      + "02" + "03" + "612d31" + "03" + "612d32";
    assertEquals(golden, HEX.formatHex(receipt.encode()));
    assertEquals(receipt, MailPlaintext.decode(HEX.parseHex(golden)));
  }

  @Test
  void aLongestTextRoundTripsAndOneByteMoreIsRefused() throws WireException {
    String text = "x".repeat(MailPlaintext.MAX_TEXT_BYTES);
    String id = "i".repeat(64);
    String nick = "n".repeat(MailPlaintext.MAX_NICK_BYTES);
    String room = "r".repeat(MailPlaintext.MAX_ROOM_BYTES);
    MailPlaintext longest = MailPlaintext.chat(nick, id, room, 1, 1, text);
    assertEquals(io.p2pchat.crypto.MailboxSeal.MAX_PLAINTEXT, longest.encode().length, "the longest fills an envelope");
    assertEquals(longest, MailPlaintext.decode(longest.encode()));
    assertThrows(IllegalArgumentException.class, () -> MailPlaintext.chat(nick, id, room, 1, 1, text + "x").encode());
  }

  @Test
  void malformedPlaintextsAreRefused() {
    byte[] good = MailPlaintext.receipt("b", "r", "lobby", 1, 2, List.of("a-1")).encode();
    List<byte[]> bad = List.of(
      new byte[0],                                       // empty
      HEX.parseHex("0301620161"),                            // unknown kind
      HEX.parseHex("01006101610061"),                        // nick of 0 bytes
      HEX.parseHex("0101620061"),                            // id of 0 bytes
      HEX.parseHex("010162" + "05616263"),                   // id past the end
      HEX.parseHex("010162" + "016141"),                     // room of 65 bytes
      HEX.parseHex("010162" + "016100000000"),               // cut before the counter
      HEX.parseHex("010162" + "016100" + "00".repeat(16) + "ff"), // text not UTF-8
      java.util.Arrays.copyOf(good, good.length - 1),    // receipt id cut short
      HEX.parseHex("020162" + "017200" + "00".repeat(16) + "41")  // 65 receipt ids
    );
    for (byte[] b : bad) {
      assertThrows(WireException.class, () -> MailPlaintext.decode(b), HEX.formatHex(b));
    }
  }

  @Test
  void randomBytesOnlyEverRaiseWireException() {
    Random random = new Random(17);
    for (int i = 0; i < 200_000; i++) {
      byte[] b = new byte[random.nextInt(40)];
      random.nextBytes(b);
      if (random.nextBoolean() && b.length > 0) {
        b[0] = (byte) (1 + random.nextInt(2));
      }
      try {
        MailPlaintext decoded = MailPlaintext.decode(b);
        assertArrayEquals(decoded.encode(), decoded.kind() == MailPlaintext.Kind.CHAT ? b : decoded.encode());
      } catch (WireException expected) {
        // dropped and counted by the caller
      }
    }
  }
}
