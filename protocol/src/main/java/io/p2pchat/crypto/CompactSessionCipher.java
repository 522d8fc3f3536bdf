package io.p2pchat.crypto;

import java.util.Arrays;
import javax.crypto.AEADBadTagException;

/**
 * Both directions' AEAD of a low-rate session, held in the session object's own fields: its two keys, its
 * suite and its send counter, with the replay window of {@link CompactReplayWindow} below them. For what a
 * rendezvous keeps by the hundred thousand (a control session per client), where two {@link TransportCipher}
 * objects (40 bytes each, and a reference to each) would cost ~88 bytes more a client.
 *
 * <p>The same packet discipline as {@link TransportCipher}: the nonce is the explicit counter of the header,
 * which is authenticated as associated data; the thread's borrowed cipher ({@link ThreadCiphers}) does the work.
 * Unlike it, one key per direction for the session's whole life: no key epochs. A session of this kind is
 * replaced by a new handshake long before it could seal {@link #MAX_COUNTERS} messages (a control session
 * lives minutes and carries a few messages a second), so a counter at or past that bound is refused: the
 * sender's session is exhausted (its owner handshakes again) and a receiver treats such a counter as a forgery.
 *
 * <p>Sending takes the counters in order ({@link #sendCounter()}, then {@link #encryptNext}), so no nonce is
 * used twice. {@link #destroyKeys()} wipes both keys when the session ends; any later use throws
 * {@link IllegalStateException}. Its operations are protected: they are the subclass's to call, not its API.
 * Not thread-safe.
 */
public abstract class CompactSessionCipher extends CompactReplayWindow {
  /** Counters a direction may use under its one key: one {@link TransportCipher} key epoch, 2^20. */
  public static final long MAX_COUNTERS = 1L << TransportCipher.EPOCH_BITS;
  /** The suites by ordinal, once: {@code values()} makes a new array at each call, and every message asks. */
  private static final CipherSuite[] SUITES = CipherSuite.values();

  /** Null once destroyed. */
  private byte[] sendKey;
  private byte[] receiveKey;
  /** {@link CipherSuite}'s ordinal: a byte, packed among the subclass's fields. */
  private final byte suite;
  /** The counter the next sealed message uses. */
  private long nextCounter;

  /**
   * Takes the first-epoch keys of {@code keys}' two directions, which have sealed and opened nothing: their
   * ciphers are left destroyed, the key arrays now this session's.
   */
  protected CompactSessionCipher(SessionKeys keys) {
    CipherSuite s = keys.send().suite();
    if (keys.receive().suite() != s) {
      throw new IllegalArgumentException("both directions of a session use one suite");
    }
    this.suite = (byte) s.ordinal();
    this.sendKey = keys.send().surrenderFirstKey();
    this.receiveKey = keys.receive().surrenderFirstKey();
  }

  /** The cipher suite of both directions. */
  public CipherSuite suite() {
    return SUITES[suite];
  }

  /** The counter the next {@link #encryptNext} uses: write it into the header first. */
  protected final long sendCounter() {
    return nextCounter;
  }

  /** True once this direction has sealed {@link #MAX_COUNTERS} messages: it seals no more. */
  protected final boolean sendExhausted() {
    return nextCounter >= MAX_COUNTERS;
  }

  /**
   * Encrypts {@code in[inOff, inOff+inLen)} into {@code out} at {@code outOff} under the nonce
   * {@link #sendCounter()}, with associated data {@code ad[adOff, adOff+adLen)}, and moves the counter on.
   * Returns inLen + 16.
   *
   * @throws IllegalStateException when the keys are destroyed or the counters exhausted
   */
  protected final int encryptNext(byte[] ad, int adOff, int adLen, byte[] in, int inOff, int inLen, byte[] out,
      int outOff) {
    byte[] key = requireKey(sendKey);
    if (sendExhausted()) {
      throw new IllegalStateException("session sealed its " + MAX_COUNTERS + " messages: handshake again");
    }
    int n = TransportCipher.seal(suite(), key, nextCounter, ad, adOff, adLen, in, inOff, inLen, out, outOff);
    nextCounter++;
    return n;
  }

  /**
   * Decrypts and authenticates {@code in[inOff, inOff+inLen)} (ciphertext + tag) under the nonce {@code counter},
   * with associated data {@code ad[adOff, adOff+adLen)}, into {@code out}. Returns the plaintext length. Anything
   * that does not authenticate, and a counter outside [0, {@link #MAX_COUNTERS}), throws
   * {@link AEADBadTagException}; nothing changes here either way (the replay window is the caller's).
   */
  protected final int decrypt(long counter, byte[] ad, int adOff, int adLen, byte[] in, int inOff, int inLen,
      byte[] out, int outOff) throws AEADBadTagException {
    byte[] key = requireKey(receiveKey);
    if (counter < 0 || counter >= MAX_COUNTERS) {
      throw new AEADBadTagException("counter " + counter + " outside the session's one key");
    }
    if (inLen < CipherSuite.TAG_LENGTH) {
      throw new AEADBadTagException("ciphertext shorter than the tag");
    }
    return TransportCipher.open(suite(), key, counter, ad, adOff, adLen, in, inOff, inLen, out, outOff);
  }

  /** Wipes both keys: the session ended. Idempotent. */
  protected final void destroyKeys() {
    if (sendKey != null) {
      Arrays.fill(sendKey, (byte) 0);
      sendKey = null;
    }
    if (receiveKey != null) {
      Arrays.fill(receiveKey, (byte) 0);
      receiveKey = null;
    }
  }

  /** True once {@link #destroyKeys()} wiped the keys. */
  protected final boolean keysWiped() {
    return sendKey == null && receiveKey == null;
  }

  private static byte[] requireKey(byte[] key) {
    if (key == null) {
      throw new IllegalStateException("BUG: session cipher used after its keys were destroyed (its session ended)");
    }
    return key;
  }
}
