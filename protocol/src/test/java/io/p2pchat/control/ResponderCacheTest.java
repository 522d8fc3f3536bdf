package io.p2pchat.control;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.p2pchat.crypto.AddressCookie;
import io.p2pchat.crypto.CipherSuite;
import io.p2pchat.crypto.NodeIdentity;
import io.p2pchat.crypto.NoiseHandshake;
import io.p2pchat.crypto.PublicKeyOps;
import io.p2pchat.crypto.ResponderCache;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The IK responder's {@link ResponderCache}: a client's re-handshake costs the server es, ee, se and its
 * ephemeral key (3 agreements, 1 key generation, no verify); what the cache skips is only ever skipped for
 * exactly what was computed or verified before, so another identity presenting the same static key is
 * verified again, and one that cannot sign for it is refused.
 */
class ResponderCacheTest {
  private static final String SERVER = "rdv.example:7000";
  private static final InetSocketAddress CLIENT_ADDR = new InetSocketAddress("192.0.2.10", 40000);
  private static final CipherSuite SUITE = CipherSuite.AES_GCM;

  private final SecureRandom random = new SecureRandom();
  private final RendezvousIdentity serverId = RendezvousIdentity.generate();
  private final ControlServer server = new ControlServer(serverId, new AddressCookie(random), SUITE, random);
  private long nowMillis = 1_800_000_000_000L;
  private final long nowNanos = 1_000_000_000L;

  @TempDir
  Path dir;

  /** An initiation of a fresh client of {@code identity}, its cookie fetched first (cookies cost no public-key work). */
  private byte[] initiationOf(NodeIdentity identity) {
    ControlClient client = new ControlClient(identity, SERVER, KnownServers.empty(dir.resolve("known")), SUITE, random,
        () -> nowMillis++);
    byte[] hello = client.start(nowNanos);
    var cookie = assertInstanceOf(ControlServer.Event.Reply.class, server.onDatagram(hello, CLIENT_ADDR, nowMillis, nowNanos));
    return assertInstanceOf(ControlClient.Event.Send.class, client.onDatagram(cookie.datagram(), nowNanos)).datagram();
  }

  /** The server's public-key operations, by kind, while it handles {@code initiation}; its event into {@code out}. */
  private Map<PublicKeyOps.Kind, Long> serverOps(byte[] initiation, ControlServer.Event[] out) {
    Map<PublicKeyOps.Kind, Long> before = PublicKeyOps.snapshot();
    out[0] = server.onDatagram(initiation, CLIENT_ADDR, nowMillis, nowNanos);
    Map<PublicKeyOps.Kind, Long> delta = new EnumMap<>(PublicKeyOps.Kind.class);
    PublicKeyOps.snapshot().forEach((k, n) -> {
      if (n - before.get(k) != 0) {
        delta.put(k, n - before.get(k));
      }
    });
    return delta;
  }

  private static final Map<PublicKeyOps.Kind, Long> FULL = Map.of(PublicKeyOps.Kind.X25519_AGREE, 4L,
      PublicKeyOps.Kind.X25519_GENERATE, 1L, PublicKeyOps.Kind.ED25519_VERIFY, 1L);
  private static final Map<PublicKeyOps.Kind, Long> CACHED = Map.of(PublicKeyOps.Kind.X25519_AGREE, 3L,
      PublicKeyOps.Kind.X25519_GENERATE, 1L);

  @Test
  void aReHandshakeCostsThreeAgreementsOneKeyAndNoVerify() {
    NodeIdentity alice = NodeIdentity.generate();
    ControlServer.Event[] event = new ControlServer.Event[1];
    assertEquals(FULL, serverOps(initiationOf(alice), event), "first handshake: es, ss, ee, se, a key, the binding verify");
    assertInstanceOf(ControlServer.Event.Accepted.class, event[0]);
    for (int i = 0; i < 3; i++) {
      assertEquals(CACHED, serverOps(initiationOf(alice), event), "re-handshake " + i + ": es, ee, se and a key only");
      assertInstanceOf(ControlServer.Event.Accepted.class, event[0]);
    }
  }

  @Test
  void anotherIdentityWithTheSameStaticKeyIsVerifiedAgain() throws IOException {
    NodeIdentity alice = identityFile("alice");
    NodeIdentity mallory = withStaticKeyOf("mallory", "alice");
    ControlServer.Event[] event = new ControlServer.Event[1];
    assertEquals(FULL, serverOps(initiationOf(alice), event));
    // Same static key (ss comes from the cache), another identity key: its binding is checked, and holds.
    assertEquals(Map.of(PublicKeyOps.Kind.X25519_AGREE, 3L, PublicKeyOps.Kind.X25519_GENERATE, 1L,
        PublicKeyOps.Kind.ED25519_VERIFY, 1L), serverOps(initiationOf(mallory), event));
    var accepted = assertInstanceOf(ControlServer.Event.Accepted.class, event[0]);
    assertArrayEquals(mallory.signingPublicKey(), accepted.session().peerSigningKey(),
        "the session speaks for the key that signed");
    assertArrayEquals(alice.staticPublicKey(), mallory.staticPublicKey());
  }

  /**
   * A client holding alice's static key but naming bob's identity with alice's binding signature (which bob
   * never made): the cache has verified alice's binding of that static key, not bob's, so the verify runs and fails.
   */
  @Test
  void aBindingCopiedFromAnotherIdentityIsVerifiedAndRefused() throws Exception {
    NodeIdentity alice = NodeIdentity.generate();
    NodeIdentity bob = NodeIdentity.generate();
    ControlServer.Event[] event = new ControlServer.Event[1];
    assertEquals(FULL, serverOps(initiationOf(alice), event));
    byte[] forged = forgedInitiation(alice, new InitiationPayload(nowMillis++, bob.signingPublicKey(),
        alice.staticBinding()));
    Map<PublicKeyOps.Kind, Long> ops = serverOps(forged, event);
    assertEquals(1L, ops.get(PublicKeyOps.Kind.ED25519_VERIFY), "verified, not taken from the cache");
    var dropped = assertInstanceOf(ControlServer.Event.Dropped.class, event[0]);
    assertEquals(ControlDrop.UNAUTHENTICATED, dropped.drop());
    assertNull(server.sessionOf(bob.signingPublicKey()));
  }

  /** An initiation made by hand: {@code holder}'s static key, {@code payload} as given, a fresh cookie. */
  private byte[] forgedInitiation(NodeIdentity holder, InitiationPayload payload) throws Exception {
    byte[] nonce = new byte[ControlCodec.NONCE_SIZE];
    random.nextBytes(nonce);
    var cookie = assertInstanceOf(ControlServer.Event.Reply.class,
        server.onDatagram(ControlCodec.hello(nonce), CLIENT_ADDR, nowMillis, nowNanos));
    var reply = (ControlMessage.CookieReply) ControlCodec.decode(cookie.datagram());
    NoiseHandshake hs = NoiseHandshake.ikInitiator(holder, serverId.publicKey(), ChannelBinding.prologue(null), SUITE);
    return ControlCodec.initiation(nonce, reply.cookie(), random.nextInt(), hs.writeMessage(payload.encode()));
  }

  /** A new identity kept in a file under the test's directory (so that its lines can be mixed with another's). */
  private NodeIdentity identityFile(String name) throws IOException {
    try {
      return NodeIdentity.loadOrCreate(dir.resolve(name + ".key"));
    } catch (io.p2pchat.crypto.IdentityException e) {
      throw new IOException(e);
    }
  }

  /** The Ed25519 keys of a new identity file {@code name} with the X25519 static key of the identity file {@code other}. */
  private NodeIdentity withStaticKeyOf(String name, String other) throws IOException {
    NodeIdentity identity = identityFile(name);
    List<String> mine = Files.readAllLines(dir.resolve(name + ".key"), StandardCharsets.UTF_8);
    List<String> theirs = Files.readAllLines(dir.resolve(other + ".key"), StandardCharsets.UTF_8);
    String staticLine = theirs.get(theirs.size() - 1);
    List<String> mixed = new java.util.ArrayList<>(mine.subList(0, mine.size() - 1));
    mixed.add(staticLine);
    Path file = dir.resolve("mixed.key");
    Files.write(file, mixed, StandardCharsets.UTF_8);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    try {
      NodeIdentity mixedId = NodeIdentity.loadOrCreate(file);
      assertArrayEquals(identity.signingPublicKey(), mixedId.signingPublicKey());
      return mixedId;
    } catch (io.p2pchat.crypto.IdentityException e) {
      throw new IOException(e);
    }
  }
}
