package io.p2pchat.control;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.p2pchat.control.KnownServers.Trust;
import io.p2pchat.crypto.IdentityException;
import io.p2pchat.crypto.NodeIdentity;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KnownServersTest {
  private static final String SERVER = "rv.example.org:7000";

  @TempDir
  Path dir;

  @Test
  void firstUseThenKnownOrChangedAndTheFileIsOwnerOnly() throws Exception {
    Path file = dir.resolve("known_servers");
    KnownServers servers = KnownServers.load(file);
    byte[] key = NodeIdentity.generate().staticPublicKey();
    byte[] other = NodeIdentity.generate().staticPublicKey();
    assertEquals(Trust.NEW, servers.check(SERVER, key));
    servers.remember(SERVER, key);
    assertEquals(Trust.KNOWN, servers.check(SERVER, key));
    assertEquals(Trust.CHANGED, servers.check(SERVER, other));
    assertTrue(Trust.CHANGED.refused() && Trust.CONFIGURED_MISMATCH.refused() && !Trust.NEW.refused());
    assertThrows(IllegalStateException.class, () -> servers.remember(SERVER, other), "no silent overwrite");
    servers.save();
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    KnownServers reloaded = KnownServers.load(file);
    assertEquals(Trust.KNOWN, reloaded.check(SERVER, key));
    assertEquals(Trust.NEW, reloaded.check("rv.example.org:7001", key), "per address");
    reloaded.accept(SERVER, other);
    reloaded.save();
    assertArrayEquals(other, KnownServers.load(file).remembered(SERVER).orElseThrow());
  }

  @Test
  void aFileOthersMayWriteIsRefused() throws Exception {
    Path file = dir.resolve("known_servers");
    KnownServers servers = KnownServers.empty(file);
    servers.remember(SERVER, NodeIdentity.generate().staticPublicKey());
    servers.save();
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-rw----"));
    IdentityException e = assertThrows(IdentityException.class, () -> KnownServers.load(file));
    assertTrue(e.getMessage().contains("chmod go-w"), e.getMessage());
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
    assertEquals(1, KnownServers.load(file).remembered(SERVER).map(k -> 1).orElse(0), "readable is fine: no secret");
  }

  @Test
  void corruptLinesNamePathAndLine() throws Exception {
    Path file = dir.resolve("known_servers");
    String good = SERVER + " " + java.util.Base64.getEncoder().encodeToString(new byte[32]);
    for (String content : new String[] {SERVER, SERVER + " AAAA", "nocolon " + good.split(" ")[1], "a:1 x y"}) {
      Files.writeString(file, "# c\n" + content + "\n");
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
      IdentityException e = assertThrows(IdentityException.class, () -> KnownServers.load(file), content);
      assertTrue(e.getMessage().startsWith("corrupt known servers file " + file + " line 2"), e.getMessage());
    }
    Files.writeString(file, good + "\n" + good + "\n");
    IdentityException twice = assertThrows(IdentityException.class, () -> KnownServers.load(file));
    assertTrue(twice.getMessage().contains("line 2: host:port listed twice"), twice.getMessage());
  }

  @Test
  void configuredKeysParseFromBase64OrFingerprintAndWin() {
    RendezvousIdentity id = RendezvousIdentity.generate();
    ServerKey byKey = ServerKey.parse(id.publicKeyText());
    ServerKey byPrint = ServerKey.parse(id.fingerprint());
    ServerKey byCompactPrint = ServerKey.parse(id.fingerprint().replace(" ", "").toUpperCase());
    byte[] other = NodeIdentity.generate().staticPublicKey();
    for (ServerKey k : new ServerKey[] {byKey, byPrint, byCompactPrint}) {
      assertTrue(k.matches(id.publicKey()), k.toString());
      assertFalse(k.matches(other));
      assertEquals(id.fingerprint(), k.fingerprint());
    }
    assertTrue(byKey.key().isPresent() && byPrint.key().isEmpty());
    for (String bad : new String[] {"", "abcd", id.fingerprint().substring(2), "!!" + id.publicKeyText()}) {
      assertThrows(IllegalArgumentException.class, () -> ServerKey.parse(bad), bad);
    }
    KnownServers servers = KnownServers.empty(dir.resolve("x"));
    servers.remember(SERVER, other);
    servers.configure(SERVER, byPrint);
    assertEquals(Trust.CONFIGURED, servers.check(SERVER, id.publicKey()), "the configured key wins over TOFU");
    assertEquals(Trust.CONFIGURED_MISMATCH, servers.check(SERVER, other));
  }

  @Test
  void theRendezvousKeyIsCreatedOnceOwnerOnly() throws Exception {
    Path file = dir.resolve("data/rendezvous.key");
    RendezvousIdentity first = RendezvousIdentity.loadOrCreate(file);
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    RendezvousIdentity again = RendezvousIdentity.loadOrCreate(file);
    assertArrayEquals(first.publicKey(), again.publicKey());
    assertEquals(first.fingerprint(), again.fingerprint());
    assertEquals(49, first.fingerprint().length(), "10 groups of 4 hex digits");
    assertFalse(first.toString().contains(first.publicKeyText()), "toString shows no key");
  }
}
