package io.p2pchat.crypto;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A node's directories and files are created owner-only and refused when others may write them
 * (issue 15, "Trust"): the data directory (key, known_peers, history), the log directory and file.
 */
class SecureFilesTest {

  @TempDir
  Path dir;

  @Test
  void missingDirectoriesAndFilesAreCreatedOwnerOnly() throws IOException {
    Path data = dir.resolve("home/.p2pchat/alice");
    SecureFiles.ownerOnlyDirectory(data);
    assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(data)));
    Path log = data.resolve("alice.log");
    SecureFiles.ownerOnlyFile(log);
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(log)));
    try (FileChannel journal = SecureFiles.openOwnerOnly(data.resolve("history.journal"))) {
      assertEquals(0, journal.size());
    }
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(data.resolve("history.journal"))));
  }

  @Test
  void whatOthersMayWriteIsRefusedWithTheFix() throws IOException {
    Path shared = Files.createDirectory(dir.resolve("shared"));
    Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx"));
    IOException refused = assertThrows(IOException.class, () -> SecureFiles.ownerOnlyDirectory(shared));
    assertTrue(refused.getMessage().contains("rwxrwxrwx") && refused.getMessage().contains("chmod go-w " + shared),
      refused.getMessage());

    Path log = Files.writeString(dir.resolve("bob.log"), "old lines\n");
    Files.setPosixFilePermissions(log, PosixFilePermissions.fromString("rw-rw-r--"));
    assertThrows(IOException.class, () -> SecureFiles.ownerOnlyFile(log));
    assertEquals("old lines\n", Files.readString(log), "a refused file is left as it was");

    Path knownPeers = Files.writeString(dir.resolve("known_peers"), "", StandardCharsets.UTF_8);
    Files.setPosixFilePermissions(knownPeers, PosixFilePermissions.fromString("rw--w----"));
    assertThrows(IdentityException.class, () -> KnownPeers.load(knownPeers), "trust decisions others may change");
  }

  @Test
  void readableButNotWritableByOthersIsKept() throws IOException {
    // A directory made by an earlier version (0755 under the usual umask) keeps working.
    Path earlier = Files.createDirectory(dir.resolve("earlier"));
    Files.setPosixFilePermissions(earlier, PosixFilePermissions.fromString("rwxr-xr-x"));
    SecureFiles.ownerOnlyDirectory(earlier);
    assertEquals("rwxr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(earlier)));
  }

  @Test
  void whatOthersMayReadIsSaidWithTheFixAndOwnerOnlyIsNot() throws IOException {
    Path earlier = Files.createDirectory(dir.resolve("earlier"));
    Files.setPosixFilePermissions(earlier, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path log = Files.createFile(earlier.resolve("alice.log"));
    Files.setPosixFilePermissions(log, PosixFilePermissions.fromString("rw-r--r--"));
    assertEquals(earlier + " may be read by its group or others (rwxr-xr-x): chmod go-rwx " + earlier
      + " to keep it private", SecureFiles.readableByOthersWarning(earlier));
    assertEquals(log + " may be read by its group or others (rw-r--r--): chmod go-rwx " + log
      + " to keep it private", SecureFiles.readableByOthersWarning(log));

    Path made = dir.resolve("made");
    SecureFiles.ownerOnlyDirectory(made);
    SecureFiles.ownerOnlyFile(made.resolve("bob.log"));
    assertEquals(null, SecureFiles.readableByOthersWarning(made));
    assertEquals(null, SecureFiles.readableByOthersWarning(made.resolve("bob.log")));
    assertEquals(null, SecureFiles.readableByOthersWarning(dir.resolve("missing")));
  }
}
