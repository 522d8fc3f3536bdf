package io.p2pchat.rendezvous;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.p2pchat.node.TestNet;
import io.p2pchat.node.TestNet.Node;
import io.p2pchat.wire.DropReason;
import io.p2pchat.wire.PacketCodec;
import io.p2pchat.wire.PacketType;
import io.p2pchat.wire.RelayCodec;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 3, test 6: hostile datagrams to the rendezvous and to a client are dropped and counted;
 * both keep serving good requests afterwards.
 */
@ExtendWith(VertxExtension.class)
@Timeout(30)
class MalformedDatagramsTest {

  private static final long SEED = 20240603L;
  private static final int RANDOM_DATAGRAMS = 200;
  private static final int OVERSIZED_BYTES = 2000;

  private record Junk(String name, byte[] bytes, DropReason atRendezvous) {
  }

  private static byte[] control(String json) {
    return control(json.getBytes(StandardCharsets.UTF_8));
  }

  private static byte[] control(byte[] body) {
    return PacketCodec.header(PacketType.CONTROL, 0, 1).appendBytes(body).getBytes();
  }

  /** Named malformed datagrams and the reason the rendezvous counts each under. */
  static List<Junk> crafted() {
    List<Junk> junk = new ArrayList<>();
    byte[] oversized = PacketCodec.header(PacketType.CONTROL, 0, 1).appendBytes(new byte[OVERSIZED_BYTES - 16]).getBytes();
    byte[] wrongVersion = PacketCodec.header(PacketType.CONTROL, 0, 1).appendString("{\"t\":\"list\"}").getBytes();
    wrongVersion[2] = 2;
    byte[] unknownType = PacketCodec.header(PacketType.CONTROL, 0, 1).appendString("{\"t\":\"list\"}").getBytes();
    unknownType[1] = 0x09;
    byte[] invalidUtf8 = Buffer.buffer("{\"t\":\"list\",\"x\":\"").appendBytes(new byte[] {(byte) 0xC3, 0x28, (byte) 0xFF})
      .appendString("\"}").getBytes();
    byte[] badStun = HexFormat.of().parseHex("000100052112a442" + "000102030405060708090a0b" + "00");
    junk.add(new Junk("first byte of no kind", new byte[] {(byte) 0xFF, 1, 2, 3}, DropReason.UNKNOWN_KIND));
    junk.add(new Junk("2000-byte packet", oversized, DropReason.OVERSIZED));
    junk.add(new Junk("2000-byte plain text", ("list" + " ".repeat(OVERSIZED_BYTES - 4)).getBytes(StandardCharsets.US_ASCII),
      DropReason.OVERSIZED));
    junk.add(new Junk("truncated header", new byte[] {PacketCodec.MAGIC, 1, 1, 0, 0, 0}, DropReason.TRUNCATED));
    junk.add(new Junk("wrong version", wrongVersion, DropReason.BAD_VERSION));
    junk.add(new Junk("unknown packet type", unknownType, DropReason.UNKNOWN_TYPE));
    junk.add(new Junk("data packet at the rendezvous", PacketCodec.header(PacketType.DATA, 7, 1).getBytes(),
      DropReason.UNKNOWN_TYPE));
    // Cleartext CONTROL (protocol 1) is refused before its JSON is read: control is sealed now.
    junk.add(new Junk("bad JSON", control("{nope"), DropReason.UNAUTHENTICATED));
    junk.add(new Junk("a JSON array", control("[1,2,3]"), DropReason.UNAUTHENTICATED));
    junk.add(new Junk("no body", control(""), DropReason.UNAUTHENTICATED));
    junk.add(new Junk("unknown control", control("{\"t\":\"dance\"}"), DropReason.UNAUTHENTICATED));
    junk.add(new Junk("nick of the wrong type", control(
      "{\"t\":\"register\",\"v\":1,\"nick\":5,\"room\":\"lobby\",\"token\":\"tttttttttttttttt\",\"instance\":\"i\"}"),
      DropReason.UNAUTHENTICATED));
    junk.add(new Junk("version as text", control("{\"t\":\"register\",\"v\":\"1\",\"nick\":\"x\"}"), DropReason.UNAUTHENTICATED));
    junk.add(new Junk("local not a list", control(
      "{\"t\":\"register\",\"v\":1,\"nick\":\"x\",\"room\":\"lobby\",\"token\":\"tttttttttttttttt\",\"instance\":\"i\","
        + "\"local\":\"1.2.3.4:5\"}"), DropReason.UNAUTHENTICATED));
    junk.add(new Junk("nick with a control character", control(
      "{\"t\":\"register\",\"v\":1,\"nick\":\"a\\u001bb\",\"room\":\"lobby\",\"token\":\"tttttttttttttttt\",\"instance\":\"i\"}"),
      DropReason.UNAUTHENTICATED));
    junk.add(new Junk("connect with a numeric nick", control("{\"t\":\"connect\",\"nick\":42}"), DropReason.UNAUTHENTICATED));
    junk.add(new Junk("invalid UTF-8 in JSON", control(invalidUtf8), DropReason.UNAUTHENTICATED));
    junk.add(new Junk("STUN with a bad length", badStun, DropReason.MALFORMED));
    junk.add(new Junk("relay from a stranger", RelayCodec.encode(12345,
      PacketCodec.header(PacketType.DATA, 1, 1)).getBytes(), DropReason.RELAY_REFUSED));
    junk.add(new Junk("unknown plain command", "dance".getBytes(StandardCharsets.US_ASCII), DropReason.UNKNOWN_TYPE));
    junk.add(new Junk("peer with no number", "peer abc".getBytes(StandardCharsets.US_ASCII), DropReason.MALFORMED));
    return junk;
  }

  static List<byte[]> randomDatagrams() {
    Random random = new Random(SEED);
    List<byte[]> out = new ArrayList<>();
    for (int i = 0; i < RANDOM_DATAGRAMS; i++) {
      byte[] bytes = new byte[1 + random.nextInt(i % 2 == 0 ? 40 : 1200)];
      random.nextBytes(bytes);
      if (i % 4 == 1) {
        bytes[0] = PacketCodec.MAGIC; // reach the header parser
      } else if (i % 4 == 3 && bytes.length >= 3) {
        bytes[0] = PacketCodec.MAGIC;
        bytes[1] = (byte) (1 + random.nextInt(5));
        bytes[2] = PacketCodec.VERSION; // reach the body parsers
      }
      out.add(bytes);
    }
    return out;
  }

  @Test
  void junkIsDroppedAndCountedAndServiceContinues(Vertx vertx, @TempDir Path dir) throws Exception {
    TestNet net = new TestNet(vertx, dir);
    // Rate limits lifted, so every datagram reaches the parsers (the limiter has tests of its own).
    RendezvousVerticle r = net.rendezvous(new JsonObject().put("requestsPerSecond", 1_000_000_000)
      .put("requestBurst", 1_000_000_000).put("requestsPerSecondPerHost", 1_000_000_000)
      .put("requestBurstPerHost", 1_000_000_000));
    Node alice = net.node("alice", r.port());
    Node bob = net.node("bob", r.port());
    alice.awaitPeer("bob", "direct-lan");
    bob.awaitPeer("alice", "direct-lan");
    List<Junk> crafted = crafted();
    List<byte[]> random = randomDatagrams();
    int sent = crafted.size() + random.size();

    try (RawUdp attacker = new RawUdp()) {
      // The rendezvous.
      long before = net.rendezvousStats().getJsonObject("drops").getLong("total");
      for (Junk j : crafted) {
        attacker.send(j.bytes, r.port());
      }
      for (byte[] b : random) {
        attacker.send(b, r.port());
      }
      attacker.sendText("punch", r.port());
      assertEquals("punched", attacker.receiveText(), "the rendezvous still answers (seed " + SEED + ")");
      JsonObject drops = net.rendezvousStats().getJsonObject("drops");
      assertEquals(sent, drops.getLong("total") - before, "every junk datagram counted once: " + drops + " (seed " + SEED + ")");
      Map<DropReason, Integer> expected = new EnumMap<>(DropReason.class);
      crafted.forEach(j -> expected.merge(j.atRendezvous, 1, Integer::sum));
      expected.forEach((reason, n) -> assertTrue(drops.getLong(reason.label(), 0L) >= n,
        reason.label() + " counted " + drops.getLong(reason.label(), 0L) + " of at least " + n + ": " + drops));

      // A client.
      long clientBefore = alice.stats().getJsonObject("drops").getLong("total");
      for (Junk j : crafted) {
        attacker.send(j.bytes, alice.port());
      }
      for (byte[] b : random) {
        attacker.send(b, alice.port());
      }
      attacker.sendText("punch", alice.port());
      assertEquals("punched", attacker.receiveText(), "the client still answers (seed " + SEED + ")");
      JsonObject clientDrops = alice.stats().getJsonObject("drops");
      assertEquals(sent, clientDrops.getLong("total") - clientBefore, "client drops " + clientDrops + " (seed " + SEED + ")");
    }

    // Both still do their real work: a newcomer registers and is introduced, and everyone chats.
    Node carol = net.node("carol", r.port());
    carol.awaitPeer("alice", "direct-lan");
    String id = alice.send("still here");
    bob.awaitReceived("alice", "still here");
    carol.awaitReceived("alice", "still here");
    alice.awaitDelivered(id, "bob");
    String back = bob.send("me too");
    alice.awaitReceived("bob", "me too");
    bob.awaitDelivered(back, "alice");
    assertEquals(3, net.rendezvousStats().getInteger("clients"));
  }
}
