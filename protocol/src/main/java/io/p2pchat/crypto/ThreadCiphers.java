package io.p2pchat.crypto;

import java.security.GeneralSecurityException;
import java.security.InvalidAlgorithmParameterException;
import java.security.InvalidKeyException;
import java.security.spec.AlgorithmParameterSpec;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;

/**
 * The JCE cipher objects of one thread, one per suite and direction, that every {@link TransportCipher}
 * on the thread borrows for the packet at hand, and every other AEAD of this code too: a Noise handshake's
 * messages ({@link NoiseCipherState}) and the one-shot seals under an explicit nonce ({@link CipherSuite#seal}:
 * resumption tickets and messages). The one owner of per-thread AEAD cipher objects; {@link ThreadJce} keeps
 * only hashes and MACs. A JCE {@code Cipher} for AES-GCM holds ~1.5 KiB (the
 * expanded AES key schedules, GHASH state, buffers); kept per session direction, a rendezvous holding a
 * million control sessions would spend 3 GB on them. Borrowed, a session direction costs its key.
 *
 * <p>Every use re-initialises the cipher with the packet's key and nonce, as {@link TransportCipher} always
 * did; the JDK's AES skips the key expansion when the key is the one of the previous init, so a busy peer's
 * packets in a row cost what they cost with a cipher of their own. Encryption and decryption use
 * distinct objects, so a decrypt never follows the same thread's encrypt with its key and nonce (the
 * JDK's ChaCha20 refuses an init that repeats the previous one's key and nonce, see {@link #decrypting}).
 *
 * <p>The callers hand over key bytes, not key objects: a session direction keeps a 32-byte array, and
 * the init gets it through the thread's one {@link BorrowedKey}, so neither a session nor a packet holds
 * or allocates a {@code SecretKeySpec}. The init copies the bytes out of it ({@code getEncoded}, as from a
 * {@code SecretKeySpec}); the key object holds them only for the duration of that call.
 * Never shared between threads: a ThreadLocal, and nothing here is handed out beyond one call.
 */
final class ThreadCiphers {

  private static final ThreadLocal<ThreadCiphers> CURRENT = ThreadLocal.withInitial(ThreadCiphers::new);

  private final Cipher[] encrypt = new Cipher[CipherSuite.values().length];
  private final Cipher[] decrypt = new Cipher[CipherSuite.values().length];
  private final byte[] nonce = new byte[CipherSuite.NONCE_LENGTH];
  private final BorrowedKey borrowed = new BorrowedKey();
  /**
   * Identity hash of the key array of the last decrypt init (of any suite), and its counter: not the array,
   * which would keep the key of a session that ended reachable from the thread until its next packet. Two
   * arrays with one hash cost a spare init (below), nothing else.
   */
  private int lastOpenedKeyId;
  private long lastOpenedCounter;

  private ThreadCiphers() {
  }

  /** This thread's ciphers. */
  static ThreadCiphers current() {
    return CURRENT.get();
  }

  /** This thread's encrypting cipher of {@code suite}, initialised with {@code key} and the nonce of {@code counter}. */
  Cipher encrypting(CipherSuite suite, byte[] key, long counter) throws GeneralSecurityException {
    Cipher c = cipher(encrypt, suite);
    init(c, Cipher.ENCRYPT_MODE, suite, key, suite.nonce(counter, nonce));
    return c;
  }

  /**
   * This thread's decrypting cipher of {@code suite}, initialised with {@code key} and the nonce of
   * {@code counter}. The JDK's ChaCha20 refuses an init with the key and nonce of the previous init, even
   * to decrypt (a replayed packet, or the genuine packet after a forgery with its counter): an init with
   * another nonce in between resets that check; nothing is decrypted with it.
   */
  Cipher decrypting(CipherSuite suite, byte[] key, long counter) throws GeneralSecurityException {
    Cipher c = cipher(decrypt, suite);
    int keyId = System.identityHashCode(key);
    if (keyId == lastOpenedKeyId && counter == lastOpenedCounter) {
      init(c, Cipher.DECRYPT_MODE, suite, key, suite.nonce(counter ^ 1, nonce));
    }
    lastOpenedKeyId = keyId;
    lastOpenedCounter = counter;
    try {
      init(c, Cipher.DECRYPT_MODE, suite, key, suite.nonce(counter, nonce));
    } catch (InvalidKeyException sameAsBefore) {
      // Another key array with the same bytes (two ends of a test in one thread): the same reset.
      init(c, Cipher.DECRYPT_MODE, suite, key, suite.nonce(counter ^ 1, nonce));
      init(c, Cipher.DECRYPT_MODE, suite, key, suite.nonce(counter, nonce));
    }
    return c;
  }

  /**
   * {@code plain} sealed under {@code key} and the explicit 12-byte {@code explicitNonce}, {@code aad}
   * authenticated: a message that is the only one under its key, or whose nonce is random (see
   * {@link CipherSuite#seal}). The thread's cipher of the suite, as for a packet.
   */
  byte[] seal(CipherSuite suite, byte[] key, byte[] explicitNonce, byte[] aad, byte[] plain) {
    try {
      Cipher c = cipher(encrypt, suite);
      init(c, Cipher.ENCRYPT_MODE, suite, suite.checkedKey(key), suite.nonce(explicitNonce));
      c.updateAAD(aad);
      return c.doFinal(plain);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("BUG: " + suite + " seal failed", e);
    }
  }

  /** Opens what {@link #seal} sealed; throws {@link AEADBadTagException} on any change. */
  byte[] open(CipherSuite suite, byte[] key, byte[] explicitNonce, byte[] aad, byte[] sealed) throws AEADBadTagException {
    try {
      Cipher c = cipher(decrypt, suite);
      AlgorithmParameterSpec iv = suite.nonce(explicitNonce);
      try {
        init(c, Cipher.DECRYPT_MODE, suite, suite.checkedKey(key), iv);
      } catch (InvalidKeyException sameAsBefore) {
        // ChaCha20's check, as in decrypting: another nonce in between resets it.
        byte[] other = explicitNonce.clone();
        other[other.length - 1] ^= 1;
        init(c, Cipher.DECRYPT_MODE, suite, suite.checkedKey(key), suite.nonce(other));
        init(c, Cipher.DECRYPT_MODE, suite, suite.checkedKey(key), iv);
      }
      c.updateAAD(aad);
      return c.doFinal(sealed);
    } catch (AEADBadTagException e) {
      throw e;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("BUG: " + suite + " open failed", e);
    }
  }

  /** This thread's cipher of {@code suite} in {@code ciphers} (one direction's), made at its first use. */
  private static Cipher cipher(Cipher[] ciphers, CipherSuite suite) {
    Cipher c = ciphers[suite.ordinal()];
    if (c == null) {
      c = ciphers[suite.ordinal()] = suite.newCipher();
    }
    return c;
  }

  /**
   * {@code c.init} with {@code key}'s bytes in the thread's key object, which lets go of them afterwards. An
   * encrypting init that repeats the (key, nonce) of the cipher's previous one is refused by the JDK (AES-GCM:
   * InvalidAlgorithmParameterException, ChaCha20: InvalidKeyException, the key's length being checked before):
   * that is nonce reuse, a bug of the caller, and it throws as one. Never retried on another cipher object.
   */
  private void init(Cipher c, int mode, CipherSuite suite, byte[] key, AlgorithmParameterSpec iv)
      throws GeneralSecurityException {
    borrowed.lend(suite.keyAlgorithm(), key);
    try {
      c.init(mode, borrowed, iv);
    } catch (InvalidAlgorithmParameterException | InvalidKeyException refused) {
      if (mode == Cipher.ENCRYPT_MODE && (refused instanceof InvalidAlgorithmParameterException
          || key.length == CipherSuite.KEY_LENGTH)) { // ChaCha20 says a repeat with InvalidKeyException, as a bad key
        throw new IllegalStateException("BUG: " + suite + " nonce reuse: the (key, nonce) of this thread's last seal again",
            refused);
      }
      throw refused;
    } finally {
      borrowed.lend(null, null);
    }
  }

  /**
   * The thread's key object: the bytes of the init at hand, as a RAW secret key of the suite's algorithm
   * (what the JDK's AES-GCM and ChaCha20-Poly1305 accept, as they accept a {@code SecretKeySpec}). Every
   * {@link #getEncoded} is a fresh copy, as {@code SecretKeySpec}'s is: the JDK keeps the copy it gets and
   * wipes it later, so handing out the session's own array would wipe the session's key. Not serialisable
   * in any useful sense (its fields are transient): it never leaves this class.
   */
  private static final class BorrowedKey implements SecretKey {
    private static final long serialVersionUID = 1L;
    private transient String algorithm;
    private transient byte[] bytes;

    void lend(String algorithm, byte[] bytes) {
      this.algorithm = algorithm;
      this.bytes = bytes;
    }

    @Override
    public String getAlgorithm() {
      return algorithm;
    }

    @Override
    public String getFormat() {
      return "RAW";
    }

    @Override
    public byte[] getEncoded() {
      return bytes == null ? null : bytes.clone();
    }
  }
}
