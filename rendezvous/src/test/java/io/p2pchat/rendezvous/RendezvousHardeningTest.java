package io.p2pchat.rendezvous;

import io.p2pchat.crypto.NodeIdentity;
import io.p2pchat.crypto.PublicKeyOps;
import io.p2pchat.wire.Control;
import io.p2pchat.wire.ControlType;
import io.p2pchat.wire.PacketCodec;
import io.p2pchat.wire.PacketType;
import io.p2pchat.wire.StunCodec;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The rendezvous as a target: signed registration, forged bye, amplification, rate limits. */
class RendezvousHardeningTest {

  private RendezvousHarness server;
  private final List<UdpClient> clients = new ArrayList<>();

  @BeforeEach
  void start() {
    server = new RendezvousHarness(new JsonObject());
  }

  @AfterEach
  void stop() {
    clients.forEach(UdpClient::close);
    server.close();
  }

  private UdpClient client(String nick, String room) {
    UdpClient c = new UdpClient(server.port(), nick, room);
    clients.add(c);
    return c;
  }

  private UdpClient client(String nick, String room, NodeIdentity identity) {
    UdpClient c = new UdpClient(server.port(), nick, room, identity);
    clients.add(c);
    return c;
  }

  /**
   * A register from another address than the one the session's handshake was answered at (here: the client
   * moved to a new port, as after a NAT rebinding) is challenged, and only the signed one over the new
   * address's cookie registers.
   */
  @Test
  void registrationIsAChallengeThenASignedRegister() {
    UdpClient alice = client("alice", "lobby");
    alice.handshake();
    alice.roam();
    alice.sendControl(alice.registration());
    JsonObject challenge = alice.receiveControl(null);
    assertEquals("challenge", challenge.getString(Control.TYPE));
    assertEquals(0, server.stats().getInteger("clients"), "an unvalidated register creates no state");
    alice.sendControl(alice.signedRegistration(Base64.getDecoder().decode(challenge.getString(Control.COOKIE))));
    JsonObject registered = alice.receiveControl(null);
    assertEquals("registered", registered.getString(Control.TYPE), registered.encode());
    assertEquals(1, server.stats().getInteger("clients"));
  }

  @Test
  void introductionsCarryThePeersKey() {
    UdpClient alice = client("alice", "lobby");
    UdpClient bob = client("bob", "lobby");
    alice.register();
    bob.register();
    JsonObject intro = alice.receiveControl(ControlType.INTRODUCE);
    assertEquals("bob", intro.getJsonObject(Control.PEER).getString(Control.NICK));
    assertEquals(Control.base64(bob.identity.signingPublicKey()), intro.getJsonObject(Control.PEER).getString(Control.KEY));
  }

  @Test
  void nickTakeoverWithAnotherKeyFails() {
    UdpClient alice = client("alice", "lobby");
    assertEquals("registered", alice.register().getString(Control.TYPE));
    UdpClient mallory = client("alice", "lobby");
    JsonObject answer = mallory.register();
    assertEquals("error", answer.getString(Control.TYPE));
    assertEquals("nick-taken", answer.getString(Control.CODE));
    // The holder of the key may move (a new port after a NAT rebinding or a restart).
    UdpClient aliceMoved = client("alice", "lobby", alice.identity);
    assertEquals("registered", aliceMoved.register().getString(Control.TYPE));
    assertEquals(1, server.stats().getInteger("clients"));
  }

  /**
   * The register that needs no challenge, captured on the path and replayed first from the attacker's
   * address: that is not where alice's session was answered, so it is only challenged, and the challenge is
   * sealed in alice's session (the attacker cannot read it). Nothing is registered, at either address.
   */
  @Test
  void anUnchallengedRegisterReplayedFromAnotherAddressIsChallengedNotAdmitted() {
    UdpClient alice = client("alice", "lobby");
    byte[] first = alice.encode(alice.registration()).getBytes();
    UdpClient attacker = client("mallory", "lobby");
    List<byte[]> answers = attacker.exchange(first);
    assertEquals(1, answers.size());
    assertEquals(null, attacker.open(answers.get(0)), "sealed for alice, not for the attacker");
    assertEquals(0, server.stats().getInteger("clients"));
    assertTrue(alice.exchange(first).isEmpty(), "the same datagram again is a replay");
    assertEquals(1, server.drops("replayed"));
    // alice's own next register, from the address her session was answered at, needs no challenge.
    assertEquals("registered", alice.register().getString(Control.TYPE));
    assertIntroducedAtItsOwnAddress(alice);
  }

  /** A new client of alice's room is introduced to her at her own address. */
  private void assertIntroducedAtItsOwnAddress(UdpClient alice) {
    UdpClient bob = client("bob", "lobby");
    bob.register();
    JsonObject intro = bob.receiveControl(ControlType.INTRODUCE);
    assertEquals("127.0.0.1:" + alice.port(), intro.getJsonObject(Control.PEER).getString(Control.PUBLIC));
  }

  /**
   * A register from the address at which its sealed session's handshake was answered is admitted at once:
   * no challenge round trip and no signature verify (the session's keys proved the key and the address).
   */
  @Test
  void aRegisterFromTheSessionsOwnAddressIsAdmittedWithoutAChallenge() {
    UdpClient alice = client("alice", "lobby");
    alice.handshake();
    long verifies = PublicKeyOps.get(PublicKeyOps.Kind.ED25519_VERIFY);
    alice.sendControl(alice.registration());
    JsonObject answer = alice.receiveControl(null);
    assertEquals("registered", answer.getString(Control.TYPE), answer.encode());
    assertEquals(verifies, PublicKeyOps.get(PublicKeyOps.Kind.ED25519_VERIFY), "no verify");
    assertEquals(1, server.stats().getInteger("clients"));
  }

  @Test
  void replayedRegisterFromAnotherAddressFails() {
    UdpClient alice = client("alice", "lobby");
    alice.handshake();
    alice.roam();
    alice.sendControl(alice.registration());
    byte[] cookie = Base64.getDecoder().decode(alice.receiveControl(ControlType.CHALLENGE).getString(Control.COOKIE));
    byte[] signed = alice.encode(alice.signedRegistration(cookie)).getBytes();
    // Captured on the path and replayed first, from the attacker's address: the cookie is not the
    // attacker's address's, so only a challenge, sealed in alice's session (the attacker cannot read it).
    UdpClient attacker = client("mallory", "lobby");
    List<byte[]> answers = attacker.exchange(signed);
    assertEquals(1, answers.size());
    assertEquals(null, attacker.open(answers.get(0)), "sealed for alice, not for the attacker");
    assertEquals(0, server.stats().getInteger("clients"));
    // The same datagram again is a replay, from anyone: dropped and counted, never acted on.
    assertTrue(alice.exchange(signed).isEmpty());
    assertEquals(1, server.drops("replayed"));
    alice.sendControl(alice.signedRegistration(cookie));
    assertEquals("registered", alice.receiveControl(ControlType.REGISTERED).getString(Control.TYPE));
    assertTrue(attacker.exchange(signed).isEmpty());
    assertEquals(2, server.drops("replayed"));
    // alice is still at her own address.
    assertIntroducedAtItsOwnAddress(alice);
  }

  /** Protocol 1's cleartext control is dropped and counted, never answered: even a register. */
  @Test
  void unsealedControlIsDroppedAndCounted() {
    UdpClient old = client("old", "lobby");
    assertTrue(old.exchange(UdpClient.unsealed(old.registration()).getBytes()).isEmpty());
    assertEquals(1, server.drops("unauthenticated"));
    assertEquals(0, server.stats().getInteger("clients"));
  }

  /** A session proves one identity key: registering another key in it is refused, whatever the signature. */
  @Test
  void aSessionCannotRegisterAnotherKey() {
    UdpClient alice = client("alice", "lobby");
    alice.handshake();
    alice.roam();
    alice.sendControl(alice.registration());
    byte[] cookie = Base64.getDecoder().decode(alice.receiveControl(ControlType.CHALLENGE).getString(Control.COOKIE));
    NodeIdentity other = NodeIdentity.generate();
    JsonObject foreign = UdpClient.signed(UdpClient.registration(other, "alice", "lobby", alice.instance,
      "127.0.0.1:" + alice.port()), other, cookie);
    assertTrue(alice.exchange(alice.encode(foreign).getBytes()).isEmpty());
    assertEquals(1, server.drops("unauthenticated"));
    assertEquals(0, server.stats().getInteger("clients"));
  }

  /**
   * Forged: a register without a challenge that names another identity key than the session's, from the
   * very address the session was answered at, is refused (the address proves nothing about the key).
   */
  @Test
  void anUnchallengedRegisterOfAnotherKeyIsRefused() {
    UdpClient alice = client("alice", "lobby");
    alice.handshake();
    JsonObject foreign = UdpClient.registration(NodeIdentity.generate(), "alice", "lobby", alice.instance,
      "127.0.0.1:" + alice.port());
    assertTrue(alice.exchange(alice.encode(foreign).getBytes()).isEmpty());
    assertEquals(1, server.drops("unauthenticated"));
    assertEquals(0, server.stats().getInteger("clients"));
  }

  /**
   * Inside a sealed session the {@code register}'s signature is not what proves the key (the session
   * does), so the server spends no Ed25519 verify on it; only the handshake's binding verify remains.
   * A register that names another key than the session's is still refused ({@link #aSessionCannotRegisterAnotherKey}).
   */
  @Test
  void aSealedRegisterCostsTheServerNoSignatureVerify() {
    UdpClient alice = client("alice", "lobby");
    alice.handshake();
    alice.roam();
    alice.sendControl(alice.registration());
    byte[] cookie = Base64.getDecoder().decode(alice.receiveControl(ControlType.CHALLENGE).getString(Control.COOKIE));
    long verifies = PublicKeyOps.get(PublicKeyOps.Kind.ED25519_VERIFY);
    alice.sendControl(alice.signedRegistration(cookie));
    assertEquals(ControlType.REGISTERED, Control.type(alice.receiveControl(ControlType.REGISTERED)));
    assertEquals(verifies, PublicKeyOps.get(PublicKeyOps.Kind.ED25519_VERIFY), "no verify for a sealed register");
    assertEquals(1, server.stats().getInteger("clients"));
  }

  @Test
  void forgedByeFails() {
    UdpClient alice = client("alice", "lobby");
    UdpClient bob = client("bob", "lobby");
    alice.register();
    bob.register();
    alice.receiveControl(ControlType.INTRODUCE);
    // mallory knows alice's nick and instance (introductions carry them) but not her key.
    UdpClient mallory = client("mallory", "lobby");
    JsonObject forged = mallory.signedBye().put(Control.NICK, "alice").put(Control.INSTANCE, alice.instance);
    assertTrue(mallory.exchange(mallory.encode(forged).getBytes()).isEmpty(), "no answer to a forged bye");
    assertEquals(1, server.drops("unauthenticated"));
    JsonObject unsigned = Control.of(ControlType.BYE).put(Control.NICK, "alice").put(Control.INSTANCE, alice.instance);
    assertTrue(mallory.exchange(mallory.encode(unsigned).getBytes()).isEmpty());
    assertEquals(2, server.stats().getInteger("clients"), "alice is still registered");
    // Even from alice's own address a bye must carry her signature: spoofing her address is not enough.
    alice.sendControl(forged);
    alice.sendControl(Control.of(ControlType.KEEPALIVE));
    // (skipping the introduction of bob, resent until alice acknowledges it)
    assertEquals("keepalive-ack", alice.receiveControl(ControlType.KEEPALIVE_ACK).getString(Control.TYPE));
    // Her real bye ends the registration and bob hears of it.
    alice.sendControl(alice.signedBye());
    assertEquals("alice", bob.receiveControl(ControlType.GONE).getString(Control.NICK));
    assertEquals(1, server.stats().getInteger("clients"));
  }

  /** Every command, at its smallest, from a source that is not registered: bytes out <= 3x bytes in. */
  @Test
  void noAnswerToAnUnvalidatedSourceExceedsThreeTimesItsRequest() {
    // A populated lobby with long nicks, so list and peer have a lot to say.
    for (int i = 0; i < 5; i++) {
      client("a-rather-long-nickname-number-" + i, "lobby").register();
    }
    UdpClient stranger = client("s", "lobby");
    // Its session was answered at another address: from this one, it is an unvalidated source (a register
    // from the answered address would be admitted, which makes it a client).
    stranger.handshake();
    stranger.roam();
    Map<String, byte[]> requests = new LinkedHashMap<>();
    requests.put("register", stranger.encode(stranger.registration()).getBytes());
    requests.put("register bad version", stranger.encode(Control.of(ControlType.REGISTER).put(Control.VERSION, 1)).getBytes());
    requests.put("register stale cookie", stranger.encode(stranger.signedRegistration(new byte[16])).getBytes());
    requests.put("keepalive", stranger.encode(Control.of(ControlType.KEEPALIVE)).getBytes());
    requests.put("list", stranger.encode(Control.of(ControlType.LIST)).getBytes());
    requests.put("connect", stranger.encode(Control.of(ControlType.CONNECT).put(Control.NICK, "a")).getBytes());
    requests.put("bye", stranger.encode(stranger.signedBye()).getBytes());
    requests.put("relay", PacketCodec.header(PacketType.RELAY, 0, 1).appendLong(42).appendString("x").getBytes());
    requests.put("stun", StunCodec.bindingRequest(new byte[12]).getBytes());
    requests.put("plain punch", "punch".getBytes(StandardCharsets.US_ASCII));
    requests.put("plain list", "list".getBytes(StandardCharsets.US_ASCII));
    requests.put("plain list 2", "list 2".getBytes(StandardCharsets.US_ASCII));
    requests.put("plain peer", "peer 1".getBytes(StandardCharsets.US_ASCII));
    requests.put("plain peer 99", "peer 99".getBytes(StandardCharsets.US_ASCII));
    requests.put("plain unknown", "x".getBytes(StandardCharsets.US_ASCII));
    StringBuilder report = new StringBuilder();
    for (Map.Entry<String, byte[]> r : requests.entrySet()) {
      int out = stranger.exchange(r.getValue()).stream().mapToInt(d -> d.length).sum();
      report.append(String.format("%-22s in %4d out %4d%n", r.getKey(), r.getValue().length, out));
      assertTrue(out <= 3 * r.getValue().length, r.getKey() + ": " + out + " bytes for " + r.getValue().length + "\n" + report);
    }
    System.out.print(report);
    assertTrue(server.drops("amplification") > 0, "a short plain list or peer gets nothing: " + server.stats());
    assertEquals(0, server.stats().getInteger("bugs"));
  }

  @Test
  void aPaddedListEarnsALongerPageAndPrivateRoomsStayHidden() {
    for (int i = 0; i < 12; i++) {
      client(String.format("user%02d", i), "lobby").register();
    }
    client("hidden", "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef").register();
    UdpClient netcat = client("nc", "lobby");
    assertTrue(netcat.exchange("list\n".getBytes(StandardCharsets.US_ASCII)).isEmpty(), "nothing useful fits 15 bytes");
    String shortPage = page(netcat, "list" + " ".repeat(20) + "\n");
    String longPage = page(netcat, "list" + " ".repeat(400) + "\n");
    assertTrue(shortPage.endsWith(" more\n"), shortPage);
    assertTrue(shortPage.lines().count() < longPage.lines().count(), shortPage + " vs " + longPage);
    assertEquals(12, longPage.lines().count(), longPage);
    assertFalse(longPage.contains("hidden"), "a private room's member never shows in the lobby list");
    String second = page(netcat, "list 2" + " ".repeat(20) + "\n");
    assertFalse(second.lines().findFirst().equals(shortPage.lines().findFirst()), second);
    assertTrue(page(netcat, "peer 1" + " ".repeat(20)).startsWith("user00 127.0.0.1:"));
  }

  private static String page(UdpClient c, String request) {
    List<byte[]> answers = c.exchange(request.getBytes(StandardCharsets.US_ASCII));
    assertEquals(1, answers.size(), "one answer to " + request.trim());
    assertTrue(answers.get(0).length <= 3 * request.length());
    return new String(answers.get(0), StandardCharsets.UTF_8);
  }

  @Test
  void rateLimitKicksInAndTheServerKeepsServingOthers() {
    UdpClient flooder = client("flood", "lobby");
    int sent = 500;
    for (int i = 0; i < sent; i++) {
      flooder.sendText("punch");
    }
    // Wait until the server has seen all of them (none is lost on loopback with a 4 MB buffer).
    JsonObject stats = server.stats();
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (stats.getLong("received") < sent && System.nanoTime() < deadline) {
      stats = server.stats();
    }
    long limited = stats.getJsonObject("drops").getLong("rate-limited", 0L);
    long answered = stats.getLong("answered");
    assertEquals(sent, limited + answered, stats.encode());
    assertTrue(limited >= sent / 2, "most of a flood is refused: " + stats.encode());
    assertTrue(answered >= RendezvousOptions.DEFAULT_REQUEST_BURST, "the burst is served: " + stats.encode());
    UdpClient other = client("other", "lobby");
    assertEquals("registered", other.register().getString(Control.TYPE));
  }
}
