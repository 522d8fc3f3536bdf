package io.p2pchat.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeIdentityTest {
  @TempDir
  Path dir;

  @Test
  void createsOwnerOnlyFileOnceAndLoadsTheSameIdentity() throws Exception {
    Path file = dir.resolve("sub/identity.key");
    NodeIdentity first = NodeIdentity.loadOrCreate(file);
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    try (var files = Files.list(file.getParent())) {
      assertEquals(1, files.count(), "no temp file left behind");
    }
    NodeIdentity again = NodeIdentity.loadOrCreate(file);
    assertArrayEquals(first.signingPublicKey(), again.signingPublicKey());
    assertArrayEquals(first.staticPublicKey(), again.staticPublicKey());
    assertEquals(first.fingerprint(), again.fingerprint());
  }

  @Test
  void truncatedFileIsAClearErrorNotANewIdentity() throws Exception {
    Path file = dir.resolve("identity.key");
    NodeIdentity.loadOrCreate(file);
    byte[] full = Files.readAllBytes(file);
    for (int len : new int[] {0, 10, full.length / 2, full.length - 5}) {
      Files.write(file, Arrays.copyOf(full, len));
      IdentityException e = assertThrows(IdentityException.class, () -> NodeIdentity.loadOrCreate(file));
      assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
      assertFalse(e.getMessage().contains("\n"), "one line");
      assertEquals(len, Files.size(file), "the file is left alone");
    }
  }

  @Test
  void corruptKeysAreAClearError() throws Exception {
    Path file = dir.resolve("identity.key");
    NodeIdentity.loadOrCreate(file);
    String text = Files.readString(file);
    String otherPub = "ed25519-public " + java.util.Base64.getEncoder().encodeToString(NodeIdentity.generate().signingPublicKey());
    String[] corruptions = {
        text.replaceFirst("ed25519-public \\S+", otherPub), // seed and public key do not match
        text.replaceFirst("x25519-private \\S+", "x25519-private !!!notbase64"),
        text.replace("p2pchat-identity-v1", "p2pchat-identity-v9"),
        "garbage\u0000\u00ff",
    };
    for (String bad : corruptions) {
      Files.writeString(file, bad);
      IdentityException e = assertThrows(IdentityException.class, () -> NodeIdentity.loadOrCreate(file));
      assertTrue(e.getMessage().startsWith("corrupt identity file " + file), e.getMessage());
    }
  }

  @Test
  void fileReadableByOthersIsRefused() throws Exception {
    Path file = dir.resolve("identity.key");
    NodeIdentity.loadOrCreate(file);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
    IdentityException e = assertThrows(IdentityException.class, () -> NodeIdentity.loadOrCreate(file));
    assertTrue(e.getMessage().contains("chmod 600 " + file), e.getMessage());
  }

  @Test
  void unreadablePathIsAClearError() {
    Path file = dir; // a directory, not a file
    IdentityException e = assertThrows(IdentityException.class, () -> NodeIdentity.loadOrCreate(file));
    assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
  }

  @Test
  void signaturesVerifyAndTamperingFails() {
    NodeIdentity id = NodeIdentity.generate();
    byte[] data = "hello".getBytes(StandardCharsets.UTF_8);
    byte[] sig = id.sign(data);
    assertTrue(NodeIdentity.verify(id.signingPublicKey(), data, sig));
    for (int bit = 0; bit < sig.length * 8; bit += 7) {
      byte[] bad = sig.clone();
      bad[bit / 8] ^= (byte) (1 << (bit % 8));
      assertFalse(NodeIdentity.verify(id.signingPublicKey(), data, bad));
    }
    assertFalse(NodeIdentity.verify(NodeIdentity.generate().signingPublicKey(), data, sig));
    assertFalse(NodeIdentity.verify(id.signingPublicKey(), data, Arrays.copyOf(sig, 63)));
    assertFalse(NodeIdentity.verify(new byte[5], data, sig));
  }

  @Test
  void fingerprintFormat() {
    NodeIdentity id = NodeIdentity.generate();
    assertTrue(id.fingerprint().matches("([0-9a-f]{4} ){9}[0-9a-f]{4}"), id.fingerprint());
    assertEquals(id.fingerprint(), NodeIdentity.fingerprintOf(id.signingPublicKey()));
    assertEquals(id.fingerprint().replace(" ", "").substring(0, 8), id.keyId());
    assertFalse(id.toString().contains(java.util.Base64.getEncoder().encodeToString(id.signingPublicKey())));
    // SHA-256 of RFC 8032 test 1's public key, first 20 bytes
    byte[] rfcPub = KeysTest.HEX.parseHex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
    String hex = KeysTest.HEX.formatHex(NodeIdentity.sha256(rfcPub)).substring(0, 40);
    assertEquals(hex, NodeIdentity.fingerprintOf(rfcPub).replace(" ", ""));
  }
}
