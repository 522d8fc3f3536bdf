package io.p2pchat.crypto;

import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import javax.crypto.KeyAgreement;
import org.bouncycastle.math.ec.rfc7748.X25519;
import org.bouncycastle.math.ec.rfc8032.Ed25519;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The public-key operations a registration costs the rendezvous, JDK vs Bouncy Castle's low-level
 * RFC 8032 / RFC 7748 classes, side by side on the same raw 32-byte keys. Each JDK benchmark includes
 * turning the raw wire key into a JDK key object, as the server must for every client; each BC one
 * works on the raw bytes directly. {@link Keys} uses whichever wins (Bouncy Castle: docs/BENCH.md).
 * Run: {@code mvn -P jmh -pl bench -am -DskipTests package && java -jar bench/target/benchmarks.jar KeyOpsBench}
 */
@BenchmarkMode(Mode.Throughput)
@Warmup(iterations = 2, time = 3) // the JDK's XDH/EdDSA intrinsics settle within a few seconds
@Measurement(iterations = 5, time = 2) // five samples: the machine is shared and noisy
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Thread)
@Fork(1)
public class KeyOpsBench {
  /** RFC 8410 SubjectPublicKeyInfo prefix of a raw X25519 public key: how the JDK takes a raw key most cheaply. */
  private static final byte[] X25519_SPKI = HexFormat.of().parseHex("302a300506032b656e032100");
  /** RFC 8410 SubjectPublicKeyInfo prefix of a raw Ed25519 public key. */
  private static final byte[] ED25519_SPKI = HexFormat.of().parseHex("302a300506032b6570032100");
  /** A binding-signature-sized message: "p2pchat-static-v1" || 32-byte key. */
  private static final int MESSAGE_LENGTH = 49;

  private final SecureRandom random = new SecureRandom();
  private final byte[] message = new byte[MESSAGE_LENGTH];
  private KeyFactory xdh;
  private KeyFactory ed;
  private PrivateKey jdkEdPrivate;
  private PrivateKey jdkXPrivate;
  private byte[] edSeed;
  private byte[] edPublic;
  private byte[] signature;
  private byte[] xPrivate;
  private byte[] xPeerPublic;

  @Setup
  public void setup() throws Exception {
    random.nextBytes(message);
    xdh = KeyFactory.getInstance("XDH");
    ed = KeyFactory.getInstance("Ed25519");
    KeyPair edPair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    jdkEdPrivate = edPair.getPrivate();
    edSeed = ((java.security.interfaces.EdECPrivateKey) jdkEdPrivate).getBytes().orElseThrow();
    edPublic = new byte[Ed25519.PUBLIC_KEY_SIZE];
    Ed25519.generatePublicKey(edSeed, 0, edPublic, 0);
    signature = new byte[Ed25519.SIGNATURE_SIZE];
    Ed25519.sign(edSeed, 0, edPublic, 0, message, 0, message.length, signature, 0);
    KeyPair xPair = KeyPairGenerator.getInstance("X25519").generateKeyPair();
    jdkXPrivate = xPair.getPrivate();
    xPrivate = ((java.security.interfaces.XECPrivateKey) jdkXPrivate).getScalar().orElseThrow();
    xPeerPublic = new byte[X25519.POINT_SIZE];
    byte[] peer = new byte[X25519.SCALAR_SIZE];
    X25519.generatePrivateKey(random, peer);
    X25519.generatePublicKey(peer, 0, xPeerPublic, 0);
  }

  private static X509EncodedKeySpec spki(byte[] prefix, byte[] raw) {
    byte[] der = new byte[prefix.length + raw.length];
    System.arraycopy(prefix, 0, der, 0, prefix.length);
    System.arraycopy(raw, 0, der, prefix.length, raw.length);
    return new X509EncodedKeySpec(der);
  }

  /** JDK: sign with the node's identity key (a node's cost; the server signs nothing per registration). */
  @Benchmark
  public byte[] ed25519SignJdk() throws Exception {
    Signature s = Signature.getInstance("Ed25519");
    s.initSign(jdkEdPrivate);
    s.update(message);
    return s.sign();
  }

  /** BC: the same signature from the raw seed and public key. */
  @Benchmark
  public byte[] ed25519SignBc() {
    byte[] sig = new byte[Ed25519.SIGNATURE_SIZE];
    Ed25519.sign(edSeed, 0, edPublic, 0, message, 0, message.length, sig, 0);
    return sig;
  }

  /** JDK: verify a client's signature under its raw public key (the binding signature, the signed register). */
  @Benchmark
  public boolean ed25519VerifyJdk() throws Exception {
    PublicKey key = ed.generatePublic(spki(ED25519_SPKI, edPublic));
    Signature s = Signature.getInstance("Ed25519");
    s.initVerify(key);
    s.update(message);
    return s.verify(signature);
  }

  /** BC: the same verify on the raw bytes. */
  @Benchmark
  public boolean ed25519VerifyBc() {
    return Ed25519.verify(signature, 0, edPublic, 0, message, 0, message.length);
  }

  /** JDK: X25519 with a raw remote public key (es, ss, ee, se of the IK handshake). */
  @Benchmark
  public byte[] x25519AgreeJdk() throws Exception {
    KeyAgreement ka = KeyAgreement.getInstance("X25519");
    ka.init(jdkXPrivate);
    ka.doPhase(xdh.generatePublic(spki(X25519_SPKI, xPeerPublic)), true);
    return ka.generateSecret();
  }

  /** BC: the same agreement on raw bytes. */
  @Benchmark
  public byte[] x25519AgreeBc() {
    byte[] shared = new byte[X25519.POINT_SIZE];
    if (!X25519.calculateAgreement(xPrivate, 0, xPeerPublic, 0, shared, 0)) {
      throw new IllegalStateException("low-order point");
    }
    return shared;
  }

  /** JDK: a fresh ephemeral key pair, its public key raw (the responder's e). */
  @Benchmark
  public byte[] x25519GenerateJdk() throws Exception {
    KeyPair kp = KeyPairGenerator.getInstance("X25519").generateKeyPair();
    return kp.getPublic().getEncoded();
  }

  /** BC: the same from a random scalar. */
  @Benchmark
  public byte[] x25519GenerateBc() {
    byte[] priv = new byte[X25519.SCALAR_SIZE];
    X25519.generatePrivateKey(random, priv);
    byte[] pub = new byte[X25519.POINT_SIZE];
    X25519.generatePublicKey(priv, 0, pub, 0);
    return pub;
  }
}
