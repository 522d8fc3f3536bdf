package io.p2pchat.crypto;

import com.amazon.corretto.crypto.provider.AmazonCorrettoCryptoProvider;
import com.goterl.lazysodium.Sodium;
import com.goterl.lazysodium.SodiumJava;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
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
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * X25519 / Ed25519 implementations side by side on the operations a registration costs (issue 18):
 * the JDK's SunEC, Bouncy Castle's low-level RFC 7748 / RFC 8032 classes, Amazon Corretto Crypto
 * Provider (AWS-LC through JNI) and libsodium (Debian's libsodium23 through lazysodium-java + JNA).
 * Every candidate is driven the way {@link Keys} must drive it: raw 32-byte keys in, raw bytes out,
 * so the JCE providers pay for turning raw keys into key objects (PKCS#8 / SubjectPublicKeyInfo) on
 * every call, as a server taking a fresh client key per registration does.
 * Run: {@code mvn -P jmh -pl bench -am -DskipTests package && java -jar bench/target/benchmarks.jar CryptoImplsBench}
 */
@BenchmarkMode(Mode.Throughput)
@Warmup(iterations = 2, time = 3) // JIT and the native libraries' lazily built tables settle within a few seconds
@Measurement(iterations = 5, time = 2) // five samples: the machine is shared and noisy
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Thread)
@Fork(1)
public class CryptoImplsBench {
  /**
   * The candidates: jdk (SunEC), bc (Bouncy Castle low-level), accp (AWS-LC via JNI for Ed25519; ACCP has
   * no X25519, so Bouncy Castle's), sodium (libsodium via JNA).
   */
  @Param({"jdk", "bc", "accp", "sodium"})
  public String impl;

  /** A binding-signature-sized message: "p2pchat-static-v1" || 32-byte key. */
  private static final int MESSAGE_LENGTH = 49;

  private final SecureRandom random = new SecureRandom();
  private final byte[] message = new byte[MESSAGE_LENGTH];
  private Ops ops;
  private byte[] edSeed;
  private byte[] edPublic;
  private byte[] signature;
  private byte[] xPrivate;
  private byte[] xPeerPublic;

  /** The four operations on raw keys, as {@link Keys} exposes them. */
  interface Ops {
    /** A fresh X25519 key pair: {private, public}. */
    byte[][] x25519Generate() throws Exception;

    byte[] x25519Agree(byte[] priv, byte[] pub) throws Exception;

    byte[] ed25519Sign(byte[] seed, byte[] pub, byte[] msg) throws Exception;

    boolean ed25519Verify(byte[] pub, byte[] msg, byte[] sig) throws Exception;
  }

  @Setup
  public void setup() throws Exception {
    ops = switch (impl) {
      case "jdk" -> new JceOps(null);
      case "bc" -> new BcOps(random);
      case "accp" -> new AccpOps(random);
      case "sodium" -> new SodiumOps(random);
      default -> throw new IllegalArgumentException(impl);
    };
    random.nextBytes(message);
    edSeed = new byte[32];
    random.nextBytes(edSeed);
    edPublic = new byte[32];
    Ed25519.generatePublicKey(edSeed, 0, edPublic, 0);
    signature = new byte[64];
    Ed25519.sign(edSeed, 0, edPublic, 0, message, 0, message.length, signature, 0);
    xPrivate = new byte[32];
    X25519.generatePrivateKey(random, xPrivate);
    byte[] peer = new byte[32];
    X25519.generatePrivateKey(random, peer);
    xPeerPublic = new byte[32];
    X25519.generatePublicKey(peer, 0, xPeerPublic, 0);
    // Every candidate must give the reference's bytes before it is timed.
    byte[] expected = new byte[32];
    X25519.calculateAgreement(xPrivate, 0, xPeerPublic, 0, expected, 0);
    if (!Arrays.equals(expected, ops.x25519Agree(xPrivate, xPeerPublic))
        || !Arrays.equals(signature, ops.ed25519Sign(edSeed, edPublic, message))
        || !ops.ed25519Verify(edPublic, message, signature)) {
      throw new IllegalStateException(impl + " disagrees with Bouncy Castle");
    }
  }

  /** A client's signature under its raw public key (the binding signature, the signed register). */
  @Benchmark
  public boolean ed25519Verify() throws Exception {
    return ops.ed25519Verify(edPublic, message, signature);
  }

  /** A signature by a raw seed (a node's cost; the server signs nothing per registration). */
  @Benchmark
  public byte[] ed25519Sign() throws Exception {
    return ops.ed25519Sign(edSeed, edPublic, message);
  }

  /** X25519 with a raw remote public key (es, ss, ee, se of the IK handshake). */
  @Benchmark
  public byte[] x25519Agree() throws Exception {
    return ops.x25519Agree(xPrivate, xPeerPublic);
  }

  /** A fresh ephemeral key pair (the responder's e). */
  @Benchmark
  public byte[][] x25519Generate() throws Exception {
    return ops.x25519Generate();
  }

  /**
   * One new IK registration's public-key work on the server: 4 agreements, 1 key generation, 1
   * verify. Its throughput is registrations/s per core of public-key work alone.
   */
  @Benchmark
  public boolean registrationMix() throws Exception {
    byte[][] e = ops.x25519Generate();
    byte[] a = ops.x25519Agree(xPrivate, xPeerPublic);
    byte[] b = ops.x25519Agree(e[0], xPeerPublic);
    byte[] c = ops.x25519Agree(xPrivate, e[1]);
    byte[] d = ops.x25519Agree(e[0], xPeerPublic);
    return ops.ed25519Verify(edPublic, message, signature) && a[0] + b[0] + c[0] + d[0] != 1024;
  }

  /** Bouncy Castle's low-level classes on the raw bytes. */
  static final class BcOps implements Ops {
    private final SecureRandom random;

    BcOps(SecureRandom random) {
      this.random = random;
    }

    @Override
    public byte[][] x25519Generate() {
      byte[] priv = new byte[32];
      X25519.generatePrivateKey(random, priv);
      byte[] pub = new byte[32];
      X25519.generatePublicKey(priv, 0, pub, 0);
      return new byte[][] {priv, pub};
    }

    @Override
    public byte[] x25519Agree(byte[] priv, byte[] pub) {
      byte[] out = new byte[32];
      if (!X25519.calculateAgreement(priv, 0, pub, 0, out, 0)) {
        throw new IllegalStateException("low-order point");
      }
      return out;
    }

    @Override
    public byte[] ed25519Sign(byte[] seed, byte[] pub, byte[] msg) {
      byte[] sig = new byte[64];
      Ed25519.sign(seed, 0, pub, 0, msg, 0, msg.length, sig, 0);
      return sig;
    }

    @Override
    public boolean ed25519Verify(byte[] pub, byte[] msg, byte[] sig) {
      return Ed25519.verify(sig, 0, pub, 0, msg, 0, msg.length);
    }
  }

  /** A JCE provider (null: the JDK's default, SunEC) fed raw keys wrapped in their RFC 8410 encodings. */
  static final class JceOps implements Ops {
    private static final byte[] X25519_SPKI = HexFormat.of().parseHex("302a300506032b656e032100");
    private static final byte[] ED25519_SPKI = HexFormat.of().parseHex("302a300506032b6570032100");
    private static final byte[] X25519_PKCS8 = HexFormat.of().parseHex("302e020100300506032b656e04220420");
    private static final byte[] ED25519_PKCS8 = HexFormat.of().parseHex("302e020100300506032b657004220420");
    private final Provider provider;
    private final KeyFactory xdh;
    private final KeyFactory ed;
    private final KeyPairGenerator xGen;

    JceOps(Provider provider) throws Exception {
      this.provider = provider;
      xdh = provider == null ? KeyFactory.getInstance("XDH") : KeyFactory.getInstance("XDH", provider);
      ed = provider == null ? KeyFactory.getInstance("Ed25519") : KeyFactory.getInstance("Ed25519", provider);
      xGen = provider == null ? KeyPairGenerator.getInstance("X25519") : KeyPairGenerator.getInstance("X25519", provider);
    }

    private static byte[] concat(byte[] prefix, byte[] raw) {
      byte[] der = Arrays.copyOf(prefix, prefix.length + raw.length);
      System.arraycopy(raw, 0, der, prefix.length, raw.length);
      return der;
    }

    private static byte[] last32(byte[] der) {
      return Arrays.copyOfRange(der, der.length - 32, der.length);
    }

    @Override
    public byte[][] x25519Generate() {
      KeyPair kp = xGen.generateKeyPair();
      return new byte[][] {last32(kp.getPrivate().getEncoded()), last32(kp.getPublic().getEncoded())};
    }

    @Override
    public byte[] x25519Agree(byte[] priv, byte[] pub) throws Exception {
      KeyAgreement ka = provider == null ? KeyAgreement.getInstance("X25519") : KeyAgreement.getInstance("X25519", provider);
      ka.init(xdh.generatePrivate(new PKCS8EncodedKeySpec(concat(X25519_PKCS8, priv))));
      ka.doPhase(xdh.generatePublic(new X509EncodedKeySpec(concat(X25519_SPKI, pub))), true);
      return ka.generateSecret();
    }

    @Override
    public byte[] ed25519Sign(byte[] seed, byte[] pub, byte[] msg) throws Exception {
      PrivateKey key = ed.generatePrivate(new PKCS8EncodedKeySpec(concat(ED25519_PKCS8, seed)));
      Signature s = provider == null ? Signature.getInstance("Ed25519") : Signature.getInstance("Ed25519", provider);
      s.initSign(key);
      s.update(msg);
      return s.sign();
    }

    @Override
    public boolean ed25519Verify(byte[] pub, byte[] msg, byte[] sig) throws Exception {
      Signature s = provider == null ? Signature.getInstance("Ed25519") : Signature.getInstance("Ed25519", provider);
      s.initVerify(ed.generatePublic(new X509EncodedKeySpec(concat(ED25519_SPKI, pub))));
      s.update(msg);
      return s.verify(sig);
    }
  }

  /**
   * Amazon Corretto Crypto Provider 2.5.0: Ed25519 through AWS-LC; it offers no X25519 (no XDH
   * KeyAgreement/KeyFactory/KeyPairGenerator) and no EdDSA KeyFactory, so keys are the JDK's key objects
   * (which ACCP re-encodes) and X25519 stays Bouncy Castle's.
   */
  static final class AccpOps implements Ops {
    private static final byte[] ED25519_SPKI = HexFormat.of().parseHex("302a300506032b6570032100");
    private static final byte[] ED25519_PKCS8 = HexFormat.of().parseHex("302e020100300506032b657004220420");
    private final AmazonCorrettoCryptoProvider accp = AmazonCorrettoCryptoProvider.INSTANCE;
    private final KeyFactory ed;
    private final BcOps x25519;

    AccpOps(SecureRandom random) throws Exception {
      accp.assertHealthy();
      ed = KeyFactory.getInstance("Ed25519");
      x25519 = new BcOps(random);
    }

    private static byte[] concat(byte[] prefix, byte[] raw) {
      byte[] der = Arrays.copyOf(prefix, prefix.length + raw.length);
      System.arraycopy(raw, 0, der, prefix.length, raw.length);
      return der;
    }

    @Override
    public byte[][] x25519Generate() {
      return x25519.x25519Generate();
    }

    @Override
    public byte[] x25519Agree(byte[] priv, byte[] pub) {
      return x25519.x25519Agree(priv, pub);
    }

    @Override
    public byte[] ed25519Sign(byte[] seed, byte[] pub, byte[] msg) throws Exception {
      Signature s = Signature.getInstance("Ed25519", accp);
      s.initSign(ed.generatePrivate(new PKCS8EncodedKeySpec(concat(ED25519_PKCS8, seed))));
      s.update(msg);
      return s.sign();
    }

    @Override
    public boolean ed25519Verify(byte[] pub, byte[] msg, byte[] sig) throws Exception {
      Signature s = Signature.getInstance("Ed25519", accp);
      s.initVerify(ed.generatePublic(new X509EncodedKeySpec(concat(ED25519_SPKI, pub))));
      s.update(msg);
      return s.verify(sig);
    }
  }

  /** libsodium (Debian's libsodium23) through lazysodium's JNA direct mapping. */
  static final class SodiumOps implements Ops {
    private final Sodium sodium = new SodiumJava("/usr/lib/x86_64-linux-gnu/libsodium.so.23");
    private final SecureRandom random;

    SodiumOps(SecureRandom random) {
      this.random = random;
      if (sodium.sodium_init() < 0) {
        throw new IllegalStateException("sodium_init failed");
      }
    }

    @Override
    public byte[][] x25519Generate() {
      byte[] priv = new byte[32];
      random.nextBytes(priv);
      byte[] pub = new byte[32];
      sodium.crypto_scalarmult_base(pub, priv);
      return new byte[][] {priv, pub};
    }

    @Override
    public byte[] x25519Agree(byte[] priv, byte[] pub) {
      byte[] out = new byte[32];
      if (sodium.crypto_scalarmult(out, priv, pub) != 0) {
        throw new IllegalStateException("low-order point");
      }
      return out;
    }

    @Override
    public byte[] ed25519Sign(byte[] seed, byte[] pub, byte[] msg) {
      byte[] sk = Arrays.copyOf(seed, 64);
      System.arraycopy(pub, 0, sk, 32, 32);
      byte[] sig = new byte[64];
      sodium.crypto_sign_detached(sig, null, msg, msg.length, sk);
      return sig;
    }

    @Override
    public boolean ed25519Verify(byte[] pub, byte[] msg, byte[] sig) {
      return sodium.crypto_sign_verify_detached(sig, msg, msg.length, pub) == 0;
    }
  }
}
