package io.p2pchat.mailbox;

import io.p2pchat.crypto.Keys;
import io.p2pchat.crypto.NodeIdentity;
import io.p2pchat.crypto.SecureFiles;
import io.p2pchat.wire.Control;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The peers this node can leave a message for: for each peer it had an authenticated session with, the
 * identity key, the X25519 static key and the binding signature that ties them (learned from the peer
 * handshake), and per room when we last talked in it. A mailbox envelope is sealed to the static key found
 * here ({@code MailboxSeal}, pattern X needs it).
 * <pre>
 * # p2pchat peer directory
 * nick identity(base64) static(base64) binding(base64) [room=lastTalkedMillis ...]
 * </pre>
 * In {@code <dataDir>/peer_directory}, owner-only, written whole and atomically by its owner off the event
 * loop ({@link #save}). A line whose binding does not vouch for its static key (edited, or cut by a crash of
 * an older writer) is skipped on load, never sealed to. Bounded: {@link #MAX_PEERS} peers (the least recently
 * learned or talked to forgotten first), {@link #MAX_ROOMS_PER_PEER} rooms each. Thread-safe: the owner's
 * event loop changes it, a worker saves it.
 */
public final class PeerDirectory {

  /** The file in the data directory. */
  public static final String FILE = "peer_directory";
  /** Peers remembered: as many as {@code known_peers} holds ({@code KnownPeers.MAX_ENTRIES}). */
  public static final int MAX_PEERS = 10_000;
  /** Rooms remembered per peer: a node is in one room at a time; a few past ones are history enough. */
  public static final int MAX_ROOMS_PER_PEER = 8;
  /**
   * Longest line: a nick (32 characters, up to 128 bytes), three keys in base64 (44 + 44 + 88) and the rooms
   * (64 bytes of name and 20 digits each); 2 KiB covers it.
   */
  static final int MAX_LINE_BYTES = 2_048;
  /** Largest file read: every peer at its longest line. */
  static final int MAX_FILE_BYTES = MAX_PEERS * MAX_LINE_BYTES;
  private static final String HEADER = "# p2pchat peer directory: nick identity static binding room=lastTalkedMillis...\n";

  /** One peer: keys as learned from its handshake, and when we last talked in each room (ms since the epoch). */
  public record Peer(String nick, byte[] identityKey, byte[] staticKey, byte[] binding, Map<String, Long> rooms) {
    public Peer {
      rooms = Map.copyOf(rooms);
    }
  }

  private final Path file;
  /** By nick, least recently changed first (access order is not used: only a change moves an entry). */
  private final LinkedHashMap<String, Peer> peers = new LinkedHashMap<>();
  /** Lines skipped on load: a bad binding or a malformed line. */
  private int skipped;
  /** Changed since the last {@link #encode}: the owner saves only then. */
  private boolean dirty;

  private PeerDirectory(Path file) {
    this.file = file;
  }

  /** BLOCKING. Loads {@code <dataDir>/peer_directory}; a missing file is an empty directory. */
  public static PeerDirectory load(Path dataDir) throws IOException {
    PeerDirectory directory = new PeerDirectory(dataDir.resolve(FILE));
    if (!Files.exists(directory.file)) {
      return directory;
    }
    SecureFiles.refuseWritableByOthers(directory.file);
    byte[] content = SecureFiles.readBounded(directory.file, MAX_FILE_BYTES);
    for (String line : new String(content, StandardCharsets.UTF_8).split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      Peer peer = parse(line);
      if (peer == null) {
        directory.skipped++;
      } else {
        directory.put(peer);
      }
    }
    directory.dirty = false;
    return directory;
  }

  /** A line, checked; null when it is malformed or its binding does not vouch for its static key. */
  private static Peer parse(String line) {
    String[] f = line.trim().split(" ");
    if (f.length < 4 || !Control.NICK_PATTERN.matcher(f[0]).matches()) {
      return null;
    }
    try {
      Base64.Decoder b64 = Base64.getDecoder();
      byte[] identity = b64.decode(f[1]);
      byte[] staticKey = b64.decode(f[2]);
      byte[] binding = b64.decode(f[3]);
      if (identity.length != Keys.KEY_LENGTH || staticKey.length != Keys.KEY_LENGTH
          || binding.length != Keys.SIGNATURE_LENGTH || !NodeIdentity.verifyStaticBinding(identity, staticKey, binding)) {
        return null;
      }
      Map<String, Long> rooms = new LinkedHashMap<>();
      for (int i = 4; i < f.length && rooms.size() < MAX_ROOMS_PER_PEER; i++) {
        int eq = f[i].lastIndexOf('=');
        if (eq <= 0 || !Control.ROOM_PATTERN.matcher(f[i].substring(0, eq)).matches()) {
          return null;
        }
        rooms.put(f[i].substring(0, eq), Long.parseLong(f[i].substring(eq + 1)));
      }
      return new Peer(f[0], identity, staticKey, binding, rooms);
    } catch (IllegalArgumentException e) { // bad base64 or number
      return null;
    }
  }

  /** The file this directory saves to. */
  public Path file() {
    return file;
  }

  /** Lines skipped on load (malformed, or a binding that does not vouch for the static key). */
  public int skipped() {
    return skipped;
  }

  /**
   * The authenticated session with {@code nick} showed these keys (the handshake checked the binding): they
   * replace any earlier ones; the rooms stay when the identity is the same, and are forgotten with a new one.
   *
   * @throws IllegalArgumentException when the binding does not vouch for the static key (a caller's bug)
   */
  public synchronized void learned(String nick, byte[] identityKey, byte[] staticKey, byte[] binding) {
    if (!NodeIdentity.verifyStaticBinding(identityKey, staticKey, binding)) {
      throw new IllegalArgumentException("BUG: a binding that does not vouch for the static key of " + nick);
    }
    Peer old = peers.remove(nick);
    Map<String, Long> rooms = old != null && java.util.Arrays.equals(old.identityKey, identityKey) ? old.rooms : Map.of();
    if (old == null || !java.util.Arrays.equals(old.staticKey, staticKey) || !rooms.equals(old.rooms)) {
      dirty = true;
    }
    put(new Peer(nick, identityKey.clone(), staticKey.clone(), binding.clone(), rooms));
  }

  /** We talked with {@code nick} in {@code room} at {@code nowMillis}: a room message to it may be queued for it. */
  public synchronized void talked(String nick, String room, long nowMillis) {
    Peer peer = peers.get(nick);
    if (peer == null) {
      return; // no session ever: nothing to seal to
    }
    Map<String, Long> rooms = new LinkedHashMap<>(peer.rooms);
    rooms.remove(room);
    rooms.put(room, nowMillis);
    Iterator<String> oldest = rooms.keySet().iterator();
    while (rooms.size() > MAX_ROOMS_PER_PEER) {
      oldest.next();
      oldest.remove();
    }
    peers.remove(nick);
    put(new Peer(nick, peer.identityKey, peer.staticKey, peer.binding, rooms));
    dirty = true;
  }

  /** The peer {@code nick}, if this node ever had a session with it. */
  public synchronized Optional<Peer> peer(String nick) {
    return Optional.ofNullable(peers.get(nick));
  }

  /** The peer whose identity key is {@code identityKey}, if any. */
  public synchronized Optional<Peer> byIdentity(byte[] identityKey) {
    for (Peer p : peers.values()) {
      if (java.util.Arrays.equals(p.identityKey, identityKey)) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }

  /** The peers we talked with in {@code room} at or after {@code sinceMillis}, by nick. */
  public synchronized List<Peer> talkedIn(String room, long sinceMillis) {
    List<Peer> out = new ArrayList<>();
    for (Peer p : peers.values()) {
      Long at = p.rooms.get(room);
      if (at != null && at >= sinceMillis) {
        out.add(p);
      }
    }
    return out;
  }

  /** Peers remembered. */
  public synchronized int size() {
    return peers.size();
  }

  /** True when something changed since the last {@link #encode}. */
  public synchronized boolean dirty() {
    return dirty;
  }

  /** The file's content now (clears {@link #dirty}): taken on the owner's thread, written by {@link #save}. */
  public synchronized byte[] encode() {
    dirty = false;
    Base64.Encoder b64 = Base64.getEncoder();
    StringBuilder sb = new StringBuilder(HEADER);
    for (Peer p : peers.values()) {
      sb.append(p.nick).append(' ').append(b64.encodeToString(p.identityKey)).append(' ')
        .append(b64.encodeToString(p.staticKey)).append(' ').append(b64.encodeToString(p.binding));
      p.rooms.forEach((room, at) -> sb.append(' ').append(room).append('=').append(at));
      sb.append('\n');
    }
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** BLOCKING. Writes {@code content} (from {@link #encode}) atomically, owner-only. */
  public static void save(Path file, byte[] content) throws IOException {
    SecureFiles.writeOwnerOnly(file, content, true);
  }

  private void put(Peer peer) {
    peers.put(peer.nick, peer);
    Iterator<String> oldest = peers.keySet().iterator();
    while (peers.size() > MAX_PEERS) {
      oldest.next();
      oldest.remove();
      dirty = true;
    }
  }
}
