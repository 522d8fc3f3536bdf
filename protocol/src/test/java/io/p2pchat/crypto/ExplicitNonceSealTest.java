package io.p2pchat.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link CipherSuite#seal} with an explicit nonce (resumption's messages and tickets) on the thread's borrowed
 * cipher ({@link ThreadCiphers}, which transport packets and Noise use too): what a fresh JDK cipher makes, a
 * failed open leaves nothing behind, a repeat of the last seal's (key, nonce) is refused as nonce reuse and never
 * retried on another cipher object, and a transport packet after it on the same thread is untouched.
 */
class ExplicitNonceSealTest {

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  private static byte[] key(int fill) {
    byte[] key = new byte[CipherSuite.KEY_LENGTH];
    Arrays.fill(key, (byte) fill);
    return key;
  }

  @ParameterizedTest
  @EnumSource(CipherSuite.class)
  void aSealIsWhatAFreshCipherMakesAndOpensBack(CipherSuite suite) throws Exception {
    byte[] key = key(7);
    byte[] nonce = new byte[12];
    nonce[3] = 5;
    byte[] aad = bytes("aad");
    byte[] plain = bytes("a resumption ticket's contents");
    Cipher fresh = Cipher.getInstance(suite == CipherSuite.AES_GCM ? "AES/GCM/NoPadding" : "ChaCha20-Poly1305");
    fresh.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, suite == CipherSuite.AES_GCM ? "AES" : "ChaCha20"),
        suite == CipherSuite.AES_GCM ? new GCMParameterSpec(128, nonce) : new IvParameterSpec(nonce));
    fresh.updateAAD(aad);
    byte[] expected = fresh.doFinal(plain);
    assertArrayEquals(expected, suite.seal(key, nonce, aad, plain));
    byte[] forged = expected.clone();
    forged[0] ^= 1;
    assertThrows(AEADBadTagException.class, () -> suite.open(key, nonce, aad, forged));
    assertArrayEquals(plain, suite.open(key, nonce, aad, expected), "a failed open leaves nothing behind");
    assertArrayEquals(plain, suite.open(key, nonce, aad, expected), "the same open again");
    assertThrows(AEADBadTagException.class, () -> suite.open(key, nonce, bytes("other aad"), expected));
    assertThrows(IllegalArgumentException.class, () -> suite.seal(key, new byte[16], aad, plain), "12-byte nonces only");
  }

  @ParameterizedTest
  @EnumSource(CipherSuite.class)
  void aSealRepeatingTheLastKeyAndNonceIsRefusedAsNonceReuse(CipherSuite suite) {
    byte[] key = key(9);
    byte[] nonce = new byte[12];
    suite.seal(key, nonce, bytes("aad"), bytes("the first plaintext"));
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> suite.seal(key.clone(), nonce.clone(), bytes("aad"), bytes("another plaintext")));
    assertTrue(e.getMessage().contains("nonce reuse"), e.getMessage());
    nonce[11] = 1;
    suite.seal(key, nonce, bytes("aad"), bytes("another plaintext")); // another nonce: fine
  }

  /**
   * Packets and one-shot seals borrow one cipher object per suite: a one-shot seal repeating the (key, nonce)
   * of the packet just sealed is refused too (separate objects, as ThreadJce had, would not have seen it), and
   * a packet after a one-shot seal under another key is sealed and opened as ever.
   */
  @ParameterizedTest
  @EnumSource(CipherSuite.class)
  void packetsAndOneShotSealsShareTheGuard(CipherSuite suite) throws Exception {
    TransportCipher send = TransportCipher.of(suite, key(3));
    TransportCipher receive = TransportCipher.of(suite, key(3));
    byte[] ad = {1, 2};
    byte[] first = TransportCipherTest.seal(send, 0, ad, bytes("data 0"));
    assertThrows(IllegalStateException.class, () -> suite.seal(key(3), new byte[12], ad, bytes("one-shot")),
        "counter 0's nonce under the packet's key");
    suite.seal(key(4), new byte[12], ad, bytes("one-shot"));
    byte[] second = TransportCipherTest.seal(send, 1, ad, bytes("data 1"));
    assertArrayEquals(bytes("data 0"), TransportCipherTest.open(receive, 0, ad, first));
    assertArrayEquals(bytes("data 1"), TransportCipherTest.open(receive, 1, ad, second));
  }
}
