package io.p2pchat.wire;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Issue 3, test 10: random and mutated datagrams; classification and every decoder either parse or
 * throw {@link WireException}, never anything else. The seed is fixed and printed on failure.
 */
class WireFuzzTest {

  private static final long SEED = 0x5EED_2024L;
  private static final int ROUNDS = 10_000;
  private static final byte[] SECRET = new byte[32];

  private interface Decoder {
    void decode(Buffer datagram) throws WireException;
  }

  private static final List<Decoder> DECODERS = List.of(
    PacketCodec::decodeHeader,
    // Like the socket owners: the control body is parsed only after its header was.
    d -> {
      PacketCodec.decodeHeader(d);
      ControlCodec.decode(d);
    },
    ProbeCodec::introId,
    d -> ProbeCodec.decode(d, SECRET),
    RelayCodec::relayId,
    StunCodec::parseBindingRequest,
    StunCodec::parseBindingResponse,
    StunCodec::transactionId,
    PlainCommand::parse,
    d -> ChatPayload.decode(d.getBytes()),
    d -> Endpoint.parse(d.toString(StandardCharsets.ISO_8859_1)));

  /** Valid datagrams of every kind, to mutate: random bytes alone rarely get past the first check. */
  private static List<Buffer> seeds() {
    List<Buffer> seeds = new ArrayList<>();
    seeds.add(PacketCodec.header(PacketType.DATA, 1, 2).appendString("frames"));
    seeds.add(ControlCodec.encode(new JsonObject().put("t", "register").put("v", 1).put("nick", "a"), 1));
    seeds.add(ProbeCodec.encode(new Probe(Probe.Kind.PUNCHED, 1, 2, 3, new Endpoint("10.0.0.1", 5)), 1, SECRET));
    seeds.add(ProbeCodec.encode(new Probe(Probe.Kind.PUNCHED, 1, 2, 3, new Endpoint("2001:db8::1", 5)), 1, SECRET));
    seeds.add(RelayCodec.encode(5, PacketCodec.header(PacketType.DATA, 1, 2)));
    seeds.add(StunCodec.bindingRequest(new byte[12]));
    seeds.add(StunCodec.bindingResponse(new byte[12], new java.net.InetSocketAddress("192.0.2.1", 1)));
    seeds.add(Buffer.buffer(HexFormat.of().parseHex("0101000c2112a442" + "00".repeat(12) + "00200008" + "0001a147e112a643")));
    seeds.add(Buffer.buffer("peer 12"));
    seeds.add(Buffer.buffer(new ChatPayload(true, 5, "id-1", "héllo").encode()));
    seeds.add(Buffer.buffer("[2001:db8::1]:4000"));
    return seeds;
  }

  @Test
  void decodersOnlyEverThrowWireException() {
    Random random = new Random(SEED);
    List<Buffer> seeds = seeds();
    for (int round = 0; round < ROUNDS; round++) {
      Buffer datagram;
      if (round % 2 == 0) {
        byte[] bytes = new byte[random.nextInt(round % 10 == 0 ? 1300 : 64)];
        random.nextBytes(bytes);
        datagram = Buffer.buffer(bytes);
      } else {
        byte[] bytes = seeds.get(random.nextInt(seeds.size())).getBytes();
        int mutations = 1 + random.nextInt(4);
        for (int m = 0; m < mutations && bytes.length > 0; m++) {
          switch (random.nextInt(3)) {
            case 0 -> bytes[random.nextInt(bytes.length)] ^= (byte) (1 << random.nextInt(8));
            case 1 -> bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
            default -> bytes = java.util.Arrays.copyOf(bytes, random.nextInt(bytes.length + 8));
          }
        }
        datagram = Buffer.buffer(bytes);
      }
      try {
        DatagramKind.of(datagram);
      } catch (RuntimeException e) {
        throw new AssertionError("DatagramKind.of threw on round " + round + " (seed " + SEED + "): "
          + HexFormat.of().formatHex(datagram.getBytes()), e);
      }
      for (int d = 0; d < DECODERS.size(); d++) {
        try {
          DECODERS.get(d).decode(datagram);
        } catch (WireException expected) {
          // Refused with a reason: what a socket owner counts and drops.
        } catch (RuntimeException e) {
          throw new AssertionError("decoder " + d + " threw " + e + " on round " + round + " (seed " + SEED + "): "
            + HexFormat.of().formatHex(datagram.getBytes()), e);
        }
      }
    }
  }
}
