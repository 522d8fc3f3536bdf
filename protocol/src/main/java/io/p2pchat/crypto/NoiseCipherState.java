package io.p2pchat.crypto;

import java.security.GeneralSecurityException;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;

/**
 * Noise CipherState (spec rev 34, section 5.1) used during the handshake: a key (or none) and a
 * 64-bit nonce that increments per message. Transport packets use {@link TransportCipher} instead,
 * whose nonce is the explicit packet counter. No {@code Cipher} of its own: each message borrows the thread's
 * ({@link ThreadCiphers}), as a transport packet does; a handshake's two states (one saved while a message is
 * read) made two {@code Cipher.getInstance} per handshake.
 */
final class NoiseCipherState {
  private final CipherSuite suite;
  private byte[] key; // null until MixKey
  private long n;

  NoiseCipherState(CipherSuite suite) {
    this.suite = suite;
  }

  NoiseCipherState copy() {
    NoiseCipherState c = new NoiseCipherState(suite);
    c.key = key == null ? null : key.clone();
    c.n = n;
    return c;
  }

  void initializeKey(byte[] k) {
    wipe();
    key = k.clone();
    n = 0;
  }

  /** Zeroes the key (the array stays, all zero, so {@link #wiped()} can tell): the handshake was dropped. */
  void wipe() {
    if (key != null) {
      java.util.Arrays.fill(key, (byte) 0);
    }
  }

  /** True when no key is held or the key is all zero. */
  boolean wiped() {
    return key == null || NoiseSymmetricState.allZero(key);
  }

  boolean hasKey() {
    return key != null;
  }

  byte[] encryptWithAd(byte[] ad, byte[] plaintext) {
    if (key == null) {
      return plaintext.clone();
    }
    try {
      Cipher cipher = ThreadCiphers.current().encrypting(suite, key, n);
      cipher.updateAAD(ad);
      byte[] out = cipher.doFinal(plaintext);
      n++;
      return out;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("BUG: handshake encryption failed", e);
    }
  }

  byte[] decryptWithAd(byte[] ad, byte[] ciphertext) throws HandshakeException {
    if (key == null) {
      return ciphertext.clone();
    }
    if (ciphertext.length < CipherSuite.TAG_LENGTH) {
      throw new HandshakeException("handshake ciphertext shorter than its tag");
    }
    try {
      Cipher cipher = ThreadCiphers.current().decrypting(suite, key, n);
      cipher.updateAAD(ad);
      byte[] out = cipher.doFinal(ciphertext);
      n++;
      return out;
    } catch (AEADBadTagException e) {
      throw new HandshakeException("handshake message failed authentication (forged, corrupted or wrong room)");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("BUG: handshake decryption failed", e);
    }
  }
}
