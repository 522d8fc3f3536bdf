package io.p2pchat.crypto;

import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.ShortBufferException;

/**
 * The AEAD of one direction of a session, for DATA packets. The nonce is the packet counter of the
 * header (which travels in clear and is authenticated as associated data), so packets may arrive out
 * of order; replay is the job of {@link ReplayWindow}, checked after {@link #decrypt} succeeded.
 *
 * <p><b>Key rotation.</b> The key depends on the epoch {@code counter >>> EPOCH_BITS}: epoch 0 uses the
 * key from {@link NoiseHandshake#split()}, epoch e+1 uses Noise Rekey() of epoch e's key. A sender moves
 * on by itself every 2^20 packets, and may jump early to {@link #nextEpochStart(long)} (the caller decides
 * after how long). The receiver keeps the current and the previous epoch's key, so packets reordered
 * across a boundary still decrypt; it adopts a newer epoch only after a packet of it authenticated, so a
 * forged counter cannot move it. Old keys are forgotten: forward secrecy within a session.
 *
 * <p>No {@code javax.crypto.Cipher} of its own: each packet borrows the thread's ({@link ThreadCiphers}),
 * re-initialised with this direction's key, so a direction costs its key bytes and a few counters (a
 * rendezvous holds one session per client): no {@code SecretKeySpec} either, the thread's reusable key
 * object carries the bytes into the init. The send side refuses a counter that is not larger than the last one:
 * reusing a nonce would break both AEADs.
 *
 * <p><b>Key lifetime.</b> The owner calls {@link #destroy()} when the session ends (closed, replaced by a
 * new handshake, expired): the key bytes are wiped then, not when the garbage collector gets to them, and any
 * later use throws {@link IllegalStateException}.
 * Not thread-safe: the session owner calls it from one thread.
 */
public final class TransportCipher {
  /** Authentication tag appended to every ciphertext. */
  public static final int TAG_LENGTH = CipherSuite.TAG_LENGTH;
  /**
   * log2 of packets per key epoch: 2^20 (about a million packets, ~1.2 GB at 1200 bytes) per key keeps
   * every key far below the AES-GCM and ChaCha20-Poly1305 usage limits, and a leaked key cannot
   * decrypt earlier epochs (Rekey() is one-way).
   */
  public static final int EPOCH_BITS = 20;
  /**
   * How many epochs a packet may be ahead of the receiver's current one (and the sender ahead of its
   * own last packet). Bounds the Rekey() work a forged packet can cost (8 AEAD calls) while allowing
   * a sender that jumped epochs on a timer to be up to 8 jumps ahead of a peer that missed them all.
   */
  public static final int MAX_EPOCH_ADVANCE = 8;

  private final CipherSuite suite;
  private long epoch;
  /** The current epoch's key: this cipher's own copy, wiped once the epoch is left behind; null once destroyed. */
  private byte[] key;
  private byte[] previousKey; // receive side: epoch - 1, or null
  private long lastSent = -1;

  TransportCipher(CipherSuite suite, byte[] key) {
    this.suite = suite;
    this.key = suite.checkedKey(key).clone();
  }

  /** A cipher for one direction with a given epoch-0 key (tests, benchmarks). */
  public static TransportCipher of(CipherSuite suite, byte[] key) {
    return new TransportCipher(suite, key);
  }

  public CipherSuite suite() {
    return suite;
  }

  /** The key epoch of a counter. */
  public static long epochOf(long counter) {
    return counter >>> EPOCH_BITS;
  }

  /** The first counter of the epoch after {@code counter}'s: where a sender jumps to rotate early. */
  public static long nextEpochStart(long counter) {
    return (epochOf(counter) + 1) << EPOCH_BITS;
  }

  /** The epoch of the current key (the last one used to send, or the newest authenticated on receive). */
  public long currentEpoch() {
    return epoch;
  }

  /**
   * Encrypts {@code in[inOff, inOff+inLen)} into {@code out} at {@code outOff} under nonce
   * {@code counter} with associated data {@code ad[adOff, adOff+adLen)} (the packet header).
   * Returns inLen + 16.
   * {@code counter} must be larger than every counter this cipher sent before.
   */
  public int encrypt(long counter, byte[] ad, int adOff, int adLen, byte[] in, int inOff, int inLen, byte[] out, int outOff) {
    requireKey();
    if (counter < 0 || counter <= lastSent) {
      throw new IllegalStateException("BUG: send counter " + counter + " not above " + lastSent + " (nonce reuse)");
    }
    long e = epochOf(counter);
    if (e - epoch > MAX_EPOCH_ADVANCE) {
      throw new IllegalArgumentException("counter jumps " + (e - epoch) + " epochs, max " + MAX_EPOCH_ADVANCE);
    }
    while (epoch < e) {
      byte[] next = suite.rekey(key);
      wipe(key);
      key = next;
      epoch++;
    }
    int n = seal(suite, key, counter, ad, adOff, adLen, in, inOff, inLen, out, outOff);
    lastSent = counter;
    return n;
  }

  /** One packet sealed under {@code key} and the nonce of {@code counter}, by the thread's cipher (no checks). */
  static int seal(CipherSuite suite, byte[] key, long counter, byte[] ad, int adOff, int adLen, byte[] in, int inOff,
      int inLen, byte[] out, int outOff) {
    try {
      Cipher cipher = ThreadCiphers.current().encrypting(suite, key, counter);
      cipher.updateAAD(ad, adOff, adLen);
      return cipher.doFinal(in, inOff, inLen, out, outOff);
    } catch (ShortBufferException e) {
      throw new IllegalArgumentException("output buffer too small: need " + (inLen + TAG_LENGTH), e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("BUG: encryption failed", e);
    }
  }

  /**
   * Decrypts and authenticates {@code in[inOff, inOff+inLen)} (ciphertext + tag) into {@code out},
   * with associated data {@code ad[adOff, adOff+adLen)}.
   * Returns the plaintext length (inLen - 16). Throws {@link AEADBadTagException} for anything that does
   * not authenticate: forged or corrupted bytes, wrong header, an epoch older than the previous one or
   * too far ahead, a negative counter. The cipher's state only changes after success.
   */
  public int decrypt(long counter, byte[] ad, int adOff, int adLen, byte[] in, int inOff, int inLen, byte[] out, int outOff)
      throws AEADBadTagException {
    requireKey();
    if (counter < 0) {
      throw new AEADBadTagException("negative counter");
    }
    if (inLen < TAG_LENGTH) {
      throw new AEADBadTagException("ciphertext shorter than the tag");
    }
    if (out.length - outOff < inLen - TAG_LENGTH) {
      throw new IllegalArgumentException("output buffer too small: need " + (inLen - TAG_LENGTH));
    }
    long e = epochOf(counter);
    if (e == epoch) {
      return open(suite, key, counter, ad, adOff, adLen, in, inOff, inLen, out, outOff);
    }
    if (e == epoch - 1 && previousKey != null) {
      return open(suite, previousKey, counter, ad, adOff, adLen, in, inOff, inLen, out, outOff);
    }
    if (e < epoch || e - epoch > MAX_EPOCH_ADVANCE) {
      throw new AEADBadTagException("packet epoch " + e + " outside [" + (epoch - 1) + ", " + (epoch + MAX_EPOCH_ADVANCE) + "]");
    }
    // A newer epoch: derive its key on the side and adopt it only if the packet authenticates. The keys
    // derived on the way and not kept (those between, or all of them if it fails) are wiped.
    byte[] prev = null;
    byte[] cand = key;
    for (long i = epoch; i < e; i++) {
      byte[] next = suite.rekey(cand);
      if (prev != null && prev != key) {
        wipe(prev);
      }
      prev = cand;
      cand = next;
    }
    int n;
    try {
      n = open(suite, cand, counter, ad, adOff, adLen, in, inOff, inLen, out, outOff);
    } catch (AEADBadTagException | RuntimeException failed) {
      if (prev != key) {
        wipe(prev);
      }
      wipe(cand);
      throw failed;
    }
    if (previousKey != null) {
      wipe(previousKey);
    }
    if (prev != key) {
      wipe(key);
    }
    previousKey = prev;
    key = cand;
    epoch = e;
    return n;
  }

  /**
   * Wipes this direction's keys (the current epoch's and, on the receive side, the previous one's): its
   * session ended. Every later {@link #encrypt} or {@link #decrypt} throws {@link IllegalStateException}.
   * Idempotent.
   */
  public void destroy() {
    if (key != null) {
      wipe(key);
      key = null;
    }
    if (previousKey != null) {
      wipe(previousKey);
      previousKey = null;
    }
  }

  /**
   * Hands this cipher's first key to a holder that keeps it in fields of its own ({@link CompactSessionCipher}),
   * and leaves this cipher destroyed: one array of the key, no copy left behind.
   *
   * @throws IllegalStateException when this cipher has sealed, left its first epoch, or been destroyed
   */
  byte[] surrenderFirstKey() {
    requireKey();
    if (epoch != 0 || previousKey != null || lastSent >= 0) {
      throw new IllegalStateException("BUG: only an unused cipher's first key can be handed over");
    }
    byte[] k = key;
    key = null;
    return k;
  }

  /** True once {@link #destroy()} wiped the keys. */
  public boolean isDestroyed() {
    return key == null;
  }

  private void requireKey() {
    if (key == null) {
      throw new IllegalStateException("BUG: transport cipher used after destroy() (its session ended)");
    }
  }

  private static void wipe(byte[] k) {
    Arrays.fill(k, (byte) 0);
  }

  /** One packet opened under {@code k} and the nonce of {@code counter}, by the thread's cipher (no checks). */
  static int open(CipherSuite suite, byte[] k, long counter, byte[] ad, int adOff, int adLen, byte[] in, int inOff,
      int inLen, byte[] out, int outOff) throws AEADBadTagException {
    try {
      Cipher cipher = ThreadCiphers.current().decrypting(suite, k, counter);
      cipher.updateAAD(ad, adOff, adLen);
      return cipher.doFinal(in, inOff, inLen, out, outOff);
    } catch (AEADBadTagException e) {
      throw e;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("BUG: decryption failed", e);
    }
  }
}
