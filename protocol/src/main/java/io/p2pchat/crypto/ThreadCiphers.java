package io.p2pchat.crypto;

import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;

/**
 * The JCE cipher objects of one thread, one per suite and direction, that every {@link TransportCipher}
 * on the thread borrows for the packet at hand. A JCE {@code Cipher} for AES-GCM holds ~1.5 KiB (the
 * expanded AES key schedules, GHASH state, buffers); kept per session direction, a rendezvous holding a
 * million control sessions would spend 3 GB on them. Borrowed, a session direction costs its key.
 *
 * <p>Every use re-initialises the cipher with the packet's key and nonce, as {@link TransportCipher} always
 * did; the JDK's AES skips the key expansion when the key is the one of the previous init, so a busy peer's
 * packets in a row cost what they cost with a cipher of their own. Encryption and decryption use
 * distinct objects, so a decrypt never follows the same thread's encrypt with its key and nonce (the
 * JDK's ChaCha20 refuses an init that repeats the previous one's key and nonce, see {@link #decrypting}).
 * Never shared between threads: a ThreadLocal, and nothing here is handed out beyond one call.
 */
final class ThreadCiphers {

  private static final ThreadLocal<ThreadCiphers> CURRENT = ThreadLocal.withInitial(ThreadCiphers::new);

  private final Cipher[] encrypt = new Cipher[CipherSuite.values().length];
  private final Cipher[] decrypt = new Cipher[CipherSuite.values().length];
  private final byte[] nonce = new byte[CipherSuite.NONCE_LENGTH];
  /** Key and counter of the last decrypt init (of any suite: distinct suites never share a key object). */
  private SecretKeySpec lastOpenedKey;
  private long lastOpenedCounter;

  private ThreadCiphers() {
  }

  /** This thread's ciphers. */
  static ThreadCiphers current() {
    return CURRENT.get();
  }

  /** This thread's encrypting cipher of {@code suite}, initialised with {@code key} and the nonce of {@code counter}. */
  Cipher encrypting(CipherSuite suite, SecretKeySpec key, long counter) throws GeneralSecurityException {
    Cipher c = encrypt[suite.ordinal()];
    if (c == null) {
      c = encrypt[suite.ordinal()] = suite.newCipher();
    }
    c.init(Cipher.ENCRYPT_MODE, key, suite.nonce(counter, nonce));
    return c;
  }

  /**
   * This thread's decrypting cipher of {@code suite}, initialised with {@code key} and the nonce of
   * {@code counter}. The JDK's ChaCha20 refuses an init with the key and nonce of the previous init, even
   * to decrypt (a replayed packet, or the genuine packet after a forgery with its counter): an init with
   * another nonce in between resets that check; nothing is decrypted with it.
   */
  Cipher decrypting(CipherSuite suite, SecretKeySpec key, long counter) throws GeneralSecurityException {
    Cipher c = decrypt[suite.ordinal()];
    if (c == null) {
      c = decrypt[suite.ordinal()] = suite.newCipher();
    }
    if (key == lastOpenedKey && counter == lastOpenedCounter) {
      c.init(Cipher.DECRYPT_MODE, key, suite.nonce(counter ^ 1, nonce));
    }
    lastOpenedKey = key;
    lastOpenedCounter = counter;
    try {
      c.init(Cipher.DECRYPT_MODE, key, suite.nonce(counter, nonce));
    } catch (InvalidKeyException sameAsBefore) {
      // Another key object with the same bytes (two ends of a test in one thread): the same reset.
      c.init(Cipher.DECRYPT_MODE, key, suite.nonce(counter ^ 1, nonce));
      c.init(Cipher.DECRYPT_MODE, key, suite.nonce(counter, nonce));
    }
    return c;
  }
}
