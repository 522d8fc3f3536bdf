package io.p2pchat.control;

import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The keys that seal and open {@link ResumptionTicket}s: the newest seals, every one held opens. They
 * rotate: {@link #rotated} adds a new key once the newest is {@link #ROTATION_MILLIS} old and keeps only
 * {@link #KEPT} keys, so a key opens tickets for two rotations after it began sealing and is then
 * forgotten, with every ticket it sealed (forward secrecy of resumed sessions is bounded by that: see
 * docs/SECURITY.md). A cluster shares one set (every instance opens every instance's tickets: failover
 * resumes), a single instance keeps its set in a file; both store {@link #encode()}. Immutable.
 *
 * @param keys oldest first; the last seals
 */
public record TicketKeys(List<Key> keys) {
  /** A new ticket key every hour: the window a stolen key set exposes is about two of them. */
  public static final long ROTATION_MILLIS = TimeUnit.HOURS.toMillis(1);
  /** The newest key and the one before it: a ticket sealed just before a rotation still opens for an hour. */
  public static final int KEPT = 2;
  /** Bytes of a ticket key: AES-256. */
  public static final int KEY_LENGTH = 32;
  /** Version byte of {@link #encode()}. */
  static final int FORMAT = 1;

  /**
   * One key.
   *
   * @param id names it in the tickets it sealed (random, so that instances starting at once rarely collide)
   * @param createdMillis when it began sealing (wall clock)
   */
  public record Key(int id, byte[] secret, long createdMillis) {
    public Key {
      if (secret.length != KEY_LENGTH) {
        throw new IllegalArgumentException("a ticket key is " + KEY_LENGTH + " bytes");
      }
    }
  }

  public TicketKeys {
    if (keys.isEmpty() || keys.size() > KEPT) {
      throw new IllegalArgumentException("1 to " + KEPT + " ticket keys, not " + keys.size());
    }
    keys = List.copyOf(keys);
  }

  /** A set of one new key created at {@code nowMillis}. */
  public static TicketKeys create(long nowMillis, SecureRandom random) {
    return new TicketKeys(List.of(newKey(nowMillis, random, 0)));
  }

  /** The key that seals now. */
  public Key current() {
    return keys.get(keys.size() - 1);
  }

  /** The key named {@code id}, or null: an unknown key's tickets do not open. */
  public Key find(int id) {
    for (Key k : keys) {
      if (k.id() == id) {
        return k;
      }
    }
    return null;
  }

  /** True once the current key has sealed for {@link #ROTATION_MILLIS}. */
  public boolean rotationDue(long nowMillis) {
    return nowMillis - current().createdMillis() >= ROTATION_MILLIS;
  }

  /** This set, or (rotation due) the current key and a new one; the oldest beyond {@link #KEPT} is dropped. */
  public TicketKeys rotated(long nowMillis, SecureRandom random) {
    if (!rotationDue(nowMillis)) {
      return this;
    }
    List<Key> next = new ArrayList<>(keys);
    next.add(newKey(nowMillis, random, current().id()));
    while (next.size() > KEPT) {
      next.remove(0);
    }
    return new TicketKeys(next);
  }

  /** The set as text (base64 of: format u8 | count u8 | (id u32 | created u64 | key [32])...): a file's or a cluster map's value. */
  public String encode() {
    ByteBuffer out = ByteBuffer.allocate(2 + keys.size() * (Integer.BYTES + Long.BYTES + KEY_LENGTH));
    out.put((byte) FORMAT).put((byte) keys.size());
    for (Key k : keys) {
      out.putInt(k.id()).putLong(k.createdMillis()).put(k.secret());
    }
    return Base64.getEncoder().encodeToString(out.array());
  }

  /** Parses {@link #encode()}'s text; throws IllegalArgumentException naming what is wrong. */
  public static TicketKeys decode(String text) {
    byte[] raw = Base64.getDecoder().decode(text.strip());
    ByteBuffer in = ByteBuffer.wrap(raw);
    if (raw.length < 2 || in.get() != FORMAT) {
      throw new IllegalArgumentException("not a ticket key set of format " + FORMAT);
    }
    int n = in.get() & 0xFF;
    if (raw.length != 2 + n * (Integer.BYTES + Long.BYTES + KEY_LENGTH)) {
      throw new IllegalArgumentException("ticket key set of " + raw.length + " bytes for " + n + " keys");
    }
    List<Key> keys = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int id = in.getInt();
      long created = in.getLong();
      byte[] secret = new byte[KEY_LENGTH];
      in.get(secret);
      keys.add(new Key(id, secret, created));
    }
    return new TicketKeys(keys);
  }

  @Override
  public String toString() {
    StringBuilder b = new StringBuilder("TicketKeys[");
    for (Key k : keys) {
      b.append(Integer.toHexString(k.id())).append(' ');
    }
    return b.append("current ").append(Integer.toHexString(current().id())).append(']').toString(); // never the keys
  }

  private static Key newKey(long nowMillis, SecureRandom random, int notId) {
    byte[] secret = new byte[KEY_LENGTH];
    random.nextBytes(secret);
    int id;
    do {
      id = random.nextInt();
    } while (id == notId);
    return new Key(id, secret, nowMillis);
  }
}
