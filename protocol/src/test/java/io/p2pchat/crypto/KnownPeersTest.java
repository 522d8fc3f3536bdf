package io.p2pchat.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.p2pchat.crypto.KnownPeers.Trust;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KnownPeersTest {
  @TempDir
  Path dir;

  @Test
  void trustOnFirstUseThenMatchOrMismatch() throws Exception {
    Path file = dir.resolve("known_peers");
    KnownPeers peers = KnownPeers.load(file);
    byte[] bobKey = NodeIdentity.generate().signingPublicKey();
    byte[] otherKey = NodeIdentity.generate().signingPublicKey();
    assertEquals(Trust.NEW, peers.check("bob", bobKey));
    peers.remember("bob", bobKey);
    assertEquals(Trust.MATCH, peers.check("bob", bobKey));
    assertEquals(Trust.MISMATCH, peers.check("bob", otherKey));
    assertThrows(IllegalStateException.class, () -> peers.remember("bob", otherKey), "no silent overwrite");
    peers.save();
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));

    KnownPeers reloaded = KnownPeers.load(file);
    assertEquals(Trust.MATCH, reloaded.check("bob", bobKey));
    reloaded.accept("bob", otherKey);
    reloaded.save();
    KnownPeers third = KnownPeers.load(file);
    assertEquals(Trust.MATCH, third.check("bob", otherKey));
    assertEquals(Trust.MISMATCH, third.check("bob", bobKey));
    assertArrayEquals(otherKey, third.keyOf("bob").orElseThrow());
  }

  @Test
  void corruptFileNamesPathAndLine() throws Exception {
    Path file = dir.resolve("known_peers");
    String good = "bob " + java.util.Base64.getEncoder().encodeToString(new byte[32]);
    String[] bad = {"bob", "bob notbase64!!", "bob AAAA", good + "\n" + good, "a b c"};
    for (String content : bad) {
      Files.writeString(file, "# comment\n\n" + content + "\n");
      IdentityException e = assertThrows(IdentityException.class, () -> KnownPeers.load(file));
      assertTrue(e.getMessage().startsWith("corrupt known peers file " + file + " line "), e.getMessage());
    }
  }

  @Test
  void invalidNicksRejected() {
    KnownPeers peers = KnownPeers.empty(dir.resolve("x"));
    for (String nick : new String[] {"", "a b", "#x", "tab\t", "x".repeat(65)}) {
      assertThrows(IllegalArgumentException.class, () -> peers.remember(nick, new byte[32]), nick);
    }
    assertThrows(IllegalArgumentException.class, () -> peers.remember("ok", new byte[31]));
  }
}
