package io.p2pchat.punch;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The random token that proves to the rendezvous, across restarts and new ports, that a
 * registration comes from the same install and so may keep its nick. Kept in the node's dataDir,
 * readable by its owner only. Blocking: call on a worker.
 */
final class InstallToken {

  static final String FILE_NAME = "install-token";
  /** 256 bits: not guessable by anyone who would take the nick. */
  private static final int TOKEN_BYTES = 32;

  private InstallToken() {
  }

  static String loadOrCreate(Path dataDir) throws IOException {
    Path file = dataDir.resolve(FILE_NAME);
    if (Files.exists(file)) {
      String token = Files.readString(file, StandardCharsets.US_ASCII).trim();
      if (token.length() < 16 || token.length() > 100) {
        throw new IOException("install token " + file + " is corrupt; delete it to start as a new node");
      }
      return token;
    }
    Files.createDirectories(dataDir);
    byte[] bytes = new byte[TOKEN_BYTES];
    new SecureRandom().nextBytes(bytes);
    String token = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    Path tmp = Files.createTempFile(dataDir, FILE_NAME, ".tmp");
    try {
      Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException notPosix) {
      // Non-POSIX file systems keep their default permissions.
    }
    Files.writeString(tmp, token, StandardCharsets.US_ASCII);
    try {
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, file);
    }
    return token;
  }
}
