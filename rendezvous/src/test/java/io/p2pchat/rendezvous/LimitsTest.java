package io.p2pchat.rendezvous;

import io.p2pchat.wire.DatagramKind;
import io.p2pchat.wire.DropReason;
import io.p2pchat.wire.Endpoint;
import io.p2pchat.wire.PacketCodec;
import io.p2pchat.wire.RelayCodec;
import io.p2pchat.wire.WireException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** What a source may ask and be sent: request rates, answer budgets, relay bytes; no sockets, time passed in. */
class LimitsTest {

  private static final long SECOND = 1_000_000_000L;
  /** Burst per source in these tests: small enough to spend in a few calls. */
  private static final int BURST = 3;
  private static final Endpoint STRANGER = new Endpoint("192.0.2.7", 4000);
  private static final Endpoint CLIENT = new Endpoint("192.0.2.8", 5000);
  private static final Buffer PLAIN = Buffer.buffer("punch");

  private final Registry registry = new Registry(10, 10);
  private final Limits limits = new Limits(new RendezvousOptions(new JsonObject()
    .put("requestsPerSecond", 1).put("requestBurst", BURST)
    .put("requestsPerSecondPerHost", 1000).put("requestBurstPerHost", 1000)
    .put("relayBytesPerSecond", 1200)), registry);

  private Registration register(String nick, Endpoint address, long now) throws RegistryException {
    registry.register(new RegisterRequest(nick, "lobby", "i-" + nick, List.of(), List.of(), new byte[32], null, null),
      address, now);
    return registry.byNick(nick);
  }

  @Test
  void aSourceOverItsBurstIsRateLimitedAndOthersAreNot() throws WireException {
    long t = 5 * SECOND;
    for (int i = 0; i < BURST; i++) {
      limits.takeRequest(DatagramKind.PLAIN, PLAIN, STRANGER, t);
    }
    WireException e = assertThrows(WireException.class, () -> limits.takeRequest(DatagramKind.PLAIN, PLAIN, STRANGER, t));
    assertEquals(DropReason.RATE_LIMITED, e.reason());
    assertDoesNotThrow(() -> limits.takeRequest(DatagramKind.PLAIN, PLAIN, CLIENT, t), "another source has its own bucket");
    assertDoesNotThrow(() -> limits.takeRequest(DatagramKind.PLAIN, PLAIN, STRANGER, t + SECOND), "one request a second comes back");
    assertEquals(2, limits.trackedSources());
  }

  /**
   * An IPv6 subscriber holds a whole /64 and may send from any address in it: the per-host bucket and
   * the per-host registration cap count the /64, or every fresh address would be a fresh host.
   */
  @Test
  void ipv6SourcesOfOneSlash64ShareTheirHostsBucketAndCap() throws Exception {
    Limits tight = new Limits(new RendezvousOptions(new JsonObject()
      .put("requestsPerSecond", 1000).put("requestBurst", 1000)
      .put("requestsPerSecondPerHost", 1).put("requestBurstPerHost", BURST)), registry);
    long t = 5 * SECOND;
    for (int i = 1; i <= BURST; i++) {
      tight.takeRequest(DatagramKind.PLAIN, PLAIN, new Endpoint("2001:db8:1:2::" + i, 4000), t);
    }
    WireException e = assertThrows(WireException.class,
      () -> tight.takeRequest(DatagramKind.PLAIN, PLAIN, new Endpoint("2001:db8:1:2:ffff::9", 4000), t));
    assertEquals(DropReason.RATE_LIMITED, e.reason(), "a fresh address of the same /64 is the same host");
    assertDoesNotThrow(() -> tight.takeRequest(DatagramKind.PLAIN, PLAIN, new Endpoint("2001:db8:1:3::1", 4000), t),
      "the next /64 is another host");
    assertEquals(2, tight.trackedHosts());

    Registry capped = new Registry(10, 2);
    RegisterRequest[] requests = new RegisterRequest[3];
    for (int i = 0; i < 3; i++) {
      requests[i] = new RegisterRequest("n" + i, "lobby", "i" + i, List.of(), List.of(), new byte[32], null, null);
    }
    capped.register(requests[0], new Endpoint("2001:db8:1:2::1", 4000), t);
    capped.register(requests[1], new Endpoint("2001:db8:1:2::2", 4000), t);
    assertThrows(RegistryException.class, () -> capped.register(requests[2], new Endpoint("2001:db8:1:2::3", 4000), t),
      "maxClientsPerHost counts the /64");
  }

  @Test
  void relayFramesOfAClientAreNotCountedAsRequests() throws Exception {
    long t = 5 * SECOND;
    register("alice", CLIENT, t);
    Buffer frame = RelayCodec.encode(42, Buffer.buffer(new byte[PacketCodec.HEADER_SIZE]));
    for (int i = 0; i < 10 * BURST; i++) {
      limits.takeRequest(DatagramKind.PACKET, frame, CLIENT, t);
    }
    for (int i = 0; i < BURST; i++) {
      limits.takeRequest(DatagramKind.PACKET, frame, STRANGER, t);
    }
    assertThrows(WireException.class, () -> limits.takeRequest(DatagramKind.PACKET, frame, STRANGER, t),
      "a stranger's relay frames are requests like any other");
  }

  @Test
  void aStrangerIsAnsweredAtMostThreeTimesWhatItSentAClientAnything() throws Exception {
    Exchange fromStranger = new Exchange(STRANGER, 100);
    assertEquals(300, limits.answerBytes(fromStranger));
    limits.takeAnswer(fromStranger, 250, "first");
    WireException e = assertThrows(WireException.class, () -> limits.takeAnswer(fromStranger, 51, "second"));
    assertEquals(DropReason.AMPLIFICATION, e.reason());
    assertEquals(Exchange.Outcome.ANSWERED, fromStranger.outcome());

    register("alice", CLIENT, 0);
    Exchange fromClient = new Exchange(CLIENT, 10);
    assertEquals(PacketCodec.MAX_DATAGRAM, limits.answerBytes(fromClient));
    limits.takeAnswer(fromClient, PacketCodec.MAX_DATAGRAM, "peers");
  }

  @Test
  void aClientsRelayBytesRunOutAndRefill() throws Exception {
    long t = 5 * SECOND;
    Registration alice = register("alice", CLIENT, t);
    limits.takeRelay(alice, 1200, t);
    WireException e = assertThrows(WireException.class, () -> limits.takeRelay(alice, 1, t));
    assertEquals(DropReason.RATE_LIMITED, e.reason());
    limits.takeRelay(alice, 1200, t + SECOND);
  }
}
