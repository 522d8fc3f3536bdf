package io.p2pchat.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.InvalidKeyException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.EdECPrivateKey;
import java.security.interfaces.XECPrivateKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.HexFormat;
import javax.crypto.KeyAgreement;
import org.junit.jupiter.api.Test;

/**
 * Raw-key X25519/Ed25519 (Bouncy Castle) against the RFC test vectors, and against the JDK's own
 * implementation as an independent oracle: keys written by the JDK-based releases load and behave the same.
 */
class KeysTest {
  static final HexFormat HEX = HexFormat.of();
  /** X.509 SubjectPublicKeyInfo prefixes (RFC 8410): the raw key follows them. */
  static final int X509_PREFIX = 12;
  static final int ROUNDS = 20;

  @Test
  void x25519MatchesRfc7748() throws Exception {
    byte[] alice = HEX.parseHex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
    byte[] bob = HEX.parseHex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb");
    byte[] alicePub = Keys.x25519PublicOf(alice);
    byte[] bobPub = Keys.x25519PublicOf(bob);
    assertEquals("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a", HEX.formatHex(alicePub));
    assertEquals("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f", HEX.formatHex(bobPub));
    String shared = "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742";
    assertEquals(shared, HEX.formatHex(Keys.dh(alice, bobPub)));
    assertEquals(shared, HEX.formatHex(Keys.dh(bob, alicePub)));
  }

  @Test
  void x25519AgreesWithTheJdk() throws Exception {
    KeyFactory xdh = KeyFactory.getInstance("XDH");
    for (int i = 0; i < ROUNDS; i++) {
      KeyPair jdk = KeyPairGenerator.getInstance("X25519").generateKeyPair();
      byte[] jdkPriv = ((XECPrivateKey) jdk.getPrivate()).getScalar().orElseThrow();
      byte[] jdkPub = raw(jdk.getPublic());
      assertArrayEquals(jdkPub, Keys.x25519PublicOf(jdkPriv));
      byte[] ours = Keys.generateX25519();
      byte[] ourPub = Keys.x25519PublicOf(ours);
      KeyAgreement ka = KeyAgreement.getInstance("X25519");
      ka.init(jdk.getPrivate());
      ka.doPhase(xdh.generatePublic(spki(jdk.getPublic(), ourPub)), true);
      assertArrayEquals(ka.generateSecret(), Keys.dh(ours, jdkPub));
    }
  }

  @Test
  void ed25519MatchesRfc8032Test1() throws Exception {
    byte[] seed = HEX.parseHex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
    byte[] pub = HEX.parseHex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
    assertArrayEquals(pub, Keys.ed25519PublicOf(seed));
    byte[] sig = Keys.ed25519Sign(seed, pub, new byte[0]);
    assertEquals("e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
        HEX.formatHex(sig));
    assertTrue(NodeIdentity.verify(pub, new byte[0], sig));
  }

  @Test
  void ed25519AgreesWithTheJdk() throws Exception {
    KeyFactory ed = KeyFactory.getInstance("Ed25519");
    byte[] message = "p2pchat-static-v1 and some key bytes".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    for (int i = 0; i < ROUNDS; i++) { // about half of the keys have an odd x: both sign-bit cases covered
      KeyPair jdk = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
      byte[] seed = ((EdECPrivateKey) jdk.getPrivate()).getBytes().orElseThrow();
      byte[] pub = raw(jdk.getPublic());
      assertArrayEquals(pub, Keys.ed25519PublicOf(seed));
      Signature s = Signature.getInstance("Ed25519");
      s.initSign(jdk.getPrivate());
      s.update(message);
      byte[] jdkSig = s.sign();
      assertArrayEquals(jdkSig, Keys.ed25519Sign(seed, pub, message)); // Ed25519 is deterministic
      byte[] ourSeed = Keys.generateEd25519();
      byte[] ourPub = Keys.ed25519PublicOf(ourSeed);
      byte[] ourSig = Keys.ed25519Sign(ourSeed, ourPub, message);
      Signature v = Signature.getInstance("Ed25519");
      v.initVerify(ed.generatePublic(spki(jdk.getPublic(), ourPub)));
      v.update(message);
      assertTrue(v.verify(ourSig));
      ourSig[i % ourSig.length] ^= 1;
      assertFalse(Keys.ed25519Verify(ourPub, message, ourSig));
    }
  }

  @Test
  void lowOrderPointAndBadLengthsRejected() {
    byte[] priv = Keys.generateX25519();
    assertThrows(InvalidKeyException.class, () -> Keys.dh(priv, new byte[32])); // u = 0: all-zero secret
    byte[] one = new byte[32];
    one[0] = 1;
    assertThrows(InvalidKeyException.class, () -> Keys.dh(priv, one)); // u = 1: order 1... zero output
    assertThrows(InvalidKeyException.class, () -> Keys.dh(priv, new byte[31]));
    assertThrows(InvalidKeyException.class, () -> Keys.ed25519PublicOf(new byte[33]));
    assertFalse(Keys.ed25519Verify(new byte[31], new byte[0], new byte[64]));
    assertFalse(Keys.ed25519Verify(new byte[32], new byte[0], new byte[63]));
  }

  @Test
  void everyOperationIsCounted() throws Exception {
    byte[] x = Keys.generateX25519();
    byte[] seed = Keys.generateEd25519();
    var before = PublicKeyOps.snapshot();
    byte[] pub = Keys.x25519PublicOf(x);
    Keys.dh(x, pub);
    byte[] edPub = Keys.ed25519PublicOf(seed);
    Keys.ed25519Verify(edPub, new byte[0], Keys.ed25519Sign(seed, edPub, new byte[0]));
    var after = PublicKeyOps.snapshot();
    for (PublicKeyOps.Kind k : PublicKeyOps.Kind.values()) {
      assertTrue(after.get(k) - before.get(k) >= 1, k + " not counted");
    }
  }

  private static byte[] raw(PublicKey key) {
    byte[] x509 = key.getEncoded();
    return Arrays.copyOfRange(x509, X509_PREFIX, x509.length);
  }

  /** The raw key {@code raw} in the same X.509 wrapping as {@code like} (same algorithm). */
  private static X509EncodedKeySpec spki(PublicKey like, byte[] raw) {
    byte[] der = like.getEncoded().clone();
    System.arraycopy(raw, 0, der, X509_PREFIX, raw.length);
    return new X509EncodedKeySpec(der);
  }
}
