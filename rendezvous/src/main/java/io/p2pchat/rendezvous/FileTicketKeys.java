package io.p2pchat.rendezvous;

import io.p2pchat.crypto.SecureFiles;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The ticket keys of a single instance, in an owner-only file of its data directory
 * ({@value #FILE_NAME}): a restarted rendezvous opens the tickets it gave before, so its clients resume
 * instead of all running a full handshake at once. The file is read and written on a worker. A file that
 * others can read is refused like the key file: whoever reads it reads every resumed session's keys.
 */
public final class FileTicketKeys implements TicketKeyStore {
  /** The file's name in the data directory. */
  public static final String FILE_NAME = "ticket-keys";
  /** A set of three keys is about 200 characters; anything far longer is not ours. */
  static final int MAX_BYTES = 4096;

  private final Vertx vertx;
  private final Path file;

  public FileTicketKeys(Vertx vertx, Path dataDir) {
    this.vertx = vertx;
    this.file = dataDir.resolve(FILE_NAME);
  }

  @Override
  public Future<String> read() {
    return vertx.executeBlocking(() -> {
      if (!Files.exists(file)) {
        return null;
      }
      String open = SecureFiles.tooOpen(file);
      if (open != null) {
        throw new IllegalStateException("ticket key file " + file + " is accessible by others (" + open
          + "); run: chmod 600 " + file);
      }
      return new String(SecureFiles.readBounded(file, MAX_BYTES), StandardCharsets.US_ASCII);
    }, false);
  }

  @Override
  public Future<Boolean> replace(String expected, String next) {
    // One instance writes this file: nobody else can have changed it.
    return vertx.executeBlocking(() -> SecureFiles.writeOwnerOnly(file, next.getBytes(StandardCharsets.US_ASCII), true),
      false).map(true);
  }

  @Override
  public String describe() {
    return "file " + file.toAbsolutePath();
  }
}
