package io.p2pchat.crypto;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Noise SymmetricState (spec rev 34, section 5.2) with SHA-256 and HKDF over HMAC-SHA256. */
final class NoiseSymmetricState {
  /** HASHLEN of SHA-256. */
  static final int HASH_LENGTH = 32;

  private final CipherSuite suite;
  private NoiseCipherState cs;
  private byte[] ck;
  private byte[] h;

  private NoiseSymmetricState(CipherSuite suite, NoiseCipherState cs, byte[] ck, byte[] h) {
    this.suite = suite;
    this.cs = cs;
    this.ck = ck;
    this.h = h;
  }

  /** InitializeSymmetric(protocol_name) of the XX protocol with {@code suite}. */
  static NoiseSymmetricState initialize(CipherSuite suite) {
    return initialize(suite, suite.noiseProtocolName());
  }

  /** InitializeSymmetric(protocolName), e.g. {@code Noise_IK_25519_AESGCM_SHA256}. */
  static NoiseSymmetricState initialize(CipherSuite suite, String protocolName) {
    byte[] name = protocolName.getBytes(StandardCharsets.US_ASCII);
    byte[] h = name.length <= HASH_LENGTH ? Arrays.copyOf(name, HASH_LENGTH) : sha256(name);
    return new NoiseSymmetricState(suite, new NoiseCipherState(suite), h.clone(), h);
  }

  NoiseSymmetricState copy() {
    return new NoiseSymmetricState(suite, cs.copy(), ck.clone(), h.clone());
  }

  void mixKey(byte[] ikm) {
    byte[][] out = hkdf2(ck, ikm);
    Arrays.fill(ck, (byte) 0);
    ck = out[0];
    cs.initializeKey(out[1]); // HASHLEN == 32 == key length: no truncation needed
    Arrays.fill(out[1], (byte) 0);
  }

  /**
   * Zeroes ck, h and the cipher state's k: the handshake ended (split) or was dropped. h is wiped too: it is
   * not a key, but it hashes the prologue, which a secret room derives from its secret (RoomId), so with the
   * transcript it would let a guess of that secret be tested offline.
   */
  void wipe() {
    Arrays.fill(ck, (byte) 0);
    Arrays.fill(h, (byte) 0);
    cs.wipe();
  }

  /** True when ck, h and k are all zero. */
  boolean wiped() {
    return allZero(ck) && allZero(h) && cs.wiped();
  }

  static boolean allZero(byte[] b) {
    int or = 0;
    for (byte x : b) {
      or |= x;
    }
    return or == 0;
  }

  void mixHash(byte[] data) {
    h = ThreadJce.sha256(h, data);
  }

  byte[] encryptAndHash(byte[] plaintext) {
    byte[] ct = cs.encryptWithAd(h, plaintext);
    mixHash(ct);
    return ct;
  }

  byte[] decryptAndHash(byte[] ciphertext) throws HandshakeException {
    byte[] pt = cs.decryptWithAd(h, ciphertext);
    mixHash(ciphertext);
    return pt;
  }

  boolean hasKey() {
    return cs.hasKey();
  }

  byte[] handshakeHash() {
    return h.clone();
  }

  /** A secret exported from the chaining key under {@code label} (HKDF(ck, label)'s first output): not a key of the handshake. */
  byte[] export(byte[] label) {
    byte[][] out = hkdf2(ck, label);
    Arrays.fill(out[1], (byte) 0);
    return out[0];
  }

  /** Split(): the initiator-to-responder key first, then the responder-to-initiator key. */
  byte[][] split() {
    return hkdf2(ck, new byte[0]);
  }

  /** HKDF(chaining_key, ikm, 2) of Noise section 4.3. */
  static byte[][] hkdf2(byte[] chainingKey, byte[] ikm) {
    byte[] tempKey = hmac(chainingKey, ikm);
    byte[] out1 = hmac(tempKey, new byte[] {1});
    byte[] in2 = Arrays.copyOf(out1, out1.length + 1);
    in2[out1.length] = 2;
    byte[] out2 = hmac(tempKey, in2);
    Arrays.fill(tempKey, (byte) 0);
    Arrays.fill(in2, (byte) 0);
    return new byte[][] {out1, out2};
  }

  static byte[] hmac(byte[] key, byte[] data) {
    return ThreadJce.hmacSha256(key, data);
  }

  static byte[] sha256(byte[] data) {
    return ThreadJce.sha256(data);
  }
}
