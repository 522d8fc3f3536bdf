package io.p2pchat.metrics;

import io.p2pchat.crypto.NodeIdentity;
import io.p2pchat.rendezvous.RendezvousOptions;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Holds a rendezvous's start-up at a known step, deterministically: its key file ({@code dataDir/rendezvous.key})
 * is a named pipe, and the start-up's blocking read of it (on a worker, after the metrics listener is up, before
 * the mailbox, the cluster's directory and the UDP socket) waits until {@link #release} writes a valid key into it.
 */
public final class HeldKeyFile {

  /** mkfifo's run, bounded generously for a loaded machine. */
  private static final long MKFIFO_SECONDS = 30;

  private final Path pipe;
  private final byte[] key;

  private HeldKeyFile(Path pipe, byte[] key) {
    this.pipe = pipe;
    this.key = key;
  }

  /** Makes the pipe in {@code dataDir} (created if need be), owner-only, and a valid key beside it in {@code scratch}. */
  public static HeldKeyFile in(Path dataDir, Path scratch) throws Exception {
    Path made = Files.createDirectories(scratch).resolve(RendezvousOptions.KEY_FILE);
    NodeIdentity.loadOrCreate(made); // a valid key file's bytes, made the way the rendezvous makes its own
    Path pipe = Files.createDirectories(dataDir).resolve(RendezvousOptions.KEY_FILE);
    Process mkfifo = new ProcessBuilder("mkfifo", "-m", "600", pipe.toString()).inheritIO().start();
    if (!mkfifo.waitFor(MKFIFO_SECONDS, TimeUnit.SECONDS) || mkfifo.exitValue() != 0) {
      throw new AssertionError("mkfifo " + pipe);
    }
    return new HeldKeyFile(pipe, Files.readAllBytes(made));
  }

  /** Writes the key into the pipe: the held read proceeds (opening the pipe waits for its reader). */
  public void release() throws IOException {
    try (OutputStream out = Files.newOutputStream(pipe)) {
      out.write(key);
    }
  }

  /** True when the {@code /ready} answer {@code body} lists the check {@code id} with {@code status} (UP, DOWN). */
  public static boolean hasCheck(JsonObject body, String id, String status) {
    return body.getJsonArray("checks").stream().map(JsonObject.class::cast)
      .anyMatch(c -> id.equals(c.getString("id")) && status.equals(c.getString("status")));
  }
}
