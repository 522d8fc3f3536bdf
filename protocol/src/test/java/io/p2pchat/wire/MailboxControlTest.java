package io.p2pchat.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.p2pchat.control.ControlCodec;
import io.p2pchat.crypto.MailboxSeal;
import io.p2pchat.wire.MailboxControl.Ack;
import io.p2pchat.wire.MailboxControl.DepositPart;
import io.p2pchat.wire.MailboxControl.Deposited;
import io.p2pchat.wire.MailboxControl.Expired;
import io.p2pchat.wire.MailboxControl.MailPart;
import io.p2pchat.wire.MailboxControl.Refused;
import io.p2pchat.wire.MailboxControl.Type;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The mailbox's control messages: golden JSON, parse-back equality, every part of the largest envelope fits a
 * sealed control datagram, malformed fields refused as {@code malformed}, random input only ever a
 * {@link WireException}.
 */
class MailboxControlTest {
  private static final byte[] KEY = new byte[32];

  static {
    KEY[0] = 7;
  }

  private static final String KEY_B64 = "BwAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";

  @Test
  void goldenJsonAndParseBack() throws Exception {
    byte[] data = "abc".getBytes(StandardCharsets.US_ASCII);
    DepositPart d = new DepositPart("m-1", KEY, 1, 1, data);
    assertEquals("{\"t\":\"deposit\",\"did\":\"m-1\",\"to\":\"" + KEY_B64 + "\",\"part\":1,\"parts\":1,\"env\":\"YWJj\"}",
        d.toJson().encode());
    DepositPart back = MailboxControl.decodeDeposit(new JsonObject(d.toJson().encode()));
    assertEquals(List.of("m-1", 1, 1), List.of(back.did(), back.part(), back.parts()));
    assertArrayEquals(KEY, back.to());
    assertArrayEquals(data, back.data());

    assertEquals("{\"t\":\"deposited\",\"did\":\"m-1\",\"part\":1,\"seq\":42}", new Deposited("m-1", 1, 42).toJson().encode());
    assertEquals(new Deposited("m-1", 1, 42), MailboxControl.decodeDeposited(new Deposited("m-1", 1, 42).toJson()));
    assertEquals("{\"t\":\"deposited\",\"did\":\"m-1\",\"part\":2}", new Deposited("m-1", 2, 0).toJson().encode(),
        "a part of an envelope still incomplete: no seq yet");
    assertEquals(new Refused("m-1", "recipient-full"),
        MailboxControl.decodeRefused(new JsonObject("{\"t\":\"refused\",\"did\":\"m-1\",\"reason\":\"recipient-full\"}")));

    MailPart mail = new MailPart(42, KEY, 1_800_000_000_000L, 2, 3, data);
    assertEquals("{\"t\":\"mail\",\"seq\":42,\"from\":\"" + KEY_B64 + "\",\"at\":1800000000000,\"part\":2,\"parts\":3,"
        + "\"env\":\"YWJj\"}", mail.toJson().encode());
    MailPart mailBack = MailboxControl.decodeMail(mail.toJson());
    assertEquals(List.of(42L, 1_800_000_000_000L, 2, 3), List.of(mailBack.seq(), mailBack.at(), mailBack.part(),
        mailBack.parts()));

    Ack ack = new Ack(Type.MAIL_ACK, List.of(3L, 4L));
    assertEquals("{\"t\":\"mail-ack\",\"seqs\":[3,4]}", ack.toJson().encode());
    assertEquals(ack, MailboxControl.decodeAck(ack.toJson()));
    Ack noticeAck = new Ack(Type.NOTICE_ACK, List.of(9L));
    assertEquals("{\"t\":\"notice-ack\",\"nids\":[9]}", noticeAck.toJson().encode());
    assertEquals(noticeAck, MailboxControl.decodeAck(noticeAck.toJson()));

    Expired e = new Expired(5, "m-1", KEY, 1000, 2000);
    assertEquals("{\"t\":\"expired\",\"nid\":5,\"did\":\"m-1\",\"to\":\"" + KEY_B64 + "\",\"at\":1000,\"expiredAt\":2000}",
        e.toJson().encode());
    Expired eBack = MailboxControl.decodeExpired(e.toJson());
    assertEquals(List.of(5L, "m-1", 1000L, 2000L), List.of(eBack.nid(), eBack.did(), eBack.at(), eBack.expiredAt()));
    assertEquals(Type.EXPIRED, MailboxControl.type(e.toJson()));
    assertEquals(null, MailboxControl.type(Control.of(ControlType.KEEPALIVE)), "not a mailbox message");
  }

  @Test
  void anEnvelopeSplitsIntoPartsThatEachFitASealedControlDatagram() {
    assertEquals(1, MailboxControl.split("d", KEY, new byte[MailboxSeal.envelopeLength(0)]).size(), "353 bytes");
    assertEquals(1, MailboxControl.split("d", KEY, new byte[MailboxSeal.envelopeLength(414)]).size(), "609 bytes");
    List<DepositPart> parts = MailboxControl.split("d", KEY, new byte[MailboxSeal.MAX_ENVELOPE]);
    assertEquals(98, parts.size());
    assertEquals(MailboxControl.MAX_PARTS, parts.size());
    assertEquals(MailboxSeal.MAX_ENVELOPE - 97 * MailboxControl.PART_BYTES, parts.get(97).data().length);
    String longestId = "x".repeat(64);
    int maxBody = ControlCodec.MAX_PLAINTEXT;
    for (DepositPart p : MailboxControl.split(longestId, KEY, new byte[MailboxSeal.MAX_ENVELOPE])) {
      assertTrue(p.toJson().encode().length() <= maxBody, "deposit part " + p.part());
      MailPart m = new MailPart(Long.MAX_VALUE, KEY, Long.MAX_VALUE, p.part(), p.parts(), p.data());
      assertTrue(m.toJson().encode().length() <= maxBody, "mail part " + p.part() + ": " + m.toJson().encode().length());
    }
    List<Long> ids = new java.util.ArrayList<>();
    for (int i = 0; i < MailboxControl.MAX_ACK_IDS; i++) {
      ids.add(Long.MAX_VALUE - i);
    }
    assertTrue(new Ack(Type.MAIL_ACK, ids).toJson().encode().length() <= maxBody, "the longest ack");
  }

  @Test
  void malformedFieldsAreRefusedAsMalformed() {
    String ok = "{\"t\":\"deposit\",\"did\":\"m-1\",\"to\":\"" + KEY_B64 + "\",\"part\":1,\"parts\":1,\"env\":\"YWJj\"}";
    String[][] cases = {
        {"bad id", ok.replace("\"m-1\"", "\"has space\"")},
        {"short key", ok.replace(KEY_B64, "AAAA")},
        {"part 0", ok.replace("\"part\":1", "\"part\":0")},
        {"part over parts", ok.replace("\"part\":1", "\"part\":2")},
        {"too many parts", ok.replace("\"parts\":1", "\"parts\":99")},
        {"fractional part", ok.replace("\"part\":1", "\"part\":1.5")},
        {"empty env", ok.replace("\"YWJj\"", "\"\"")},
        {"env not base64", ok.replace("\"YWJj\"", "\"!!!!\"")},
        {"env too long", ok.replace("\"YWJj\"", "\"" + "A".repeat(900) + "\"")},
        {"env missing", ok.replace(",\"env\":\"YWJj\"", "")},
    };
    for (String[] c : cases) {
      WireException e = assertThrows(WireException.class, () -> MailboxControl.decodeDeposit(new JsonObject(c[1])), c[0]);
      assertEquals(DropReason.MALFORMED, e.reason(), c[0]);
    }
    assertThrows(WireException.class, () -> MailboxControl.decodeAck(new JsonObject("{\"t\":\"mail-ack\",\"seqs\":[]}")));
    assertThrows(WireException.class, () -> MailboxControl.decodeAck(new JsonObject("{\"t\":\"mail-ack\",\"seqs\":[0]}")));
    assertThrows(WireException.class, () -> MailboxControl.decodeAck(new JsonObject("{\"t\":\"mail-ack\",\"seqs\":[\"1\"]}")));
    assertThrows(WireException.class, () -> MailboxControl.decodeAck(new JsonObject().put("t", "mail-ack")
        .put("seqs", new JsonArray(java.util.Collections.nCopies(MailboxControl.MAX_ACK_IDS + 1, 1)))));
    assertThrows(WireException.class, () -> MailboxControl.decodeAck(new JsonObject("{\"t\":\"deposit\",\"seqs\":[1]}")));
    assertThrows(WireException.class, () -> MailboxControl.decodeRefused(
        new JsonObject("{\"t\":\"refused\",\"did\":\"m\",\"reason\":\"Not A Code\"}")));
    assertThrows(WireException.class, () -> MailboxControl.decodeMail(
        new JsonObject("{\"t\":\"mail\",\"seq\":-1,\"from\":\"" + KEY_B64 + "\",\"at\":1,\"part\":1,\"parts\":1,\"env\":\"YWJj\"}")));
  }

  @Test
  void randomObjectsOnlyEverRaiseWireException() {
    Random random = new Random(17);
    Object[] values = {null, 0, -1, 1, 98, 99, 1.5, Long.MAX_VALUE, "", "m-1", "YWJj", KEY_B64, "x".repeat(2000),
        new JsonArray().add(1), new JsonArray().add("a"), new JsonObject(), true};
    String[] keys = {"t", "did", "to", "from", "part", "parts", "env", "seq", "seqs", "nids", "at", "expiredAt",
        "reason", "nid"};
    for (int i = 0; i < 20_000; i++) {
      JsonObject m = new JsonObject().put("t", Type.values()[random.nextInt(Type.values().length)].wireName());
      for (String key : keys) {
        if (random.nextBoolean()) {
          m.put(key, values[random.nextInt(values.length)]);
        }
      }
      for (int decoder = 0; decoder < 6; decoder++) {
        try {
          switch (decoder) {
            case 0 -> MailboxControl.decodeDeposit(m);
            case 1 -> MailboxControl.decodeDeposited(m);
            case 2 -> MailboxControl.decodeRefused(m);
            case 3 -> MailboxControl.decodeMail(m);
            case 4 -> MailboxControl.decodeAck(m);
            default -> MailboxControl.decodeExpired(m);
          }
        } catch (WireException expected) {
          // the only way to refuse
        }
      }
    }
  }
}
