package io.p2pchat.control;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.p2pchat.crypto.AddressCookie;
import io.p2pchat.crypto.CipherSuite;
import io.p2pchat.crypto.NodeIdentity;
import io.p2pchat.crypto.PublicKeyOps;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The control channel end to end, without sockets: a client and a server passing byte arrays. */
class ControlChannelTest {
  private static final String SERVER = "rv.example.org:7000";
  private static final InetSocketAddress CLIENT_ADDR = new InetSocketAddress("192.0.2.10", 40000);
  private static final InetSocketAddress SPOOFED = new InetSocketAddress("198.51.100.7", 5353);
  /** Wall clock of the tests (cookie buckets, initiation timestamps): a fixed instant, moved by hand. */
  private static final long T0_MILLIS = 1_800_000_000_000L;

  private final SecureRandom random = new SecureRandom();

  /** A client, a server and a fake clock; {@link #connect} runs the handshake between them. */
  private final class Net {
    final RendezvousIdentity serverId;
    final ControlServer server;
    final KnownServers known = KnownServers.empty(Path.of("unused-known-servers"));
    final NodeIdentity clientId = NodeIdentity.generate();
    final ControlClient client;
    long nowMillis = T0_MILLIS;
    long nowNanos = 1_000_000_000L;

    Net(CipherSuite suite) {
      this(suite, RendezvousIdentity.generate());
    }

    Net(CipherSuite suite, RendezvousIdentity serverId) {
      this.serverId = serverId;
      server = new ControlServer(serverId, new AddressCookie(random), suite, random);
      client = new ControlClient(clientId, SERVER, known, suite, random, () -> nowMillis);
    }

    ControlServer.Event toServer(byte[] datagram) {
      return toServer(datagram, CLIENT_ADDR);
    }

    ControlServer.Event toServer(byte[] datagram, InetSocketAddress src) {
      return server.onDatagram(datagram, src, nowMillis, nowNanos);
    }

    ControlClient.Event toClient(byte[] datagram) {
      return client.onDatagram(datagram, nowNanos);
    }

    /** HELLO, COOKIE, INITIATION, RESPONSE, then the client's first sealed message confirms the session. */
    ControlSession[] connect() {
      byte[] first = client.start(nowNanos);
      byte[] initiation = first;
      if (client.state() == ControlClient.State.AWAIT_COOKIE) {
        var cookie = assertInstanceOf(ControlServer.Event.Reply.class, toServer(first));
        initiation = assertInstanceOf(ControlClient.Event.Send.class, toClient(cookie.datagram())).datagram();
      }
      var accepted = assertInstanceOf(ControlServer.Event.Accepted.class, toServer(initiation));
      assertTrue(accepted.response().length <= initiation.length, "the response is no larger than the initiation");
      var established = assertInstanceOf(ControlClient.Event.Established.class, toClient(accepted.response()));
      var hello = assertInstanceOf(ControlServer.Event.Message.class,
          toServer(client.seal(bytes("{\"t\":\"register\"}"), nowNanos)));
      assertTrue(hello.confirmed());
      assertArrayEquals(bytes("{\"t\":\"register\"}"), hello.payload());
      return new ControlSession[] {established.session(), accepted.session()};
    }
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @ParameterizedTest
  @EnumSource(CipherSuite.class)
  void handshakeAuthenticatesBothSidesAndSealsBothWays(CipherSuite suite) throws Exception {
    Net net = new Net(suite);
    ControlSession[] s = net.connect();
    ControlSession clientSide = s[0];
    ControlSession serverSide = s[1];
    assertArrayEquals(net.serverId.publicKey(), clientSide.peerStaticKey(), "the client talks to the server's key");
    assertArrayEquals(net.clientId.signingPublicKey(), serverSide.peerSigningKey(), "the server knows the client's identity");
    assertNotNull(clientSide.handshakeHash());
    assertNull(serverSide.peerStaticKey(), "the server keeps nothing of the handshake once it proved the client");
    assertNull(serverSide.handshakeHash(), "the server keeps nothing of the handshake once it proved the client");
    assertEquals(ControlSession.State.ESTABLISHED, serverSide.state());
    assertEquals(serverSide, net.server.sessionOf(net.clientId.signingPublicKey()));
    for (int i = 0; i < 5; i++) {
      byte[] down = bytes("{\"t\":\"introduce\",\"n\":" + i + "}");
      var m = assertInstanceOf(ControlClient.Event.Message.class, net.toClient(serverSide.seal(down, net.nowNanos)));
      assertArrayEquals(down, m.payload());
      byte[] up = bytes("{\"t\":\"keepalive\",\"n\":" + i + "}");
      var u = assertInstanceOf(ControlServer.Event.Message.class, net.toServer(net.client.seal(up, net.nowNanos)));
      assertArrayEquals(up, u.payload());
      assertFalse(u.confirmed(), "confirmed once only");
    }
    byte[] big = new byte[ControlCodec.MAX_PLAINTEXT];
    assertEquals(ControlCodec.MAX_DATAGRAM, serverSide.seal(big, net.nowNanos).length);
    assertThrows(IllegalArgumentException.class, () -> serverSide.seal(new byte[ControlCodec.MAX_PLAINTEXT + 1], 0));
  }

  /** Public-key operations of each kind that {@code step} performed (process-wide counters; tests run one at a time). */
  static Map<PublicKeyOps.Kind, Long> opsOf(Runnable step) {
    Map<PublicKeyOps.Kind, Long> before = PublicKeyOps.snapshot();
    step.run();
    Map<PublicKeyOps.Kind, Long> delta = new EnumMap<>(PublicKeyOps.Kind.class);
    PublicKeyOps.snapshot().forEach((k, n) -> {
      if (n - before.get(k) != 0) {
        delta.put(k, n - before.get(k));
      }
    });
    return delta;
  }

  @Test
  void theServersHandshakeCostsFourAgreementsOneKeyAndOneVerifyAndAKeepAliveNone() {
    Net net = new Net(CipherSuite.AES_GCM);
    byte[] hello = net.client.start(net.nowNanos);
    var cookie = assertInstanceOf(ControlServer.Event.Reply.class, net.toServer(hello));
    assertEquals(Map.of(), opsOf(() -> net.toServer(hello)), "a HELLO costs the server no public-key operation");
    byte[] initiation = assertInstanceOf(ControlClient.Event.Send.class, net.toClient(cookie.datagram())).datagram();
    ControlServer.Event[] accepted = new ControlServer.Event[1];
    assertEquals(Map.of(PublicKeyOps.Kind.X25519_AGREE, 4L, PublicKeyOps.Kind.X25519_GENERATE, 1L,
        PublicKeyOps.Kind.ED25519_VERIFY, 1L), opsOf(() -> accepted[0] = net.toServer(initiation)),
        "IK responder: es, ss, ee, se, its ephemeral key, and the client's binding signature");
    var response = assertInstanceOf(ControlServer.Event.Accepted.class, accepted[0]).response();
    assertInstanceOf(ControlClient.Event.Established.class, net.toClient(response));
    for (int i = 0; i < 10; i++) {
      byte[] keepAlive = net.client.seal(bytes("{\"t\":\"keepalive\"}"), net.nowNanos);
      assertEquals(Map.of(), opsOf(() -> assertInstanceOf(ControlServer.Event.Message.class, net.toServer(keepAlive))),
          "a keep-alive (sealed message) costs the server no public-key operation");
    }
  }

  @Test
  void replayRefusedAndReorderingWithinTheWindowAccepted() throws Exception {
    Net net = new Net(CipherSuite.AES_GCM);
    ControlSession serverSide = net.connect()[1];
    byte[][] sent = new byte[10][];
    for (int i = 0; i < sent.length; i++) {
      sent[i] = serverSide.seal(bytes("m" + i), net.nowNanos);
    }
    for (int i = sent.length - 1; i >= 0; i--) { // reversed: every one accepted once
      var m = assertInstanceOf(ControlClient.Event.Message.class, net.toClient(sent[i]));
      assertArrayEquals(bytes("m" + i), m.payload());
    }
    for (byte[] again : sent) {
      assertEquals(ControlDrop.REPLAYED, assertInstanceOf(ControlClient.Event.Dropped.class, net.toClient(again)).drop());
    }
    byte[] up = net.client.seal(bytes("keepalive"), net.nowNanos);
    assertInstanceOf(ControlServer.Event.Message.class, net.toServer(up));
    assertEquals(ControlDrop.REPLAYED, assertInstanceOf(ControlServer.Event.Dropped.class, net.toServer(up)).drop());
    assertTrue(ControlDrop.REPLAYED.expected(), "a network that duplicates makes replays: counted, logged at DEBUG");
  }

  /**
   * The control channel's own window ({@link ControlSession#REPLAY_WINDOW}: the top and the 127 counters
   * below it): each counter is accepted once, the ones further below are refused, across the seam of its
   * two 64-bit words and after slides of every size. Checked against a model (a set of the accepted
   * counters) over seeded random deliveries: reordered, duplicated, some never delivered.
   */
  @Test
  void theControlReplayWindowAcceptsEachCounterOnceAndRefusesOnesBelowIt() throws Exception {
    Net net = new Net(CipherSuite.AES_GCM);
    ControlSession serverSide = net.connect()[1];
    int w = ControlSession.REPLAY_WINDOW;
    assertEquals(128, w);
    byte[][] sent = new byte[4000][];
    for (int i = 0; i < sent.length; i++) {
      sent[i] = serverSide.seal(bytes("m" + i), net.nowNanos);
    }
    // the seam of the two words and the window's floor, with the top at 300
    assertInstanceOf(ControlClient.Event.Message.class, net.toClient(sent[300]));
    for (int c : new int[] {300 - 63, 300 - 64, 300 - 65, 300 - (w - 1)}) {
      assertInstanceOf(ControlClient.Event.Message.class, net.toClient(sent[c]), "counter " + c);
      assertEquals(ControlDrop.REPLAYED, dropOf(net.toClient(sent[c])), "counter " + c + " again");
    }
    assertEquals(ControlDrop.REPLAYED, dropOf(net.toClient(sent[300 - w])), "one below the window");
    assertEquals(ControlDrop.REPLAYED, dropOf(net.toClient(sent[0])), "far below the window");

    java.util.Random rnd = new java.util.Random(0x7e91a);
    java.util.BitSet accepted = new java.util.BitSet();
    for (int c : new int[] {300, 300 - 63, 300 - 64, 300 - 65, 300 - (w - 1)}) {
      accepted.set(c);
    }
    int top = 300;
    int next = 301;
    for (int step = 0; step < 3000 && next < sent.length; step++) {
      int c;
      int pick = rnd.nextInt(20);
      if (pick < 6) {
        c = Math.min(sent.length - 1, next + rnd.nextInt(pick == 0 ? 140 : 3)); // ahead: slides of every size
        next = c + 1;
      } else {
        c = Math.max(0, top - rnd.nextInt(w + 8)); // reordered, a duplicate, or just below the window
      }
      boolean expected = c > top || (top - c < w && !accepted.get(c));
      ControlClient.Event e = net.toClient(sent[c]);
      if (expected) {
        var m = assertInstanceOf(ControlClient.Event.Message.class, e, "counter " + c + ", top " + top);
        assertArrayEquals(bytes("m" + c), m.payload());
        accepted.set(c);
        top = Math.max(top, c);
      } else {
        assertEquals(ControlDrop.REPLAYED, dropOf(e), "counter " + c + ", top " + top);
      }
    }
    assertTrue(top > 3000, "the window slid across the whole run: top " + top);
  }

  @Test
  void forgedSealedDatagramsAreRefusedWithTheirReasonAndTheSessionStillWorks() throws Exception {
    Net net = new Net(CipherSuite.CHACHA20_POLY1305);
    ControlSession serverSide = net.connect()[1];
    byte[] genuine = serverSide.seal(bytes("{\"t\":\"gone\",\"nick\":\"bob\"}"), net.nowNanos);
    // Every single bit flipped: never accepted (header bits change index, counter or framing).
    for (int bit = 0; bit < genuine.length * 8; bit++) {
      byte[] bad = genuine.clone();
      bad[bit / 8] ^= (byte) (1 << (bit % 8));
      var d = assertInstanceOf(ControlClient.Event.Dropped.class, net.toClient(bad), "bit " + bit);
      assertTrue(d.drop() != ControlDrop.REPLAYED, "bit " + bit + ": " + d);
    }
    byte[] body = genuine.clone();
    body[body.length - 1] ^= 1;
    assertEquals(ControlDrop.UNAUTHENTICATED, dropOf(net.toClient(body)));
    assertEquals(ControlDrop.TRUNCATED, dropOf(net.toClient(Arrays.copyOf(genuine, ControlCodec.SEALED_HEADER_SIZE + 3))));
    assertEquals(ControlDrop.UNAUTHENTICATED, dropOf(net.toClient(Arrays.copyOf(genuine, genuine.length - 1))));
    // Another session's keys under this session's index: an attacker with its own handshake.
    Net other = new Net(CipherSuite.CHACHA20_POLY1305);
    ControlSession foreign = other.connect()[1];
    byte[] forged = foreign.seal(bytes("{\"t\":\"gone\",\"nick\":\"bob\"}"), other.nowNanos);
    ControlSession clientSide = net.client.session();
    java.nio.ByteBuffer.wrap(forged).putInt(ControlCodec.HEADER_SIZE, clientSide.localIndex());
    assertEquals(ControlDrop.UNAUTHENTICATED, dropOf(net.toClient(forged)));
    // An unknown index, and the client's own message type reflected back.
    assertEquals(ControlDrop.UNKNOWN_SESSION, dropOf(net.toClient(foreign.seal(bytes("x"), other.nowNanos))));
    // None of it disturbed the session: the genuine datagram (same counter as the forgeries) opens.
    var m = assertInstanceOf(ControlClient.Event.Message.class, net.toClient(genuine));
    assertArrayEquals(bytes("{\"t\":\"gone\",\"nick\":\"bob\"}"), m.payload());
    // And the same on the server side.
    byte[] up = net.client.seal(bytes("keepalive"), net.nowNanos);
    byte[] flipped = up.clone();
    flipped[ControlCodec.SEALED_HEADER_SIZE] ^= 0x40;
    assertEquals(ControlDrop.UNAUTHENTICATED, dropOf(net.toServer(flipped, SPOOFED)));
    assertInstanceOf(ControlServer.Event.Message.class, net.toServer(up));
  }

  private static ControlMessage decode(byte[] datagram) {
    try {
      return ControlCodec.decode(datagram);
    } catch (ControlException e) {
      throw new AssertionError(e);
    }
  }

  private static ControlDrop dropOf(Object event) {
    if (event instanceof ControlClient.Event.Dropped d) {
      return d.drop();
    }
    return assertInstanceOf(ControlServer.Event.Dropped.class, event).drop();
  }

  @Test
  void unvalidatedSourcesGetOnlyACookieOfAtMostTheirOwnSize() throws Exception {
    Net net = new Net(CipherSuite.AES_GCM);
    // A genuine initiation captured from a client, sent again from a forged source: the cookie is for
    // another address, so the server does no DH and answers only a cookie, smaller than what it got.
    net.client.start(net.nowNanos);
    byte[] hello = net.client.start(net.nowNanos);
    var reply = assertInstanceOf(ControlServer.Event.Reply.class, net.toServer(hello));
    assertTrue(reply.datagram().length <= hello.length, reply.datagram().length + " for " + hello.length);
    byte[] initiation = assertInstanceOf(ControlClient.Event.Send.class, net.toClient(reply.datagram())).datagram();
    var spoofed = assertInstanceOf(ControlServer.Event.Reply.class, net.toServer(initiation, SPOOFED));
    assertEquals(ControlCodec.COOKIE_SIZE, spoofed.datagram().length);
    assertTrue(spoofed.datagram().length <= initiation.length);
    assertEquals(0, net.server.sessionCount(), "no state for an unvalidated source");
    // A forged message 1 with a random cookie: the same cookie answer, no state.
    byte[] noise = new byte[ControlCodec.MIN_NOISE_1 + InitiationPayload.LENGTH];
    random.nextBytes(noise);
    byte[] forged = ControlCodec.initiation(new byte[16], new byte[16], 1, noise);
    var f = assertInstanceOf(ControlServer.Event.Reply.class, net.toServer(forged, SPOOFED));
    assertTrue(f.datagram().length <= forged.length);
    // The smallest initiation the codec takes still earns at most 3x (in fact at most 1x).
    byte[] smallest = ControlCodec.initiation(new byte[16], new byte[16], 1, new byte[ControlCodec.MIN_NOISE_1]);
    var s = assertInstanceOf(ControlServer.Event.Reply.class, net.toServer(smallest, SPOOFED));
    assertTrue(s.datagram().length <= smallest.length);
    // A HELLO shorter than the cookie it would earn gets nothing.
    byte[] shortHello = Arrays.copyOf(hello, ControlCodec.HELLO_SIZE - 1);
    assertEquals(ControlDrop.TRUNCATED, dropOf(net.toServer(shortHello, SPOOFED)));
    assertEquals(0, net.server.sessionCount());
    // The genuine client, at its own address, still gets through with that same initiation.
    assertInstanceOf(ControlServer.Event.Accepted.class, net.toServer(initiation));
    // A valid cookie but a forged Noise message: refused after the HMAC, before any state.
    byte[] garbled = initiation.clone();
    garbled[garbled.length - 1] ^= 1;
    net.nowMillis++;
    assertEquals(ControlDrop.UNAUTHENTICATED, dropOf(net.toServer(garbled)));
    assertEquals(1, net.server.sessionCount());
  }

  @Test
  void aClientCannotClaimAnotherClientsIdentity() throws Exception {
    Net net = new Net(CipherSuite.AES_GCM);
    NodeIdentity alice = NodeIdentity.generate();
    NodeIdentity mallory = NodeIdentity.generate();
    var cookie = assertInstanceOf(ControlMessage.CookieReply.class, decode(
        assertInstanceOf(ControlServer.Event.Reply.class, net.toServer(net.client.start(net.nowNanos))).datagram()));
    // Mallory's own static key, Alice's identity key and binding signature.
    io.p2pchat.crypto.NoiseHandshake hs = io.p2pchat.crypto.NoiseHandshake.ikInitiator(mallory, cookie.serverKey(),
        ControlCodec.PROLOGUE, CipherSuite.AES_GCM);
    byte[] payload = new InitiationPayload(net.nowMillis, alice.signingPublicKey(), alice.staticBinding()).encode();
    byte[] forged = ControlCodec.initiation(new byte[16], cookie.cookie(), 9, hs.writeMessage(payload));
    assertEquals(ControlDrop.UNAUTHENTICATED, dropOf(net.toServer(forged)));
    assertEquals(0, net.server.sessionCount());
    assertNull(net.server.sessionOf(alice.signingPublicKey()));
  }

  @Test
  void aHandshakeBoundToOneTlsCertificateFailsUnderAnotherAndUdpStaysUnbound() {
    RendezvousIdentity key = RendezvousIdentity.generate();
    ControlServer server = new ControlServer(key, new AddressCookie(random), CipherSuite.AES_GCM, random);
    byte[] real = ChannelBinding.tlsServerEndPoint(bytes("the rendezvous's certificate"));
    byte[] mitm = ChannelBinding.tlsServerEndPoint(bytes("a man in the middle's certificate"));
    // The client saw the man in the middle's certificate; the server serves its own.
    ControlClient viaMitm = new ControlClient(NodeIdentity.generate(), SERVER, KnownServers.empty(Path.of("unused")),
        CipherSuite.AES_GCM, random, () -> T0_MILLIS, mitm);
    var cookie = assertInstanceOf(ControlServer.Event.Reply.class,
        server.onDatagram(viaMitm.start(1), CLIENT_ADDR, real, T0_MILLIS, 1));
    byte[] initiation = assertInstanceOf(ControlClient.Event.Send.class, viaMitm.onDatagram(cookie.datagram(), 2)).datagram();
    assertEquals(ControlDrop.UNAUTHENTICATED, dropOf(server.onDatagram(initiation, CLIENT_ADDR, real, T0_MILLIS, 3)));
    assertEquals(0, server.sessionCount());
    // The same client's initiation is refused over UDP too (unbound there), and a client that saw the real one gets in.
    assertEquals(ControlDrop.UNAUTHENTICATED, dropOf(server.onDatagram(viaMitm.retransmit(4), CLIENT_ADDR, T0_MILLIS, 4)));
    ControlClient direct = new ControlClient(NodeIdentity.generate(), SERVER, KnownServers.empty(Path.of("unused")),
        CipherSuite.AES_GCM, random, () -> T0_MILLIS, real);
    var cookie2 = assertInstanceOf(ControlServer.Event.Reply.class,
        server.onDatagram(direct.start(5), CLIENT_ADDR, real, T0_MILLIS, 5));
    byte[] initiation2 = assertInstanceOf(ControlClient.Event.Send.class, direct.onDatagram(cookie2.datagram(), 6)).datagram();
    var accepted = assertInstanceOf(ControlServer.Event.Accepted.class,
        server.onDatagram(initiation2, CLIENT_ADDR, real, T0_MILLIS, 7));
    assertInstanceOf(ControlClient.Event.Established.class, direct.onDatagram(accepted.response(), 8));
  }

  @Test
  void aReplayedInitiationIsRefusedAndNeverCutsTheWorkingSession() throws Exception {
    Net net = new Net(CipherSuite.AES_GCM);
    byte[] hello = net.client.start(net.nowNanos);
    var cookie = assertInstanceOf(ControlServer.Event.Reply.class, net.toServer(hello));
    byte[] initiation = assertInstanceOf(ControlClient.Event.Send.class, net.toClient(cookie.datagram())).datagram();
    var accepted = assertInstanceOf(ControlServer.Event.Accepted.class, net.toServer(initiation));
    net.toClient(accepted.response());
    net.toServer(net.client.seal(bytes("register"), net.nowNanos));
    assertEquals(ControlDrop.REPLAYED, dropOf(net.toServer(initiation)), "same timestamp again");
    assertEquals(1, net.server.sessionCount());
    ControlSession current = net.server.sessionOf(net.clientId.signingPublicKey());
    assertEquals(ControlSession.State.ESTABLISHED, current.state());
    assertInstanceOf(ControlClient.Event.Message.class, net.toClient(current.seal(bytes("still here"), net.nowNanos)));
  }

  @Test
  void aReHandshakeReplacesTheSessionOnlyOnceTheClientUsedIt() throws Exception {
    Net net = new Net(CipherSuite.CHACHA20_POLY1305);
    ControlSession[] old = net.connect();
    net.nowNanos += ControlTiming.REHANDSHAKE_AFTER_NANOS;
    net.nowMillis += ControlTiming.REHANDSHAKE_AFTER_NANOS / 1_000_000;
    assertTrue(old[0].needsRehandshake(net.nowNanos));
    byte[] restart = net.client.start(net.nowNanos);
    byte[] initiation = restart;
    if (net.client.state() == ControlClient.State.AWAIT_COOKIE) {
      var c = assertInstanceOf(ControlServer.Event.Reply.class, net.toServer(restart));
      initiation = assertInstanceOf(ControlClient.Event.Send.class, net.toClient(c.datagram())).datagram();
    }
    var accepted = assertInstanceOf(ControlServer.Event.Accepted.class, net.toServer(initiation));
    assertEquals(ControlSession.State.PENDING, accepted.session().state());
    assertThrows(IllegalStateException.class, () -> accepted.session().seal(bytes("x"), net.nowNanos),
        "a pending session seals nothing");
    // The old session still works both ways meanwhile.
    assertInstanceOf(ControlClient.Event.Message.class, net.toClient(old[1].seal(bytes("old"), net.nowNanos)));
    net.toClient(accepted.response());
    assertTrue(net.client.session() != old[0]);
    // The server's datagram under the old session, sent before it saw the new one used, still opens.
    assertInstanceOf(ControlClient.Event.Message.class, net.toClient(old[1].seal(bytes("late"), net.nowNanos)));
    var m = assertInstanceOf(ControlServer.Event.Message.class, net.toServer(net.client.seal(bytes("new"), net.nowNanos)));
    assertTrue(m.confirmed());
    assertEquals(ControlSession.State.CLOSED, old[1].state());
    assertEquals(1, net.server.sessionCount());
    assertSame(old[1].peerKey().shared(), m.session().peerKey().shared(),
        "the client's sessions share its one key array: a rendezvous keeps one copy per client");
    assertArrayEquals(net.clientId.signingPublicKey(), m.session().peerSigningKey());
  }

  /**
   * A server restarted with the same key file has lost every session, yet it can prove that to the
   * session's client alone: its RESET carries the token the client got in the authenticated response.
   * A RESET from anyone else (another key, a guessed token, another session's index) changes nothing.
   */
  @Test
  void aServerRestartedWithTheSameKeyResetsTheSessionAndNobodyElseCan() {
    RendezvousIdentity key = RendezvousIdentity.generate();
    Net net = new Net(CipherSuite.AES_GCM, key);
    ControlSession clientSide = net.connect()[0];
    byte[] keepAlive = net.client.seal(bytes("{\"t\":\"keepalive\"}"), net.nowNanos);

    ControlServer restarted = new ControlServer(key, new AddressCookie(random), CipherSuite.AES_GCM, random);
    var reset = assertInstanceOf(ControlServer.Event.Reset.class,
        restarted.onDatagram(keepAlive, CLIENT_ADDR, net.nowMillis, net.nowNanos));
    assertTrue(reset.reset().length < keepAlive.length, "a reset is smaller than what it answers");

    // Forgeries first: another key's reset, a guessed token, a reset for another index.
    ControlServer impostor = new ControlServer(RendezvousIdentity.generate(), new AddressCookie(random),
        CipherSuite.AES_GCM, random);
    var forged = assertInstanceOf(ControlServer.Event.Reset.class,
        impostor.onDatagram(keepAlive, CLIENT_ADDR, net.nowMillis, net.nowNanos));
    assertEquals(ControlDrop.UNAUTHENTICATED, dropOf(net.toClient(forged.reset())));
    assertEquals(ControlDrop.UNAUTHENTICATED, dropOf(net.toClient(
        ControlCodec.reset(clientSide.remoteIndex(), new byte[ResetTokens.LENGTH]))));
    assertEquals(ControlDrop.UNKNOWN_SESSION, dropOf(net.toClient(
        ControlCodec.reset(clientSide.remoteIndex() + 1, new ResetTokens(key).token(clientSide.remoteIndex() + 1)))));
    assertEquals(clientSide, net.client.session(), "the session survived every forgery");

    assertInstanceOf(ControlClient.Event.Reset.class, net.toClient(reset.reset()));
    assertNull(net.client.session(), "the next message starts a handshake");
    assertEquals(ControlSession.State.CLOSED, clientSide.state());
    // The same reset again finds no session.
    assertEquals(ControlDrop.UNKNOWN_SESSION, dropOf(net.toClient(reset.reset())));
  }

  /** An owner's per-client value rides on the server's entry of the client: kept while the client is, then gone. */
  @Test
  void anAttachmentLivesAsLongAsTheServersEntryOfItsClient() {
    Net net = new Net(CipherSuite.AES_GCM);
    ClientKey stranger = ClientKey.of(NodeIdentity.generate().signingPublicKey());
    assertNull(net.server.attach(stranger, "x"), "nothing attaches to a client the server does not know");
    assertNull(net.server.attachment(stranger));
    ControlSession[] s = net.connect();
    ClientKey key = s[1].peerKey();
    assertNull(net.server.attach(key, "192.0.2.10:40000"));
    assertEquals("192.0.2.10:40000", net.server.attach(ClientKey.of(net.clientId.signingPublicKey()), "192.0.2.10:40001"),
        "found by an equal key, the previous value returned");
    assertEquals("192.0.2.10:40001", net.server.attachment(key));
    long expired = net.nowNanos + ControlTiming.REJECT_AFTER_NANOS;
    net.server.sweep(expired);
    assertEquals("192.0.2.10:40001", net.server.attachment(key), "kept with the client's replay memory");
    net.server.sweep(expired + ControlServer.REPLAY_MEMORY_NANOS);
    assertNull(net.server.attachment(key), "forgotten with the client");
  }

  /**
   * Every way a control session ends wipes its keys (TransportCipher.destroy): the server's close of a client,
   * a newer session that supersedes it, expiry, the server's closeAll, a client's reset and close; a live one keeps them.
   */
  @Test
  void everySessionThatEndsHasItsKeysWiped() {
    Net net = new Net(CipherSuite.AES_GCM);
    ControlSession[] first = net.connect();
    assertFalse(first[0].keysDestroyed());
    assertFalse(first[1].keysDestroyed());
    net.nowMillis += 1;
    ControlSession[] second = net.connect();
    assertTrue(first[1].keysDestroyed(), "the server's session superseded by the client's new one");
    assertFalse(first[0].keysDestroyed(), "the client keeps its previous session for stragglers");
    net.nowMillis += 1;
    ControlSession[] third = net.connect();
    assertTrue(first[0].keysDestroyed(), "the client's previous session superseded twice");
    net.server.close(net.clientId.signingPublicKey());
    assertTrue(third[1].keysDestroyed(), "closed by the server");
    assertFalse(third[0].isUsable(net.nowNanos + ControlTiming.REJECT_AFTER_NANOS));
    assertTrue(third[0].keysDestroyed(), "expired");
    net.client.close("the node stops");
    assertTrue(second[0].keysDestroyed(), "the client's sessions closed with it");
    assertNull(net.client.session());

    Net other = new Net(CipherSuite.CHACHA20_POLY1305);
    ControlSession[] s = other.connect();
    other.server.closeAll("the rendezvous stops");
    assertTrue(s[1].keysDestroyed(), "closeAll");
    assertInstanceOf(ControlServer.Event.Reset.class, other.toServer(other.client.seal(bytes("x"), other.nowNanos)),
        "the server has no session for the client any more");
  }

  /**
   * The handshake of every initiation the client drops without completing it is wiped (NoiseHandshake.destroy):
   * the ones not taken when another's response completes the attempt, the oldest when a fourth is sent, the
   * ones of an attempt restarted, and the ones under way on close.
   */
  @Test
  void initiationsNotTakenAreWipedWhenOneCompletesAndOnClose() {
    Net net = new Net(CipherSuite.AES_GCM);
    var cookie = assertInstanceOf(ControlServer.Event.Reply.class, net.toServer(net.client.start(net.nowNanos)));
    assertInstanceOf(ControlClient.Event.Send.class, net.toClient(cookie.datagram()));
    net.nowMillis++;
    net.client.retransmit(net.nowNanos);
    net.nowMillis++;
    net.client.retransmit(net.nowNanos);
    java.util.List<io.p2pchat.crypto.NoiseHandshake> three = net.client.initiationHandshakes();
    assertEquals(ControlClient.REMEMBERED_INITIATIONS, three.size());
    net.nowMillis++;
    net.client.retransmit(net.nowNanos); // a fourth: the first is forgotten
    assertTrue(three.get(0).isDestroyed(), "the oldest initiation, no longer remembered");
    assertFalse(three.get(1).isDestroyed());
    var accepted = assertInstanceOf(ControlServer.Event.Accepted.class, net.toServer(net.client.retransmit(net.nowNanos)));
    java.util.List<io.p2pchat.crypto.NoiseHandshake> remembered = net.client.initiationHandshakes();
    assertTrue(three.get(1).isDestroyed(), "forgotten when the fifth was sent");
    assertInstanceOf(ControlClient.Event.Established.class, net.toClient(accepted.response()));
    for (var hs : remembered) {
      assertTrue(hs.isDestroyed(), "split (the one taken) or wiped (the others): none outlives the attempt");
    }
    assertTrue(net.client.initiationHandshakes().isEmpty());

    // An attempt restarted, then the client closed, with initiations under way.
    net.nowMillis++;
    net.client.start(net.nowNanos); // under the fresh cookie: an initiation at once
    java.util.List<io.p2pchat.crypto.NoiseHandshake> restarted = net.client.initiationHandshakes();
    assertEquals(1, restarted.size());
    net.nowMillis++;
    net.client.start(net.nowNanos);
    assertTrue(restarted.get(0).isDestroyed(), "the initiation of the attempt restarted");
    net.nowMillis++;
    net.client.retransmit(net.nowNanos);
    java.util.List<io.p2pchat.crypto.NoiseHandshake> open = net.client.initiationHandshakes();
    assertEquals(2, open.size());
    net.client.close("the node stops");
    for (var hs : open) {
      assertTrue(hs.isDestroyed(), "under way when the client closed");
    }
  }

  /**
   * A session keeps its keys in its own fields (issue 18: two cipher objects less a client on a rendezvous): the
   * handshake's ciphers are left destroyed when it takes their keys, so no second copy outlives the session, and a
   * closed session's keys are wiped: it seals nothing more.
   */
  @Test
  void aSessionTakesItsHandshakesKeysAndAClosedOneSealsNothing() throws Exception {
    var send = io.p2pchat.crypto.TransportCipher.of(CipherSuite.AES_GCM, randomKey());
    var receive = io.p2pchat.crypto.TransportCipher.of(CipherSuite.AES_GCM, randomKey());
    ControlSession session = clientSession(send, receive);
    assertTrue(send.isDestroyed() && receive.isDestroyed(), "the handshake's ciphers hold no key once the session took them");
    byte[] out = new byte[64];
    assertThrows(IllegalStateException.class, () -> send.encrypt(5, new byte[0], 0, 0, new byte[1], 0, 1, out, 0));
    assertThrows(IllegalStateException.class, () -> receive.decrypt(0, new byte[0], 0, 0, out, 0, 17, new byte[1], 0));
    session.seal(bytes("x"), 0);
    assertFalse(session.keysDestroyed());
    session.close("test");
    assertTrue(session.keysDestroyed());
    assertThrows(IllegalStateException.class, () -> session.seal(bytes("x"), 0));
  }

  /**
   * One key per direction for a session's life, so its counters are bounded (2^20, one DATA key epoch): past half
   * of them the client is told to handshake again, at the bound the session seals nothing more, and a message
   * whose counter is past the bound is refused even when sealed under the key a DATA cipher would move on to.
   */
  @Test
  void aSessionsCountersAreBoundedAndOneHalfWayAsksForANewHandshake() throws Exception {
    byte[] key = randomKey();
    ControlSession sender = clientSession(io.p2pchat.crypto.TransportCipher.of(CipherSuite.AES_GCM, key),
        io.p2pchat.crypto.TransportCipher.of(CipherSuite.AES_GCM, randomKey()));
    long max = io.p2pchat.crypto.CompactSessionCipher.MAX_COUNTERS;
    byte[] x = bytes("x");
    for (long i = 0; i < max / 2; i++) {
      assertFalse(sender.needsRehandshake(0), "not yet at " + i);
      sender.seal(x, 0);
    }
    assertTrue(sender.needsRehandshake(0), "half the counters used");
    for (long i = max / 2; i < max; i++) {
      sender.seal(x, 0);
    }
    assertFalse(sender.isUsable(0));
    assertThrows(IllegalStateException.class, () -> sender.seal(x, 0));

    ControlSession receiver = clientSession(io.p2pchat.crypto.TransportCipher.of(CipherSuite.AES_GCM, randomKey()),
        io.p2pchat.crypto.TransportCipher.of(CipherSuite.AES_GCM, key));
    var epochs = io.p2pchat.crypto.TransportCipher.of(CipherSuite.AES_GCM, key);
    byte[] beyond = ControlCodec.sealedFrame(receiver.localIndex(), max, x.length);
    epochs.encrypt(max, beyond, 0, ControlCodec.SEALED_HEADER_SIZE, x, 0, x.length, beyond, ControlCodec.SEALED_HEADER_SIZE);
    assertEquals(ControlDrop.UNAUTHENTICATED, assertThrows(ControlException.class, () -> receiver.open(beyond, 0)).drop());
  }

  private byte[] randomKey() {
    byte[] k = new byte[32];
    random.nextBytes(k);
    return k;
  }

  private static ControlSession clientSession(io.p2pchat.crypto.TransportCipher send,
      io.p2pchat.crypto.TransportCipher receive) {
    return new ControlSession(ControlSession.Role.CLIENT, 1, 1,
        new io.p2pchat.crypto.SessionKeys(send, receive, new byte[32]), new byte[32], null, 0,
        io.p2pchat.common.NodeLog.unstamped(ControlSession.class));
  }

  @Test
  void sessionsExpireAndTheServerForgetsThem() {
    Net net = new Net(CipherSuite.AES_GCM);
    ControlSession[] s = net.connect();
    long later = net.nowNanos + ControlTiming.REJECT_AFTER_NANOS;
    assertFalse(s[0].isUsable(later));
    assertThrows(IllegalStateException.class, () -> s[0].seal(bytes("x"), later));
    net.nowNanos = later;
    assertEquals(ControlDrop.EXPIRED, dropOf(net.toServer(java.nio.ByteBuffer.allocate(ControlCodec.SEALED_HEADER_SIZE
        + 16).put(ControlCodec.MAGIC).put((byte) 5).put(ControlCodec.VERSION).put((byte) 0)
        .putInt(s[1].localIndex()).array())));
    assertEquals(1, net.server.sweep(later));
    assertEquals(0, net.server.sessionCount());
  }

  @Test
  void firstUsePinsTheKeyOnlyAfterTheServerProvedIt() {
    Net net = new Net(CipherSuite.AES_GCM);
    byte[] hello = net.client.start(net.nowNanos);
    var cookie = assertInstanceOf(ControlServer.Event.Reply.class, net.toServer(hello));
    byte[] first = assertInstanceOf(ControlClient.Event.Send.class, net.toClient(cookie.datagram())).datagram();
    assertTrue(net.known.remembered(SERVER).isEmpty(), "not pinned on the cookie's word alone");
    // An impostor's response for the right index (it saw the initiation, but lacks the private key):
    // refused, nothing pinned; one for an index nobody awaits: unexpected.
    int index = assertInstanceOf(ControlMessage.Initiation.class, decode(first)).senderIndex();
    byte[] noise = new byte[ControlCodec.MIN_NOISE_2];
    random.nextBytes(noise);
    assertEquals(ControlDrop.UNAUTHENTICATED, dropOf(net.toClient(ControlCodec.response(index, 1, noise))));
    assertEquals(ControlDrop.UNEXPECTED, dropOf(net.toClient(ControlCodec.response(index + 1, 1, noise))));
    assertTrue(net.known.remembered(SERVER).isEmpty());
    net.client.retransmit(net.nowNanos);
    net.nowMillis++;
    byte[] initiation = net.client.retransmit(net.nowNanos);
    var accepted = assertInstanceOf(ControlServer.Event.Accepted.class, net.toServer(initiation));
    var est = assertInstanceOf(ControlClient.Event.Established.class, net.toClient(accepted.response()));
    assertTrue(est.firstUse());
    assertEquals(net.serverId.fingerprint(), est.fingerprint());
    assertArrayEquals(net.serverId.publicKey(), net.known.remembered(SERVER).orElseThrow());
    assertEquals(KnownServers.Trust.KNOWN, net.known.check(SERVER, net.serverId.publicKey()));
  }

  @Test
  void aSecondCookieForARetransmittedHelloIsADuplicateNotADropNorASecondInitiation() {
    Net net = new Net(CipherSuite.AES_GCM);
    byte[] hello = net.client.start(net.nowNanos);
    byte[] again = net.client.retransmit(net.nowNanos); // the first COOKIE was slow: the HELLO went twice
    var first = assertInstanceOf(ControlServer.Event.Reply.class, net.toServer(hello));
    var second = assertInstanceOf(ControlServer.Event.Reply.class, net.toServer(again));
    byte[] initiation = assertInstanceOf(ControlClient.Event.Send.class, net.toClient(first.datagram())).datagram();
    assertInstanceOf(ControlClient.Event.Duplicate.class, net.toClient(second.datagram()));
    assertEquals(ControlClient.State.AWAIT_RESPONSE, net.client.state());
    var accepted = assertInstanceOf(ControlServer.Event.Accepted.class, net.toServer(initiation));
    assertInstanceOf(ControlClient.Event.Established.class, net.toClient(accepted.response()));
    // Once established, the same cookie again is no longer an answer to anything we await.
    assertEquals(ControlDrop.UNEXPECTED, dropOf(net.toClient(second.datagram())));
  }

  @Test
  void aSlowResponseThatCrossedOurReSentInitiationCompletesTheHandshakeAndTheOtherIsALateDrop() {
    Net net = new Net(CipherSuite.AES_GCM);
    var cookie = assertInstanceOf(ControlServer.Event.Reply.class, net.toServer(net.client.start(net.nowNanos)));
    byte[] first = assertInstanceOf(ControlClient.Event.Send.class, net.toClient(cookie.datagram())).datagram();
    net.nowMillis++;
    byte[] resent = net.client.retransmit(net.nowNanos); // the response was overdue: a fresh initiation
    // A loaded server answers both, in order; the answer to the first reaches the client after the re-send.
    var answerToFirst = assertInstanceOf(ControlServer.Event.Accepted.class, net.toServer(first));
    var answerToResent = assertInstanceOf(ControlServer.Event.Accepted.class, net.toServer(resent));
    var est = assertInstanceOf(ControlClient.Event.Established.class, net.toClient(answerToFirst.response()),
        "the first answer to come completes the handshake: it answers an initiation we sent");
    assertEquals(assertInstanceOf(ControlMessage.Initiation.class, decode(first)).senderIndex(),
        est.session().localIndex());
    assertEquals(ControlClient.State.IDLE, net.client.state());
    var register = assertInstanceOf(ControlServer.Event.Message.class,
        net.toServer(net.client.seal(bytes("{\"t\":\"register\"}"), net.nowNanos)),
        "the server still holds the session the client took, though a newer initiation came after it");
    assertTrue(register.confirmed());
    assertEquals(answerToFirst.session(), net.server.sessionOf(net.clientId.signingPublicKey()));
    assertEquals(ControlSession.State.CLOSED, answerToResent.session().state(), "the other answer's session is gone");
    assertEquals(1, net.server.sessionCount());
    // The answer to the re-send arrives last: a known late answer, dropped quietly; the session stands.
    ControlDrop late = dropOf(net.toClient(answerToResent.response()));
    assertEquals(ControlDrop.LATE_RESPONSE, late);
    assertTrue(late.expected(), "logged at DEBUG, not as a warning");
    assertEquals(est.session(), net.client.session());
    // A response to an index we never sent is still a stranger's.
    byte[] noise = new byte[ControlCodec.MIN_NOISE_2];
    random.nextBytes(noise);
    int other = est.session().localIndex() + 7;
    assertEquals(ControlDrop.UNEXPECTED, dropOf(net.toClient(ControlCodec.response(other, 1, noise))));
    assertFalse(ControlDrop.UNEXPECTED.expected());
  }

  @Test
  void unansweredTimeCountsFromTheFirstUnansweredSendAndAnAnswerResetsIt() {
    Net net = new Net(CipherSuite.AES_GCM);
    assertEquals(0, net.client.unansweredNanos(net.nowNanos), "nothing sent, nothing awaited");
    long start = net.nowNanos;
    byte[] hello = net.client.start(net.nowNanos);
    net.nowNanos += 1_000_000_000L;
    net.client.retransmit(net.nowNanos); // a re-send does not restart the wait
    assertEquals(1_000_000_000L, net.client.unansweredNanos(net.nowNanos));
    var cookie = assertInstanceOf(ControlServer.Event.Reply.class, net.toServer(hello));
    net.nowNanos += 5;
    byte[] initiation = assertInstanceOf(ControlClient.Event.Send.class, net.toClient(cookie.datagram())).datagram();
    assertEquals(0, net.client.unansweredNanos(net.nowNanos), "the cookie answered: the initiation's wait starts");
    net.nowNanos += 7;
    assertEquals(7, net.client.unansweredNanos(net.nowNanos));
    var accepted = assertInstanceOf(ControlServer.Event.Accepted.class, net.toServer(initiation));
    assertInstanceOf(ControlClient.Event.Established.class, net.toClient(accepted.response()));
    assertEquals(0, net.client.unansweredNanos(net.nowNanos + start));
  }

  @Test
  void onlyTheLastFewInitiationsOfAnAttemptAreRemembered() {
    Net net = new Net(CipherSuite.AES_GCM);
    var cookie = assertInstanceOf(ControlServer.Event.Reply.class, net.toServer(net.client.start(net.nowNanos)));
    byte[] oldest = assertInstanceOf(ControlClient.Event.Send.class, net.toClient(cookie.datagram())).datagram();
    var answerToOldest = assertInstanceOf(ControlServer.Event.Accepted.class, net.toServer(oldest));
    byte[] last = null;
    for (int i = 0; i < ControlClient.REMEMBERED_INITIATIONS; i++) {
      net.nowMillis++;
      last = net.client.retransmit(net.nowNanos);
    }
    assertEquals(ControlDrop.UNEXPECTED, dropOf(net.toClient(answerToOldest.response())),
        "bounded: the handshake state of an initiation re-sent " + ControlClient.REMEMBERED_INITIATIONS + " times over is gone");
    var accepted = assertInstanceOf(ControlServer.Event.Accepted.class, net.toServer(last));
    assertInstanceOf(ControlClient.Event.Established.class, net.toClient(accepted.response()));
  }

  @Test
  void anOffPathCookieWithoutOurNonceIsIgnored() {
    Net net = new Net(CipherSuite.AES_GCM);
    net.client.start(net.nowNanos);
    byte[] impostorKey = NodeIdentity.generate().staticPublicKey();
    byte[] forged = ControlCodec.cookie(new byte[16], new byte[16], impostorKey);
    assertEquals(ControlDrop.UNEXPECTED, dropOf(net.toClient(forged)));
    assertEquals(ControlClient.State.AWAIT_COOKIE, net.client.state());
    assertTrue(net.known.remembered(SERVER).isEmpty());
  }

  @Test
  void aChangedServerKeyIsRefusedLoudlyAndNothingIsSent() {
    Net net = new Net(CipherSuite.AES_GCM);
    net.known.remember(SERVER, NodeIdentity.generate().staticPublicKey()); // met another key before
    var cookie = assertInstanceOf(ControlServer.Event.Reply.class, net.toServer(net.client.start(net.nowNanos)));
    var refused = assertInstanceOf(ControlClient.Event.KeyRefused.class, net.toClient(cookie.datagram()));
    assertEquals(KnownServers.Trust.CHANGED, refused.trust());
    assertEquals(net.serverId.fingerprint(), refused.presentedFingerprint());
    assertEquals(ControlClient.State.REFUSED, net.client.state());
    assertNull(net.client.retransmit(net.nowNanos), "no initiation to a refused key");
    assertNull(net.client.session());
    // The user accepts the new key: the next start gets through.
    net.known.accept(SERVER, net.serverId.publicKey());
    assertTrue(net.connect()[0].isUsable(net.nowNanos));
  }

  @Test
  void aConfiguredKeyWinsOverTheOneRememberedOnFirstUse() {
    RendezvousIdentity serverId = RendezvousIdentity.generate();
    // Remembered: an old key. Configured: the real key's fingerprint, as printed. The configured one wins.
    Net net = new Net(CipherSuite.AES_GCM, serverId);
    net.known.remember(SERVER, NodeIdentity.generate().staticPublicKey());
    net.known.configure(SERVER, ServerKey.parse(serverId.fingerprint()));
    assertEquals(KnownServers.Trust.CONFIGURED, net.known.check(SERVER, serverId.publicKey()));
    assertFalse(assertInstanceOf(ControlClient.Event.Established.class, establish(net)).firstUse());
    // Configured with another key (base64 form): the real server is refused although nothing was remembered.
    Net other = new Net(CipherSuite.AES_GCM);
    other.known.configure(SERVER, ServerKey.parse(ServerKey.text(NodeIdentity.generate().staticPublicKey())));
    var cookie = assertInstanceOf(ControlServer.Event.Reply.class, other.toServer(other.client.start(other.nowNanos)));
    assertEquals(KnownServers.Trust.CONFIGURED_MISMATCH,
        assertInstanceOf(ControlClient.Event.KeyRefused.class, other.toClient(cookie.datagram())).trust());
  }

  private static ControlClient.Event establish(Net net) {
    var cookie = assertInstanceOf(ControlServer.Event.Reply.class, net.toServer(net.client.start(net.nowNanos)));
    byte[] initiation = assertInstanceOf(ControlClient.Event.Send.class, net.toClient(cookie.datagram())).datagram();
    var accepted = assertInstanceOf(ControlServer.Event.Accepted.class, net.toServer(initiation));
    return net.toClient(accepted.response());
  }
}
