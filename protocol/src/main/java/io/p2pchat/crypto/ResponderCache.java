package io.p2pchat.crypto;

import java.nio.ByteBuffer;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What an IK responder (the rendezvous) learned about a client's static key that a re-handshake of the
 * same client would compute again, kept so that it is not: the static-static agreement
 * {@code ss = DH(server static, client static)} and the verified binding of that static key to the
 * client's Ed25519 identity ({@link NodeIdentity#verifyStaticBinding}). A re-handshake then costs es, ee,
 * se and one key generation, no {@code ss} and no signature verify (docs/PROTOCOL.md, "What a registration
 * costs the server").
 *
 * <p>Why it is safe: both are deterministic functions of public inputs the client sends again. {@code ss}
 * depends on the server's private key (fixed for this cache's life: one cache per responder identity) and
 * the client's static public key, the cache key; a hit returns the very bytes the agreement would. A binding
 * is a hit only for the same identity key, static key and signature bytes that verified before, and Ed25519
 * verification of the same triple always gives the same answer. Failures (a low-order point, a bad
 * signature) are never cached: they cost their work every time, as before. Nothing here is forward secret
 * and nothing needed to be: IK's {@code ss} never was; the session keys still mix ee and se of a fresh
 * ephemeral. The cached {@code ss} is as secret as the server's key and lives only in this process's memory.
 *
 * <p>Bounded: at most {@code capacity} clients, least recently used first out. Thread-safe (the responder's
 * public-key work runs on worker threads); the lock is held for a map operation only, never for an agreement
 * or a verify.
 */
public final class ResponderCache {
  /**
   * Clients kept by default: 65,536 x ~250 bytes (two keys, a signature, the shared secret, map entry) ≈
   * 16 MiB, about 13 s of re-handshakes at the 5,000/s; a server expecting its whole population to
   * re-handshake within the cache's reach (a million clients every 2 minutes) raises it.
   */
  public static final int DEFAULT_CAPACITY = 65_536;

  private static final class Entry {
    final byte[] staticSecret;
    byte[] signingKey;
    byte[] binding;

    Entry(byte[] staticSecret) {
      this.staticSecret = staticSecret;
    }
  }

  private final int capacity;
  private final Map<ByteBuffer, Entry> entries;

  /** A cache of {@link #DEFAULT_CAPACITY} clients. */
  public ResponderCache() {
    this(DEFAULT_CAPACITY);
  }

  /** A cache of at most {@code capacity} clients. */
  public ResponderCache(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be at least 1");
    }
    this.capacity = capacity;
    this.entries = new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<ByteBuffer, Entry> eldest) {
        return size() > ResponderCache.this.capacity;
      }
    };
  }

  /** Clients held now. */
  public synchronized int size() {
    return entries.size();
  }

  /** DH({@code staticPrivate}, {@code remoteStatic}), from the cache or computed (and kept) now. */
  byte[] staticAgreement(byte[] staticPrivate, byte[] remoteStatic) throws InvalidKeyException {
    ByteBuffer key = ByteBuffer.wrap(remoteStatic.clone());
    Entry hit = get(key);
    if (hit != null) {
      return hit.staticSecret.clone();
    }
    byte[] secret = Keys.dh(staticPrivate, remoteStatic); // throws for a low-order point: nothing cached
    synchronized (this) {
      entries.putIfAbsent(key, new Entry(secret.clone()));
    }
    return secret;
  }

  /**
   * {@link NodeIdentity#verifyStaticBinding}, skipping the verify when exactly this identity key, static key
   * and signature verified before; a success is remembered with the static key's entry.
   */
  public boolean verifiedBinding(byte[] signingKey, byte[] clientStatic, byte[] binding) {
    ByteBuffer key = ByteBuffer.wrap(clientStatic);
    Entry hit = get(key);
    if (hit != null) {
      synchronized (this) {
        if (hit.signingKey != null && MessageDigest.isEqual(hit.signingKey, signingKey)
            && MessageDigest.isEqual(hit.binding, binding)) {
          return true;
        }
      }
    }
    if (!NodeIdentity.verifyStaticBinding(signingKey, clientStatic, binding)) {
      return false;
    }
    if (hit != null) {
      synchronized (this) {
        hit.signingKey = signingKey.clone();
        hit.binding = binding.clone();
      }
    }
    return true;
  }

  private synchronized Entry get(ByteBuffer key) {
    return entries.get(key);
  }
}
