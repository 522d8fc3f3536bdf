package io.p2pchat.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.security.Key;
import java.util.Arrays;
import java.util.Random;
import javax.crypto.AEADBadTagException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class TransportCipherTest {
  private static final long SEED = 0x5eed_c0ffeeL;
  private static final long EPOCH = 1L << TransportCipher.EPOCH_BITS;

  static byte[] roundTrip(TransportCipher send, TransportCipher recv, long counter, byte[] ad, byte[] msg)
      throws AEADBadTagException {
    byte[] ct = seal(send, counter, ad, msg);
    byte[] pt = new byte[ct.length - TransportCipher.TAG_LENGTH];
    assertEquals(pt.length, recv.decrypt(counter, ad, 0, ad.length, ct, 0, ct.length, pt, 0));
    return pt;
  }

  static byte[] seal(TransportCipher send, long counter, byte[] ad, byte[] msg) {
    byte[] ct = new byte[msg.length + TransportCipher.TAG_LENGTH];
    assertEquals(ct.length, send.encrypt(counter, ad, 0, ad.length, msg, 0, msg.length, ct, 0));
    return ct;
  }

  static byte[] open(TransportCipher recv, long counter, byte[] ad, byte[] ct) throws AEADBadTagException {
    byte[] pt = new byte[Math.max(0, ct.length - TransportCipher.TAG_LENGTH)];
    recv.decrypt(counter, ad, 0, ad.length, ct, 0, ct.length, pt, 0);
    return pt;
  }

  private static TransportCipher[] pair(CipherSuite suite, Random rnd) {
    byte[] key = new byte[32];
    rnd.nextBytes(key);
    return new TransportCipher[] {TransportCipher.of(suite, key), TransportCipher.of(suite, key)};
  }

  @ParameterizedTest
  @EnumSource(CipherSuite.class)
  void roundTripWithOffsets(CipherSuite suite) throws Exception {
    Random rnd = new Random(SEED);
    TransportCipher[] c = pair(suite, rnd);
    byte[] ad = new byte[16];
    for (int n = 0; n < 50; n++) {
      byte[] msg = new byte[rnd.nextInt(1200)];
      rnd.nextBytes(msg);
      rnd.nextBytes(ad);
      byte[] in = new byte[msg.length + 7];
      System.arraycopy(msg, 0, in, 3, msg.length);
      byte[] out = new byte[msg.length + 16 + 5];
      assertEquals(msg.length + 16, c[0].encrypt(n, ad, 0, ad.length, in, 3, msg.length, out, 5));
      byte[] back = new byte[msg.length + 2];
      assertEquals(msg.length, c[1].decrypt(n, ad, 0, ad.length, out, 5, msg.length + 16, back, 2));
      assertArrayEquals(msg, Arrays.copyOfRange(back, 2, 2 + msg.length), "seed " + SEED);
    }
  }

  @ParameterizedTest
  @EnumSource(CipherSuite.class)
  void anyFlippedBitInCiphertextTagOrHeaderIsRejected(CipherSuite suite) throws Exception {
    Random rnd = new Random(SEED);
    TransportCipher[] c = pair(suite, rnd);
    byte[] ad = new byte[16];
    rnd.nextBytes(ad);
    byte[] msg = new byte[40];
    rnd.nextBytes(msg);
    byte[] ct = seal(c[0], 7, ad, msg);
    for (int bit = 0; bit < ct.length * 8; bit++) {
      byte[] bad = ct.clone();
      bad[bit / 8] ^= (byte) (1 << (bit % 8));
      assertThrows(AEADBadTagException.class, () -> open(c[1], 7, ad, bad), "ciphertext bit " + bit);
    }
    for (int bit = 0; bit < ad.length * 8; bit++) {
      byte[] badAd = ad.clone();
      badAd[bit / 8] ^= (byte) (1 << (bit % 8));
      assertThrows(AEADBadTagException.class, () -> open(c[1], 7, badAd, ct), "header bit " + bit);
    }
    assertThrows(AEADBadTagException.class, () -> open(c[1], 8, ad, ct), "other counter");
    assertThrows(AEADBadTagException.class, () -> open(c[1], -1, ad, ct), "negative counter");
    assertThrows(AEADBadTagException.class, () -> open(c[1], 7, ad, Arrays.copyOf(ct, 15)), "shorter than tag");
    assertArrayEquals(msg, open(c[1], 7, ad, ct), "the genuine packet still decrypts");
    assertArrayEquals(msg, open(c[1], 7, ad, ct), "a replay decrypts too: ReplayWindow drops it");
  }

  @ParameterizedTest
  @EnumSource(CipherSuite.class)
  void senderRefusesNonceReuse(CipherSuite suite) {
    TransportCipher[] c = pair(suite, new Random(SEED));
    seal(c[0], 5, new byte[0], new byte[3]);
    assertThrows(IllegalStateException.class, () -> seal(c[0], 5, new byte[0], new byte[3]));
    assertThrows(IllegalStateException.class, () -> seal(c[0], 4, new byte[0], new byte[3]));
    seal(c[0], 6, new byte[0], new byte[3]);
  }

  @ParameterizedTest
  @EnumSource(CipherSuite.class)
  void keysRotateByEpochAndReorderAcrossTheBoundaryWorks(CipherSuite suite) throws Exception {
    Random rnd = new Random(SEED);
    TransportCipher[] c = pair(suite, rnd);
    byte[] ad = {1, 2, 3};
    byte[] msg = {42};
    byte[] oldEpoch = seal(c[0], EPOCH - 2, ad, msg);
    byte[] lastOld = seal(c[0], EPOCH - 1, ad, msg);
    byte[] newEpoch = seal(c[0], EPOCH, ad, msg);
    assertEquals(1, c[0].currentEpoch());
    // epoch 1 really uses Rekey(k0): the raw AEAD opens it with Rekey(k0) and not with k0
    byte[] k0 = new byte[32];
    new Random(SEED).nextBytes(k0);
    javax.crypto.Cipher raw = suite.newCipher();
    raw.init(javax.crypto.Cipher.DECRYPT_MODE, suite.key(suite.rekey(k0)), suite.nonce(EPOCH, new byte[12]));
    raw.updateAAD(ad);
    assertArrayEquals(msg, raw.doFinal(newEpoch));
    raw.init(javax.crypto.Cipher.DECRYPT_MODE, suite.key(k0), suite.nonce(EPOCH + 1, new byte[12]));
    raw.init(javax.crypto.Cipher.DECRYPT_MODE, suite.key(k0), suite.nonce(EPOCH, new byte[12]));
    raw.updateAAD(ad);
    assertThrows(AEADBadTagException.class, () -> raw.doFinal(newEpoch));

    assertArrayEquals(msg, open(c[1], EPOCH, ad, newEpoch));
    assertEquals(1, c[1].currentEpoch());
    assertArrayEquals(msg, open(c[1], EPOCH - 2, ad, oldEpoch), "previous epoch still decrypts");
    assertArrayEquals(msg, open(c[1], EPOCH - 1, ad, lastOld));

    // Early jump (time-based rotation) by the sender: two epochs ahead at once.
    long jump = TransportCipher.nextEpochStart(TransportCipher.nextEpochStart(EPOCH));
    assertEquals(3 * EPOCH, jump);
    byte[] jumped = seal(c[0], jump, ad, msg);
    assertArrayEquals(msg, open(c[1], jump, ad, jumped));
    assertEquals(3, c[1].currentEpoch());
    assertThrows(AEADBadTagException.class, () -> open(c[1], EPOCH - 1, ad, lastOld), "epoch 0 is forgotten");
  }

  @ParameterizedTest
  @EnumSource(CipherSuite.class)
  void forgedFutureEpochDoesNotMoveTheReceiver(CipherSuite suite) throws Exception {
    Random rnd = new Random(SEED);
    TransportCipher[] c = pair(suite, rnd);
    byte[] garbage = new byte[40];
    rnd.nextBytes(garbage);
    assertThrows(AEADBadTagException.class, () -> open(c[1], 2 * EPOCH, new byte[0], garbage));
    assertThrows(AEADBadTagException.class,
        () -> open(c[1], (TransportCipher.MAX_EPOCH_ADVANCE + 1) * EPOCH, new byte[0], garbage), "too far ahead");
    assertEquals(0, c[1].currentEpoch());
    byte[] ct = seal(c[0], 3, new byte[0], new byte[] {9});
    assertArrayEquals(new byte[] {9}, open(c[1], 3, new byte[0], ct));
    assertThrows(IllegalArgumentException.class,
        () -> seal(c[0], (TransportCipher.MAX_EPOCH_ADVANCE + 1) * EPOCH, new byte[0], new byte[1]));
  }

  @ParameterizedTest
  @EnumSource(CipherSuite.class)
  void destroyWipesTheKeysAndEveryLaterUseThrows(CipherSuite suite) throws Exception {
    TransportCipher[] c = pair(suite, new Random(SEED));
    byte[] ad = {1};
    byte[] oldEpoch = seal(c[0], EPOCH - 1, ad, new byte[] {1});
    roundTrip(c[0], c[1], EPOCH, ad, new byte[] {2}); // the receiver holds two epochs' keys now
    Field key = TransportCipher.class.getDeclaredField("key");
    Field previous = TransportCipher.class.getDeclaredField("previousKey");
    key.setAccessible(true);
    previous.setAccessible(true);
    byte[] current = (byte[]) key.get(c[1]);
    byte[] before = (byte[]) previous.get(c[1]);
    for (TransportCipher t : c) {
      assertFalse(t.isDestroyed());
      t.destroy();
      t.destroy(); // idempotent
      assertTrue(t.isDestroyed());
    }
    assertArrayEquals(new byte[32], current, "the current epoch's key wiped in place");
    assertArrayEquals(new byte[32], before, "the previous epoch's key wiped in place");
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> seal(c[0], EPOCH + 1, ad, new byte[1]));
    assertTrue(e.getMessage().contains("destroy"), e.getMessage());
    assertThrows(IllegalStateException.class, () -> open(c[1], EPOCH - 1, ad, oldEpoch));
  }

  @org.junit.jupiter.api.Test
  void aDirectionHoldsKeyBytesNoKeyObject() {
    for (Field f : TransportCipher.class.getDeclaredFields()) {
      if (!Modifier.isStatic(f.getModifiers())) {
        assertFalse(Key.class.isAssignableFrom(f.getType()), f + ": a key object per direction is ~24 bytes a session");
      }
    }
  }

  @ParameterizedTest
  @EnumSource(CipherSuite.class)
  void theCallersKeyIsCopiedAndLeftAloneAcrossRotations(CipherSuite suite) throws Exception {
    byte[] key = new byte[32];
    new Random(SEED).nextBytes(key);
    byte[] original = key.clone();
    TransportCipher send = TransportCipher.of(suite, key);
    TransportCipher recv = TransportCipher.of(suite, key);
    byte[] ad = {7};
    for (long counter : new long[] {0, EPOCH - 1, EPOCH, 3 * EPOCH + 5}) {
      assertArrayEquals(new byte[] {1, 2}, roundTrip(send, recv, counter, ad, new byte[] {1, 2}));
    }
    assertEquals(3, recv.currentEpoch());
    assertArrayEquals(original, key, "the cipher rotates and wipes its own copies, not the caller's array");
  }

  /**
   * Two sessions of distinct keys on one thread, their packets interleaved and each across an epoch
   * boundary (the receiver holding the previous epoch's key too): each packet inits the thread's cipher
   * with its own key, and nothing of the last init (key, nonce) leaks into the next.
   */
  @ParameterizedTest
  @EnumSource(CipherSuite.class)
  void sessionsSharingTheThreadsCipherStayApartAcrossEpochs(CipherSuite suite) throws Exception {
    Random rnd = new Random(SEED);
    TransportCipher[] a = pair(suite, rnd);
    TransportCipher[] b = pair(suite, rnd);
    byte[] ad = {1, 2, 3, 4};
    byte[] msgA = {10, 11};
    byte[] msgB = {20, 21, 22};
    byte[] aOld = seal(a[0], EPOCH - 1, ad, msgA);
    byte[] bOld = seal(b[0], EPOCH - 1, ad, msgB);
    byte[] aNew = seal(a[0], EPOCH, ad, msgA);
    byte[] bNew = seal(b[0], EPOCH + 1, ad, msgB);
    assertArrayEquals(msgA, open(a[1], EPOCH, ad, aNew));
    assertArrayEquals(msgB, open(b[1], EPOCH + 1, ad, bNew));
    assertArrayEquals(msgA, open(a[1], EPOCH - 1, ad, aOld), "a's previous epoch");
    assertArrayEquals(msgB, open(b[1], EPOCH - 1, ad, bOld), "b's previous epoch");
    assertThrows(AEADBadTagException.class, () -> open(b[1], EPOCH, ad, aNew), "a's packet under b's key");
    assertThrows(AEADBadTagException.class, () -> open(a[1], EPOCH - 1, ad, bOld), "b's packet under a's key");
    assertArrayEquals(msgA, open(a[1], EPOCH, ad, aNew), "the same packet again, after another key's init");
  }
}
