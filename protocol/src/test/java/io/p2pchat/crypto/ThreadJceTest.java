package io.p2pchat.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/**
 * The thread's reused JCE objects give what a fresh object per call gave: each call starts from a reset state
 * (digest, MAC), a seal that repeats the last (key, nonce) is refused (AES-GCM nonce reuse), and a failed open
 * leaves nothing behind for the next call.
 */
class ThreadJceTest {

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  @Test
  void sha256OfPartsIsTheDigestOfTheirConcatenationAtEveryCall() throws Exception {
    byte[] expected = MessageDigest.getInstance("SHA-256").digest(bytes("abc"));
    // FIPS 180-2's "abc" vector.
    assertArrayEquals(HexFormat.of().parseHex("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"), expected);
    for (int i = 0; i < 3; i++) {
      assertArrayEquals(expected, ThreadJce.sha256(bytes("a"), bytes("bc")));
      assertArrayEquals(expected, ThreadJce.sha256(bytes("abc")));
    }
  }

  @Test
  void hmacIsRfc4231AndIndependentOfTheCallBefore() {
    // RFC 4231, test case 2.
    byte[] expected = HexFormat.of().parseHex("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    for (int i = 0; i < 3; i++) {
      assertArrayEquals(expected, ThreadJce.hmacSha256(bytes("Jefe"), bytes("what do ya want "), bytes("for nothing?")));
      ThreadJce.hmacSha256(new byte[32], bytes("another key in between"));
    }
  }

  @Test
  void aSealIsWhatAFreshCipherMakesAndOpensBack() throws Exception {
    byte[] key = new byte[32];
    Arrays.fill(key, (byte) 7);
    byte[] nonce = new byte[12];
    byte[] aad = bytes("aad");
    byte[] plain = bytes("a resumption ticket's contents");
    Cipher fresh = Cipher.getInstance("AES/GCM/NoPadding");
    fresh.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, nonce));
    fresh.updateAAD(aad);
    byte[] expected = fresh.doFinal(plain);
    assertArrayEquals(expected, ThreadJce.aesGcmSeal(key, nonce, aad, plain));
    byte[] forged = expected.clone();
    forged[0] ^= 1;
    assertThrows(AEADBadTagException.class, () -> ThreadJce.aesGcmOpen(key, nonce, aad, forged));
    assertArrayEquals(plain, ThreadJce.aesGcmOpen(key, nonce, aad, expected), "a failed open leaves nothing behind");
    assertThrows(AEADBadTagException.class, () -> ThreadJce.aesGcmOpen(key, nonce, bytes("other aad"), expected));
  }

  @Test
  void aSealRepeatingTheLastKeyAndNonceIsRefusedAsNonceReuse() {
    byte[] key = new byte[32];
    Arrays.fill(key, (byte) 9);
    byte[] nonce = new byte[12];
    ThreadJce.aesGcmSeal(key, nonce, bytes("aad"), bytes("the first plaintext"));
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> ThreadJce.aesGcmSeal(key.clone(), nonce.clone(), bytes("aad"), bytes("another plaintext")));
    assertTrue(e.getMessage().contains("nonce reuse"), e.getMessage());
    nonce[11] = 1;
    ThreadJce.aesGcmSeal(key, nonce, bytes("aad"), bytes("another plaintext")); // another nonce: fine
  }

  @Test
  void hmacMatchesAFreshMacForAnyKeyLength() throws Exception {
    for (int len : new int[] {1, 32, 64, 100}) {
      byte[] key = new byte[len];
      Arrays.fill(key, (byte) len);
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      assertArrayEquals(mac.doFinal(bytes("data")), ThreadJce.hmacSha256(key, bytes("data")));
    }
  }
}
