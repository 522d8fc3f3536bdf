package io.p2pchat.control;

import io.p2pchat.crypto.IdentityException;
import io.p2pchat.crypto.KeyListFile;
import io.p2pchat.crypto.Keys;
import io.p2pchat.crypto.SecureFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Which key each rendezvous has, like SSH's known_hosts: per server address ({@code host:port}, as
 * configured) a key pinned either by configuration ({@link #configure}, from {@code rendezvous.key} or a
 * per-server key; it always wins) or on first use (remembered once a handshake proved the server holds
 * it, saved in the data directory). A key that differs from the pinned one is refused, with a result of
 * its own the caller reports loudly. File {@code known_servers}, one line per server:
 * {@code host:port base64(x25519Pub)}; '#' starts a comment. Written owner-only; refused at load when
 * its group or others may write it (they could swap a pin).
 *
 * <p>The in-memory methods are cheap and synchronized; {@link #load} and {@link #save} block on file
 * I/O (run them on a worker).
 */
public final class KnownServers {
  /** Outcome of {@link #check}. */
  public enum Trust {
    /** A configured key, and the server presented it. */
    CONFIGURED(false),
    /** The key remembered on first use, and the server presented it. */
    KNOWN(false),
    /** Nothing pinned for this server: trust on first use; {@link #remember} it once the handshake succeeded. */
    NEW(false),
    /** The server presented another key than the configured one: refused. */
    CONFIGURED_MISMATCH(true),
    /** The server presented another key than the one remembered: refused until the user {@link #accept}s it. */
    CHANGED(true);

    private final boolean refused;

    Trust(boolean refused) {
      this.refused = refused;
    }

    /** True when the key must not be used. */
    public boolean refused() {
      return refused;
    }
  }

  /** Bounds memory and file size: far more rendezvous servers than anyone configures. */
  public static final int MAX_ENTRIES = 1_000;
  /** A line: a host name of at most 253 characters, ':', a port, a space, 44 base64 characters. */
  static final int MAX_LINE = 320;
  static final int MAX_FILE_BYTES = MAX_ENTRIES * MAX_LINE;
  private static final String HEADER = "# p2pchat known rendezvous servers: host:port x25519-public-key(base64)\n";

  private final Path file;
  private final Map<String, byte[]> remembered = new LinkedHashMap<>();
  private final Map<String, ServerKey> configured = new HashMap<>();

  private KnownServers(Path file) {
    this.file = file;
  }

  /** An empty store that will save to {@code file}. */
  public static KnownServers empty(Path file) {
    return new KnownServers(file);
  }

  /** BLOCKING. Loads {@code file}; a missing file is an empty store. */
  public static KnownServers load(Path file) throws IdentityException {
    KnownServers servers = new KnownServers(file);
    servers.remembered.putAll(KeyListFile.read(file, MAX_FILE_BYTES, "known servers", "host:port",
        KnownServers::checkServer));
    return servers;
  }

  /** BLOCKING. Writes the remembered keys atomically, owner-only (configured keys stay in the config). */
  public void save() throws IdentityException {
    byte[] content = encode();
    try {
      SecureFiles.writeOwnerOnly(file, content, true);
    } catch (IOException e) {
      throw new IdentityException("cannot write known servers file " + file + ": " + e.getMessage(), e);
    }
  }

  private synchronized byte[] encode() {
    StringBuilder sb = new StringBuilder(HEADER);
    remembered.forEach((server, key) -> sb.append(server).append(' ').append(ServerKey.text(key)).append('\n'));
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** The file this store saves to. */
  public Path file() {
    return file;
  }

  /** Pins {@code server}'s key from configuration: it overrides whatever was remembered on first use. */
  public synchronized KnownServers configure(String server, ServerKey key) {
    checkServer(server);
    configured.put(server, key);
    return this;
  }

  /** Compares the key {@code server} presented with its pin. */
  public synchronized Trust check(String server, byte[] key) {
    ServerKey pin = configured.get(server);
    if (pin != null) {
      return pin.matches(key) ? Trust.CONFIGURED : Trust.CONFIGURED_MISMATCH;
    }
    byte[] known = remembered.get(server);
    if (known == null) {
      return Trust.NEW;
    }
    return MessageDigest.isEqual(known, key) ? Trust.KNOWN : Trust.CHANGED;
  }

  /**
   * Remembers the key of a server met for the first time (call it after the handshake proved the server
   * holds it, then {@link #save}). A server with another remembered key is not overwritten: that takes
   * an explicit {@link #accept}.
   *
   * @throws IllegalStateException if the server is known with a different key
   * @throws IllegalArgumentException for an invalid address or key, or a full store
   */
  public synchronized void remember(String server, byte[] key) {
    if (check(server, key) == Trust.CHANGED) {
      throw new IllegalStateException("server " + server + " is known with another key: use accept()");
    }
    put(server, key);
  }

  /** The user accepted a changed key for {@code server} (a re-keyed rendezvous): replaces the remembered one. */
  public synchronized void accept(String server, byte[] key) {
    put(server, key);
  }

  /** The key remembered on first use for {@code server}, if any. */
  public synchronized Optional<byte[]> remembered(String server) {
    byte[] k = remembered.get(server);
    return k == null ? Optional.empty() : Optional.of(k.clone());
  }

  private void put(String server, byte[] key) {
    checkServer(server);
    if (key == null || key.length != Keys.KEY_LENGTH) {
      throw new IllegalArgumentException("key must be " + Keys.KEY_LENGTH + " bytes");
    }
    if (!remembered.containsKey(server) && remembered.size() >= MAX_ENTRIES) {
      throw new IllegalArgumentException("known servers full (" + MAX_ENTRIES + ")");
    }
    remembered.put(server, key.clone());
  }

  /** A server address that fits one line: {@code host:port}, printable ASCII without spaces or '#'. */
  static void checkServer(String server) {
    int colon = server.lastIndexOf(':');
    if (colon <= 0 || colon == server.length() - 1 || server.length() > MAX_LINE - Keys.KEY_LENGTH * 2
        || server.startsWith("#") || !server.chars().allMatch(c -> c > ' ' && c < 0x7F)) {
      throw new IllegalArgumentException("server address must be host:port without spaces, got '" + server + "'");
    }
  }
}
