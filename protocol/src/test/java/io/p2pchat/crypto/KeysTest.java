package io.p2pchat.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.InvalidKeyException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.Signature;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** Raw key encodings against the RFC test vectors and against the JDK's own X.509 encodings. */
class KeysTest {
  static final HexFormat HEX = HexFormat.of();
  /** X.509 SubjectPublicKeyInfo prefixes (RFC 8410): the raw key follows them. */
  static final int X509_PREFIX = 12;

  @Test
  void x25519MatchesRfc7748() throws Exception {
    PrivateKey alice = Keys.x25519Private(HEX.parseHex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"));
    PrivateKey bob = Keys.x25519Private(HEX.parseHex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb"));
    byte[] alicePub = Keys.x25519PublicOf(alice);
    byte[] bobPub = Keys.x25519PublicOf(bob);
    assertEquals("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a", HEX.formatHex(alicePub));
    assertEquals("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f", HEX.formatHex(bobPub));
    String shared = "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742";
    assertEquals(shared, HEX.formatHex(Keys.dh(alice, bobPub)));
    assertEquals(shared, HEX.formatHex(Keys.dh(bob, alicePub)));
  }

  @Test
  void x25519RawRoundTripsAndMatchesX509() throws Exception {
    for (int i = 0; i < 20; i++) {
      KeyPair kp = Keys.generateX25519();
      byte[] raw = Keys.rawX25519Public(kp.getPublic());
      byte[] x509 = kp.getPublic().getEncoded();
      assertArrayEquals(Arrays.copyOfRange(x509, X509_PREFIX, x509.length), raw);
      assertArrayEquals(raw, Keys.rawX25519Public(Keys.x25519Public(raw)));
      assertArrayEquals(raw, Keys.x25519PublicOf(Keys.x25519Private(Keys.rawX25519Private(kp.getPrivate()))));
    }
  }

  @Test
  void ed25519MatchesRfc8032Test1() throws Exception {
    PrivateKey priv = Keys.ed25519Private(HEX.parseHex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"));
    byte[] pub = HEX.parseHex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
    Signature s = Signature.getInstance("Ed25519");
    s.initSign(priv);
    byte[] sig = s.sign();
    assertEquals("e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
        HEX.formatHex(sig));
    assertTrue(NodeIdentity.verify(pub, new byte[0], sig));
    assertArrayEquals(pub, Keys.rawEd25519Public(Keys.ed25519Public(pub)));
  }

  @Test
  void ed25519RawRoundTripsAndMatchesX509() throws Exception {
    for (int i = 0; i < 20; i++) { // about half of the keys have an odd x: both sign-bit cases covered
      KeyPair kp = Keys.generateEd25519();
      byte[] raw = Keys.rawEd25519Public(kp.getPublic());
      byte[] x509 = kp.getPublic().getEncoded();
      assertArrayEquals(Arrays.copyOfRange(x509, X509_PREFIX, x509.length), raw);
      assertArrayEquals(raw, Keys.rawEd25519Public(Keys.ed25519Public(raw)));
      assertArrayEquals(Keys.rawEd25519Private(kp.getPrivate()),
          Keys.rawEd25519Private(Keys.ed25519Private(Keys.rawEd25519Private(kp.getPrivate()))));
    }
  }

  @Test
  void lowOrderPointAndBadLengthsRejected() throws Exception {
    PrivateKey priv = Keys.generateX25519().getPrivate();
    assertThrows(InvalidKeyException.class, () -> Keys.dh(priv, new byte[32])); // u = 0: all-zero secret
    byte[] one = new byte[32];
    one[0] = 1;
    assertThrows(InvalidKeyException.class, () -> Keys.dh(priv, one)); // u = 1: order 1... zero output
    assertThrows(InvalidKeyException.class, () -> Keys.x25519Public(new byte[31]));
    assertThrows(InvalidKeyException.class, () -> Keys.ed25519Public(new byte[33]));
  }
}
