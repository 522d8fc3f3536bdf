package io.p2pchat.crypto;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The one format of the trust files, {@code known_peers} (a nick per line) and {@code known_servers}
 * (a {@code host:port} per line): {@code NAME base64(32-byte key)}, {@code #} comments, owner-only,
 * refused when others may write it (they could make us trust their key). Blocking: a worker's job.
 */
public final class KeyListFile {

  private KeyListFile() {
  }

  /**
   * BLOCKING. The entries of {@code file} in file order; a missing file is none.
   *
   * @param what       how errors name the file ("known peers")
   * @param nameKind   how errors name the first field ("nick")
   * @param checkName  throws IllegalArgumentException for a name that is not one
   * @throws IdentityException naming the file and the line (fix or delete it), or why it cannot be read
   */
  public static Map<String, byte[]> read(Path file, int maxBytes, String what, String nameKind,
                                         Consumer<String> checkName) throws IdentityException {
    Map<String, byte[]> entries = new LinkedHashMap<>();
    byte[] bytes;
    try {
      bytes = SecureFiles.readBounded(file, maxBytes);
      SecureFiles.refuseWritableByOthers(file);
    } catch (NoSuchFileException e) {
      return entries;
    } catch (IOException e) {
      throw new IdentityException("cannot read " + what + " file " + file + ": " + e.getMessage(), e);
    }
    String[] lines = new String(bytes, StandardCharsets.UTF_8).split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String[] parts = line.split(" ", -1);
      try {
        if (parts.length != 2) {
          throw new IllegalArgumentException("expected '" + nameKind + " base64-key'");
        }
        checkName.accept(parts[0]);
        byte[] key = Base64.getDecoder().decode(parts[1]);
        if (key.length != Keys.KEY_LENGTH) {
          throw new IllegalArgumentException("key must be " + Keys.KEY_LENGTH + " bytes");
        }
        if (entries.putIfAbsent(parts[0], key) != null) {
          throw new IllegalArgumentException(nameKind + " listed twice");
        }
      } catch (IllegalArgumentException e) {
        throw new IdentityException("corrupt " + what + " file " + file + " line " + (i + 1) + ": " + e.getMessage()
            + " (fix or delete that line)", e);
      }
    }
    return entries;
  }
}
