package io.p2pchat.crypto;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Trust on first use, like SSH's known_hosts: remembers which Ed25519 identity key each nick had the
 * first time we met it, so a later handshake with the same nick but another key is flagged
 * ({@link Trust#MISMATCH}) instead of silently accepted. Text file, one line per nick:
 * {@code nick base64(ed25519Pub)}; '#' starts a comment.
 *
 * <p>The in-memory methods are cheap and synchronized (event loop); {@link #load} and {@link #save}
 * block on file I/O (worker). A corrupt file is an {@link IdentityException} naming path and line.
 */
public final class KnownPeers {
  /** Outcome of {@link #check}. */
  public enum Trust {
    /** Never seen this nick: ask or {@link #remember} it. */
    NEW,
    /** Same key as remembered. */
    MATCH,
    /** The nick had another key: an impostor, or the peer reinstalled; the user must decide. */
    MISMATCH
  }

  /** Bounds memory and file size: more peers than anyone chats with. */
  public static final int MAX_ENTRIES = 10_000;
  /** One line is at most a 64-byte nick, a space, 44 base64 chars and a newline. */
  static final int MAX_FILE_BYTES = MAX_ENTRIES * 128;
  private static final String HEADER = "# p2pchat known peers: nick ed25519-public-key(base64)\n";

  private final Path file;
  private final Map<String, byte[]> keys = new LinkedHashMap<>();

  private KnownPeers(Path file) {
    this.file = file;
  }

  /** An empty store that will save to {@code file}. */
  public static KnownPeers empty(Path file) {
    return new KnownPeers(file);
  }

  /** BLOCKING. Loads {@code file}; a missing file is an empty store. */
  public static KnownPeers load(Path file) throws IdentityException {
    KnownPeers peers = new KnownPeers(file);
    peers.keys.putAll(KeyListFile.read(file, MAX_FILE_BYTES, "known peers", "nick", KnownPeers::checkNick));
    return peers;
  }

  /** BLOCKING. Writes the store atomically, owner-only. */
  public void save() throws IdentityException {
    byte[] content = encode();
    try {
      SecureFiles.writeOwnerOnly(file, content, true);
    } catch (IOException e) {
      throw new IdentityException("cannot write known peers file " + file + ": " + e.getMessage(), e);
    }
  }

  private synchronized byte[] encode() {
    StringBuilder sb = new StringBuilder(HEADER);
    Base64.Encoder b64 = Base64.getEncoder();
    keys.forEach((nick, key) -> sb.append(nick).append(' ').append(b64.encodeToString(key)).append('\n'));
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  public Path file() {
    return file;
  }

  /** Compares {@code key} with the key remembered for {@code nick}. */
  public synchronized Trust check(String nick, byte[] key) {
    byte[] known = keys.get(nick);
    if (known == null) {
      return Trust.NEW;
    }
    return java.security.MessageDigest.isEqual(known, key) ? Trust.MATCH : Trust.MISMATCH;
  }

  /**
   * Remembers a NEW nick's key (first use). A nick that already has another key is not overwritten:
   * that takes an explicit {@link #accept}.
   *
   * @throws IllegalStateException if the nick is known with a different key
   * @throws IllegalArgumentException for an invalid nick or key, or a full store
   */
  public synchronized void remember(String nick, byte[] key) {
    if (check(nick, key) == Trust.MISMATCH) {
      throw new IllegalStateException("nick " + nick + " is known with another key: use accept()");
    }
    put(nick, key);
  }

  /** The user accepted a changed key for {@code nick}: replaces the remembered one. */
  public synchronized void accept(String nick, byte[] key) {
    put(nick, key);
  }

  /** Forgets {@code nick}. */
  public synchronized void forget(String nick) {
    keys.remove(nick);
  }

  public synchronized Optional<byte[]> keyOf(String nick) {
    byte[] k = keys.get(nick);
    return k == null ? Optional.empty() : Optional.of(k.clone());
  }

  public synchronized int size() {
    return keys.size();
  }

  private void put(String nick, byte[] key) {
    checkNick(nick);
    if (key == null || key.length != Keys.KEY_LENGTH) {
      throw new IllegalArgumentException("key must be " + Keys.KEY_LENGTH + " bytes");
    }
    if (!keys.containsKey(nick) && keys.size() >= MAX_ENTRIES) {
      throw new IllegalArgumentException("known peers full (" + MAX_ENTRIES + ")");
    }
    keys.put(nick, Arrays.copyOf(key, key.length));
  }

  /** A nick that fits one line: 1..64 UTF-8 bytes, no whitespace or control characters, no leading '#'. */
  static void checkNick(String nick) {
    int len = nick.getBytes(StandardCharsets.UTF_8).length;
    if (len == 0 || len > HandshakePayload.MAX_NICK_BYTES) {
      throw new IllegalArgumentException("nick must be 1.." + HandshakePayload.MAX_NICK_BYTES + " UTF-8 bytes");
    }
    if (nick.startsWith("#") || nick.codePoints().anyMatch(c -> Character.isWhitespace(c) || Character.isISOControl(c))) {
      throw new IllegalArgumentException("nick contains whitespace, control characters or starts with '#'");
    }
  }
}
