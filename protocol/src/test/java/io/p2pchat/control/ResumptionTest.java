package io.p2pchat.control;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.p2pchat.crypto.AddressCookie;
import io.p2pchat.crypto.NodeIdentity;
import io.p2pchat.crypto.PublicKeyOps;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Resumption tickets end to end without sockets: clients and servers (instances of one cluster share
 * their {@link TicketKeys}) passing byte arrays, with a clock moved by hand.
 */
class ResumptionTest {
  private static final InetSocketAddress CLIENT_ADDR = new InetSocketAddress("192.0.2.10", 40000);
  private static final InetSocketAddress OTHER_ADDR = new InetSocketAddress("198.51.100.7", 5353);
  private static final long T0_MILLIS = 1_800_000_000_000L;

  private final SecureRandom random = new SecureRandom();
  private long nowMillis = T0_MILLIS;
  private long nowNanos = 1_000_000_000L;
  private final NodeIdentity clientId = NodeIdentity.generate();
  private final TicketWallet wallet = new TicketWallet();
  private final KnownServers known = KnownServers.empty(Path.of("unused-known-servers"));
  /** The cluster's shared ticket keys. */
  private TicketKeys clusterKeys = TicketKeys.create(T0_MILLIS, random);

  /** An instance of the cluster (its own identity, the cluster's ticket keys). */
  private ControlServer instance() {
    ControlServer s = new ControlServer(RendezvousIdentity.generate(), new AddressCookie(random),
        ControlCodec.SUITE, random);
    s.useTicketKeys(() -> clusterKeys);
    return s;
  }

  private ControlClient clientOf(String server) {
    return new ControlClient(clientId, server, known, ControlCodec.SUITE, random, () -> nowMillis).useTickets(wallet);
  }

  private ControlServer.Event to(ControlServer server, byte[] datagram, InetSocketAddress from) {
    return server.onDatagram(datagram, from, nowMillis, nowNanos);
  }

  /** A client of "rv1:7000" registered at {@code server} by a full handshake. */
  private ControlClient registered(ControlServer server) {
    ControlClient client = clientOf("rv1:7000");
    handshake(client, server);
    return client;
  }

  /** The full handshake (HELLO, COOKIE, INITIATION, RESPONSE) and a confirming register; returns the server's session. */
  private ControlSession handshake(ControlClient client, ControlServer server) {
    byte[] first = client.start(nowNanos);
    return finishHandshake(client, server, first);
  }

  private ControlSession finishHandshake(ControlClient client, ControlServer server, byte[] first) {
    byte[] initiation = first;
    if (client.state() == ControlClient.State.AWAIT_COOKIE) {
      var cookie = assertInstanceOf(ControlServer.Event.Reply.class, to(server, first, CLIENT_ADDR));
      initiation = assertInstanceOf(ControlClient.Event.Send.class, client.onDatagram(cookie.datagram(), nowNanos)).datagram();
    }
    var accepted = assertInstanceOf(ControlServer.Event.Accepted.class, to(server, initiation, CLIENT_ADDR));
    var established = assertInstanceOf(ControlClient.Event.Established.class, client.onDatagram(accepted.response(), nowNanos));
    assertFalse(established.resumed());
    confirm(client, server);
    return accepted.session();
  }

  /** The client's first sealed message in its new session: the server makes it the client's session. */
  private void confirm(ControlClient client, ControlServer server) {
    var m = assertInstanceOf(ControlServer.Event.Message.class,
        to(server, client.seal(bytes("{\"t\":\"register\"}"), nowNanos), CLIENT_ADDR));
    assertTrue(m.confirmed());
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static Map<PublicKeyOps.Kind, Long> opsOf(Runnable step) {
    return ControlChannelTest.opsOf(step);
  }

  private void later(long seconds) {
    nowMillis += seconds * 1000;
    nowNanos += seconds * 1_000_000_000L;
  }

  @Test
  void aResumptionCostsNoPublicKeyOperationOnEitherSideAndChains() {
    ControlServer server = instance();
    ControlClient client = clientOf("rv1:7000");
    ControlSession first = handshake(client, server);
    assertTrue(wallet.holdsTicket(), "the full handshake's response carried a ticket");
    for (int round = 0; round < 3; round++) {
      later(120); // the re-key of ControlTiming.REHANDSHAKE_AFTER_NANOS
      ControlSession before = server.sessionOf(clientId.signingPublicKey());
      byte[][] resume = new byte[1][];
      assertEquals(Map.of(), opsOf(() -> resume[0] = client.start(nowNanos)), "the client's RESUME");
      assertEquals(ControlClient.State.AWAIT_RESUMED, client.state());
      assertEquals(ControlCodec.RESUME_SIZE, resume[0].length);
      ControlServer.Event[] event = new ControlServer.Event[1];
      assertEquals(Map.of(), opsOf(() -> event[0] = to(server, resume[0], CLIENT_ADDR)), "the server's resumption");
      var resumed = assertInstanceOf(ControlServer.Event.Resumed.class, event[0]);
      assertTrue(resumed.resumed().length <= resume[0].length, "RESUMED is no larger than the RESUME");
      assertEquals(ControlSession.State.PENDING, resumed.session().state());
      assertSame(before, server.sessionOf(clientId.signingPublicKey()), "the old session serves until the new one is confirmed");
      ControlClient.Event[] established = new ControlClient.Event[1];
      assertEquals(Map.of(), opsOf(() -> established[0] = client.onDatagram(resumed.resumed(), nowNanos)), "the client's");
      assertTrue(assertInstanceOf(ControlClient.Event.Established.class, established[0]).resumed());
      assertEquals(Map.of(), opsOf(() -> confirm(client, server)));
      ControlSession now = server.sessionOf(clientId.signingPublicKey());
      assertSame(resumed.session(), now);
      assertArrayEquals(clientId.signingPublicKey(), now.peerSigningKey(), "the ticket names the client's identity");
      assertNull(now.peerStaticKey(), "a server session keeps no static key: the ticket carries it to the next one");
      assertEquals(ControlSession.State.CLOSED, before.state());
      byte[] down = bytes("{\"t\":\"registered\"}");
      var m = assertInstanceOf(ControlClient.Event.Message.class, client.onDatagram(now.seal(down, nowNanos), nowNanos));
      assertArrayEquals(down, m.payload());
    }
    assertEquals(ControlSession.State.CLOSED, first.state());
    assertEquals(1, server.sessionCount());
  }

  @Test
  void aChangedBitInTheTicketOrTheRequestIsDroppedAndChangesNothing() {
    ControlServer server = instance();
    ControlClient client = registered(server);
    ControlSession current = server.sessionOf(clientId.signingPublicKey());
    byte[] resume = client.start(nowNanos);
    int[] positions = {ControlCodec.HEADER_SIZE + Resumption.NONCE_SIZE + Integer.BYTES + 2, // ticket key id
        ControlCodec.HEADER_SIZE + Resumption.NONCE_SIZE + Integer.BYTES + 40, // ticket ciphertext
        ControlCodec.RESUME_FIXED - 1, // ticket tag
        ControlCodec.HEADER_SIZE + 3, // client nonce: another request key
        ControlCodec.RESUME_FIXED + 2, // the sealed timestamp
        ControlCodec.RESUME_SIZE - 1}; // its tag
    for (int p : positions) {
      byte[] forged = resume.clone();
      forged[p] ^= 0x10;
      var d = assertInstanceOf(ControlServer.Event.Dropped.class, to(server, forged, CLIENT_ADDR), "bit at " + p);
      assertEquals(ControlDrop.BAD_TICKET, d.drop(), "bit at " + p + ": " + d.why());
      assertEquals(1, server.sessionCount(), "no session made");
      assertSame(current, server.sessionOf(clientId.signingPublicKey()));
    }
    assertInstanceOf(ControlServer.Event.Resumed.class, to(server, resume, CLIENT_ADDR), "the genuine RESUME still resumes");
  }

  @Test
  void aReplayedResumeIsRefusedFromAnyAddressAndCutsNothing() {
    ControlServer server = instance();
    ControlClient client = registered(server);
    byte[] resume = client.start(nowNanos);
    var resumed = assertInstanceOf(ControlServer.Event.Resumed.class, to(server, resume, CLIENT_ADDR));
    client.onDatagram(resumed.resumed(), nowNanos);
    confirm(client, server);
    ControlSession working = server.sessionOf(clientId.signingPublicKey());
    for (InetSocketAddress from : new InetSocketAddress[] {CLIENT_ADDR, OTHER_ADDR}) {
      later(1);
      var d = assertInstanceOf(ControlServer.Event.Dropped.class, to(server, resume, from));
      assertEquals(ControlDrop.REPLAYED, d.drop(), d.why());
      assertSame(working, server.sessionOf(clientId.signingPublicKey()));
      assertEquals(ControlSession.State.ESTABLISHED, working.state());
      assertEquals(1, server.sessionCount(), "no pending session from a replay");
    }
    // Once the server forgot the client (its replay memory is as long as the freshness window), the timestamp is too old.
    server.close(clientId.signingPublicKey());
    later(ControlServer.REPLAY_MEMORY_NANOS / 1_000_000_000L);
    server.sweep(nowNanos);
    var old = assertInstanceOf(ControlServer.Event.Dropped.class, to(server, resume, OTHER_ADDR));
    assertEquals(ControlDrop.TICKET_EXPIRED, old.drop(), old.why());
    assertEquals(0, server.sessionCount());
  }

  @Test
  void anotherInstanceOfTheClusterResumesTheTicketOfTheOneThatDied() {
    ControlServer rv1 = instance();
    ControlServer rv2 = instance();
    ControlClient to1 = clientOf("rv1:7000");
    ControlClient to2 = clientOf("rv2:7000");
    handshake(to1, rv1);
    later(5); // rv1 dies; the client fails over to the next server of its list
    byte[] resume = to2.start(nowNanos);
    assertEquals(ControlClient.State.AWAIT_RESUMED, to2.state(), "no handshake with rv2 ever ran: the ticket is used");
    ControlServer.Event[] event = new ControlServer.Event[1];
    assertEquals(Map.of(), opsOf(() -> event[0] = to(rv2, resume, CLIENT_ADDR)));
    var resumed = assertInstanceOf(ControlServer.Event.Resumed.class, event[0]);
    assertTrue(assertInstanceOf(ControlClient.Event.Established.class, to2.onDatagram(resumed.resumed(), nowNanos)).resumed());
    confirm(to2, rv2);
    assertNotNull(rv2.sessionOf(clientId.signingPublicKey()));
  }

  @Test
  void aTicketOfAnotherClusterIsRefusedAndTheClientFallsBackToTheFullHandshake() {
    ControlServer rv1 = instance();
    ControlClient to1 = clientOf("rv1:7000");
    handshake(to1, rv1);
    TicketKeys ours = clusterKeys;
    clusterKeys = TicketKeys.create(nowMillis, random); // another cluster: its own keys
    ControlServer stranger = instance();
    ControlClient toStranger = clientOf("stranger:7000");
    byte[] out = toStranger.start(nowNanos);
    for (int attempt = 1; attempt <= ControlClient.MAX_RESUME_ATTEMPTS; attempt++) {
      assertEquals(ControlCodec.Type.RESUME.code(), out[1], "attempt " + attempt);
      var d = assertInstanceOf(ControlServer.Event.Dropped.class, to(stranger, out, CLIENT_ADDR));
      assertEquals(ControlDrop.BAD_TICKET, d.drop());
      nowNanos = toStranger.retransmitDeadline();
      out = toStranger.retransmit(nowNanos);
    }
    assertFalse(wallet.holdsTicket(), "the refused ticket is given up");
    assertEquals(ControlCodec.Type.HELLO.code(), out[1], "then the full handshake");
    finishHandshake(toStranger, stranger, out);
    assertNotNull(stranger.sessionOf(clientId.signingPublicKey()), "registered at the other cluster");
    assertTrue(wallet.holdsTicket(), "with a ticket of that cluster now");
    clusterKeys = ours;
    assertNotNull(rv1.sessionOf(clientId.signingPublicKey()), "the first cluster's session is not touched");
  }

  @Test
  void aLostResumeOrResumedIsSentAgainAndStillResumes() {
    ControlServer server = instance();
    ControlClient client = registered(server);
    byte[] lost = client.start(nowNanos); // the network eats it
    nowNanos = client.retransmitDeadline();
    byte[] second = client.retransmit(nowNanos);
    var unheard = assertInstanceOf(ControlServer.Event.Resumed.class, to(server, second, CLIENT_ADDR)); // its RESUMED is lost
    nowNanos = client.retransmitDeadline();
    byte[] third = client.retransmit(nowNanos);
    assertEquals(ControlCodec.Type.RESUME.code(), third[1], "still resuming after two losses");
    var resumed = assertInstanceOf(ControlServer.Event.Resumed.class, to(server, third, CLIENT_ADDR));
    assertTrue(assertInstanceOf(ControlClient.Event.Established.class, client.onDatagram(resumed.resumed(), nowNanos)).resumed());
    var late = assertInstanceOf(ControlClient.Event.Dropped.class, client.onDatagram(unheard.resumed(), nowNanos));
    assertEquals(ControlDrop.UNEXPECTED, late.drop(), "a late RESUMED of an older attempt changes nothing");
    confirm(client, server);
    assertEquals(ControlSession.State.CLOSED, unheard.session().state(),
        "the unheard pending session is closed once the client confirmed another of the same attempt");
    assertEquals(1, server.sessionCount());
    assertFalse(lost.length == 0);
  }

  /**
   * Every AES-GCM seal of resumption has a (key, nonce) of its own, so none can repeat one (ThreadJce refuses
   * a repeat as nonce reuse): each RESUME of one ticket, re-sent on a timer or by a caller's own retry, seals
   * its timestamp under a request key of its own client nonce; each RESUMED seals under an answer key of its
   * own server nonce, with a ticket under a random ticket nonce; the same RESUME again is not answered again.
   */
  @Test
  void noTwoResumptionSealsShareAKeyAndNonce() throws Exception {
    ControlServer server = instance();
    ControlClient client = registered(server);
    java.util.Set<String> clientNonces = new java.util.HashSet<>();
    java.util.Set<String> serverNonces = new java.util.HashSet<>();
    java.util.Set<String> ticketNonces = new java.util.HashSet<>();
    byte[] first = client.start(nowNanos);
    byte[][] resumes = {first, client.retransmit(client.retransmitDeadline()), client.start(nowNanos)};
    for (byte[] resume : resumes) {
      var m = assertInstanceOf(ControlMessage.Resume.class, ControlCodec.decode(resume));
      assertTrue(clientNonces.add(java.util.HexFormat.of().formatHex(m.clientNonce())), "a client nonce again");
      later(1);
      var answered = assertInstanceOf(ControlServer.Event.Resumed.class, to(server, resume, CLIENT_ADDR));
      var r = assertInstanceOf(ControlMessage.Resumed.class, ControlCodec.decode(answered.resumed()));
      assertTrue(serverNonces.add(java.util.HexFormat.of().formatHex(r.serverNonce())), "a server nonce again");
      var again = assertInstanceOf(ControlServer.Event.Dropped.class, to(server, resume, CLIENT_ADDR));
      assertEquals(ControlDrop.REPLAYED, again.drop(), "the same RESUME is not answered (sealed) twice");
      if (resume == resumes[resumes.length - 1]) {
        client.onDatagram(answered.resumed(), nowNanos);
      }
    }
    for (int round = 0; round < 3; round++) {
      byte[] ticket = wallet.usable(nowNanos).ticket();
      assertTrue(ticketNonces.add(java.util.HexFormat.of().formatHex(ticket, Integer.BYTES,
          Integer.BYTES + ResumptionTicket.NONCE_LENGTH)), "a ticket nonce again");
      later(1);
      var resumed = assertInstanceOf(ControlServer.Event.Resumed.class, to(server, client.start(nowNanos), CLIENT_ADDR));
      client.onDatagram(resumed.resumed(), nowNanos);
    }
  }

  @Test
  void ticketsLiveTwoRotationsAndChainsEndWithAFullHandshake() {
    ControlServer server = instance();
    ControlClient client = registered(server);
    byte[] resume = client.start(nowNanos);
    clusterKeys = clusterKeys.rotated(nowMillis + TicketKeys.ROTATION_MILLIS, random);
    assertInstanceOf(ControlServer.Event.Resumed.class, to(server, resume, CLIENT_ADDR), "one rotation later: opens");
    clusterKeys = clusterKeys.rotated(nowMillis + 2 * TicketKeys.ROTATION_MILLIS, random);
    later(1);
    var d = assertInstanceOf(ControlServer.Event.Dropped.class, to(server, client.start(nowNanos), CLIENT_ADDR));
    assertEquals(ControlDrop.BAD_TICKET, d.drop(), "two rotations later its key is gone");

    ResumptionTicket.Contents c = new ResumptionTicket.Contents(nowMillis, new byte[32], new byte[32], new byte[32]);
    byte[] ticket = ResumptionTicket.seal(clusterKeys, c, nowMillis, random);
    assertEquals(nowMillis, assertDoesOpen(ticket, nowMillis + ResumptionTicket.LIFETIME_MILLIS - 1));
    ControlException e = org.junit.jupiter.api.Assertions.assertThrows(ControlException.class,
        () -> ResumptionTicket.open(clusterKeys, ticket, nowMillis + ResumptionTicket.LIFETIME_MILLIS));
    assertEquals(ControlDrop.TICKET_EXPIRED, e.drop());
  }

  private long assertDoesOpen(byte[] ticket, long at) {
    try {
      return ResumptionTicket.open(clusterKeys, ticket, at).authenticatedAtMillis();
    } catch (ControlException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void aClientNearItsTicketsEndOfLifeRunsTheFullHandshake() {
    ControlServer server = instance();
    ControlClient client = registered(server);
    later(ResumptionTicket.LIFETIME_MILLIS / 1000 - TicketWallet.RENEW_BEFORE_END_NANOS / 1_000_000_000L);
    clusterKeys = clusterKeys.rotated(nowMillis, random);
    byte[] first = client.start(nowNanos);
    assertEquals(ControlCodec.Type.HELLO.code(), first[1], "a full handshake, not a RESUME the server would refuse");
    assertFalse(wallet.holdsTicket());
  }

  @Test
  void ticketKeysSurviveTheirTextForm() {
    TicketKeys k = TicketKeys.create(T0_MILLIS, random).rotated(T0_MILLIS + TicketKeys.ROTATION_MILLIS, random);
    TicketKeys back = TicketKeys.decode(k.encode());
    assertEquals(2, back.keys().size());
    assertEquals(k.current(T0_MILLIS).id(), back.current(T0_MILLIS).id());
    assertArrayEquals(k.keys().get(1).secret(), back.keys().get(1).secret());
    assertEquals(T0_MILLIS + TicketKeys.ROTATION_MILLIS + TicketKeys.PUBLISH_AHEAD_MILLIS, back.keys().get(1).createdMillis(),
        "a late rotation publishes the next key ahead too");
  }

  @Test
  void theNextKeyIsPublishedBeforeItSealsAndTheOldOneForgottenAfterTwoRotations() {
    TicketKeys k = TicketKeys.create(T0_MILLIS, random);
    long publish = T0_MILLIS + TicketKeys.ROTATION_MILLIS - TicketKeys.PUBLISH_AHEAD_MILLIS;
    assertSame(k, k.rotated(publish - 1, random), "nothing due yet");
    TicketKeys two = k.rotated(publish, random);
    assertEquals(2, two.keys().size());
    assertEquals(k.current(publish).id(), two.current(publish).id(), "the new key is known but does not seal yet");
    assertEquals(two.keys().get(1).id(), two.current(T0_MILLIS + TicketKeys.ROTATION_MILLIS).id(), "then it seals");
    TicketKeys three = two.rotated(publish + TicketKeys.ROTATION_MILLIS, random);
    assertEquals(3, three.keys().size(), "the one before, the current one, the next one");
    TicketKeys later = three.rotated(T0_MILLIS + TicketKeys.KEEP_MILLIS, random);
    assertNull(later.find(k.current(T0_MILLIS).id()), "forgotten two rotations after it began sealing");
    assertEquals(ControlCodec.RESUME_SIZE, ControlCodec.RESUMED_SIZE, "RESUMED exactly as large as the RESUME it answers");
  }
}
