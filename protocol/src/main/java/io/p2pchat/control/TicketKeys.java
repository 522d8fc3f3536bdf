package io.p2pchat.control;

import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The keys that seal and open {@link ResumptionTicket}s: the {@link #current} one seals, every one held
 * opens. They rotate: {@link #rotated} publishes the next key {@link #PUBLISH_AHEAD_MILLIS} before it
 * begins sealing, one {@link #ROTATION_MILLIS} after the one before it (so every instance of a cluster,
 * re-reading the shared set every minute, opens a new key's tickets before any instance seals with it),
 * and forgets a key {@link #KEEP_MILLIS} after it began sealing, with every ticket it sealed (forward
 * secrecy of resumed sessions is bounded by that: see docs/SECURITY.md). A cluster shares one set (every
 * instance opens every instance's tickets: failover resumes), a single instance keeps its set in a file;
 * both store {@link #encode()}. Immutable.
 *
 * @param keys by the time they begin sealing, oldest first
 */
public record TicketKeys(List<Key> keys) {
  /** A new ticket key every hour: the window a stolen key set exposes is about two of them. */
  public static final long ROTATION_MILLIS = TimeUnit.HOURS.toMillis(1);
  /**
   * A key opens tickets for two rotations after it began sealing: one while it seals, one more so that a
   * ticket sealed just before the rotation still opens for an hour (clients resume every 120 s, and get a
   * ticket under the new key then). {@link ResumptionTicket#LIFETIME_MILLIS} is as long.
   */
  public static final long KEEP_MILLIS = 2 * ROTATION_MILLIS;
  /**
   * The next key is in the set this long before it seals: 5 min, five times the minute in which every
   * instance re-reads the cluster's set, so no instance ever meets a ticket under a key it has not read.
   */
  public static final long PUBLISH_AHEAD_MILLIS = TimeUnit.MINUTES.toMillis(5);
  /** At most the one before, the current one and the next one. */
  public static final int KEPT = 3;
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

  /** The key that seals at {@code nowMillis}: the newest that has begun (the oldest if none has: a clock set back). */
  public Key current(long nowMillis) {
    for (int i = keys.size() - 1; i > 0; i--) {
      if (keys.get(i).createdMillis() <= nowMillis) {
        return keys.get(i);
      }
    }
    return keys.get(0);
  }

  private Key newest() {
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

  /** True when a key is to be forgotten, or the next one published. */
  public boolean rotationDue(long nowMillis) {
    return nowMillis >= newest().createdMillis() + ROTATION_MILLIS - PUBLISH_AHEAD_MILLIS
        || (keys.size() > 1 && nowMillis >= keys.get(0).createdMillis() + KEEP_MILLIS);
  }

  /**
   * This set at {@code nowMillis}: keys older than {@link #KEEP_MILLIS} forgotten (never the newest), and
   * the next key published when it begins sealing within {@link #PUBLISH_AHEAD_MILLIS}.
   */
  public TicketKeys rotated(long nowMillis, SecureRandom random) {
    if (!rotationDue(nowMillis)) {
      return this;
    }
    List<Key> next = new ArrayList<>();
    for (Key k : keys) {
      if (k == newest() || nowMillis < k.createdMillis() + KEEP_MILLIS) {
        next.add(k);
      }
    }
    if (nowMillis >= newest().createdMillis() + ROTATION_MILLIS - PUBLISH_AHEAD_MILLIS) {
      long begins = Math.max(newest().createdMillis() + ROTATION_MILLIS, nowMillis + PUBLISH_AHEAD_MILLIS);
      next.add(newKey(begins, random, newest().id()));
    }
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
    return b.append(']').toString(); // never the keys
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
