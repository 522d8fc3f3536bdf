package io.p2pchat.mailbox;

import io.p2pchat.crypto.NodeIdentity;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PeerDirectoryTest {

  @TempDir
  Path dir;

  private static void learn(PeerDirectory d, String nick, NodeIdentity id) {
    d.learned(nick, id.signingPublicKey(), id.staticPublicKey(), id.staticBinding());
  }

  private static void save(PeerDirectory d) throws Exception {
    PeerDirectory.save(d.file(), d.encode());
  }

  @Test
  void whatWasLearnedSurvivesARestartOwnerOnly() throws Exception {
    NodeIdentity bob = NodeIdentity.generate();
    PeerDirectory d = PeerDirectory.load(dir);
    learn(d, "bob", bob);
    d.talked("bob", "lobby", 1_000);
    d.talked("nobody", "lobby", 1_000); // never had a session: nothing to seal to, not remembered
    save(d);

    PeerDirectory again = PeerDirectory.load(dir);
    PeerDirectory.Peer p = again.peer("bob").orElseThrow();
    assertArrayEquals(bob.staticPublicKey(), p.staticKey());
    assertArrayEquals(bob.signingPublicKey(), again.byIdentity(bob.signingPublicKey()).orElseThrow().identityKey());
    assertEquals(List.of("bob"), again.talkedIn("lobby", 1_000).stream().map(PeerDirectory.Peer::nick).toList());
    assertEquals(List.of(), again.talkedIn("lobby", 1_001), "talked before the window");
    assertEquals(1, again.size());
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(d.file())));
  }

  @Test
  void aLineWhoseBindingDoesNotVouchForItsStaticKeyIsSkipped() throws Exception {
    NodeIdentity bob = NodeIdentity.generate();
    NodeIdentity mallory = NodeIdentity.generate();
    PeerDirectory d = PeerDirectory.load(dir);
    learn(d, "bob", bob);
    save(d);
    // An edit puts mallory's static key under bob's identity: sealing to it would hand bob's mail to mallory.
    String b64Bob = java.util.Base64.getEncoder().encodeToString(bob.staticPublicKey());
    String b64Mallory = java.util.Base64.getEncoder().encodeToString(mallory.staticPublicKey());
    Files.writeString(d.file(), Files.readString(d.file()).replace(b64Bob, b64Mallory) + "garbage line\n",
      StandardCharsets.UTF_8);

    PeerDirectory loaded = PeerDirectory.load(dir);
    assertEquals(0, loaded.size());
    assertEquals(2, loaded.skipped());
    assertThrows(IllegalArgumentException.class,
      () -> loaded.learned("bob", bob.signingPublicKey(), mallory.staticPublicKey(), bob.staticBinding()));
  }

  @Test
  void aNewIdentityForANickForgetsItsRooms() throws Exception {
    PeerDirectory d = PeerDirectory.load(dir);
    learn(d, "bob", NodeIdentity.generate());
    d.talked("bob", "lobby", 5);
    learn(d, "bob", NodeIdentity.generate());
    assertTrue(d.talkedIn("lobby", 0).isEmpty(), "a room message is never queued for a key we never talked to there");
  }

  @Test
  void theDirectoryIsBounded() throws Exception {
    PeerDirectory d = PeerDirectory.load(dir);
    NodeIdentity one = NodeIdentity.generate();
    for (int i = 0; i < PeerDirectory.MAX_PEERS + 5; i++) {
      learn(d, "p" + i, one);
    }
    assertEquals(PeerDirectory.MAX_PEERS, d.size());
    assertTrue(d.peer("p0").isEmpty(), "the least recently learned went first");
    for (int r = 0; r < PeerDirectory.MAX_ROOMS_PER_PEER + 3; r++) {
      d.talked("p9999", "room" + r, r);
    }
    assertEquals(PeerDirectory.MAX_ROOMS_PER_PEER, d.peer("p9999").orElseThrow().rooms().size());
  }
}
