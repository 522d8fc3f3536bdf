package io.p2pchat.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/**
 * The thread's reused JCE objects give what a fresh object per call gave: each call starts from a reset state
 * (digest, MAC). Its AEAD seals moved to {@link ThreadCiphers}: {@link ExplicitNonceSealTest}.
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
