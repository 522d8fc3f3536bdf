package io.p2pchat.rendezvous.tls;

import io.p2pchat.control.ChannelBinding;
import io.p2pchat.crypto.SecureFiles;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Collection;
import java.util.Date;

/**
 * The certificate the HTTPS listener serves: the configured PEM files ({@code tls.cert}, {@code tls.key}),
 * or a self-signed one created on first start in {@code dataDir} ({@value #CERT_FILE}, {@value #KEY_FILE},
 * the key owner-only) and reused on later starts, so its fingerprint stays what clients pinned. A key
 * file its group or others may access stops start-up, as the rendezvous's identity key file does.
 * Blocking: run on a worker.
 *
 * <p>The JDK has no public API to create an X.509 certificate, so this uses Bouncy Castle's PKIX
 * builder (signing through the JDK's own provider).
 */
public final class TlsCertificate {
  /** The self-signed certificate in {@code dataDir}. */
  public static final String CERT_FILE = "tls-cert.pem";
  /** Its private key in {@code dataDir}, PKCS#8 PEM, owner-only. */
  public static final String KEY_FILE = "tls-key.pem";
  /** The common name of a self-signed certificate when the rendezvous listens on a wildcard address. */
  static final String DEFAULT_CN = "p2pchat-rendezvous";
  /**
   * A self-signed certificate lives 10 years: clients pin its fingerprint, and a renewal would break
   * every pin; its key is as long-lived as the rendezvous's identity key in the same directory.
   */
  static final Duration SELF_SIGNED_VALIDITY = Duration.ofDays(3650);
  /** Backdates the start of validity a day, for clients whose clock is behind. */
  static final Duration CLOCK_SKEW = Duration.ofDays(1);
  /** Random serial bits: RFC 5280 allows 20 octets, CA/B forum asks for 64 bits at least; 159 keeps it positive. */
  private static final int SERIAL_BITS = 159;
  /** Bounds what is read from a PEM file before parsing: a long chain is a few KiB. */
  private static final int MAX_PEM_BYTES = 64 * 1024;
  private static final int PEM_LINE = 64;

  private final String certPem;
  private final String keyPem;
  private final byte[] leafDer;
  private final Path source;
  private final boolean created;

  private TlsCertificate(String certPem, String keyPem, byte[] leafDer, Path source, boolean created) {
    this.certPem = certPem;
    this.keyPem = keyPem;
    this.leafDer = leafDer;
    this.source = source;
    this.created = created;
  }

  /**
   * The configured certificate of {@code settings}, or the self-signed one of its {@code dataDir}
   * (created when missing, with {@code commonName}).
   *
   * @throws IOException with one line saying what is wrong and how to fix it
   */
  public static TlsCertificate loadOrCreate(TlsSettings settings, String commonName) throws IOException {
    if (settings.configuredCertificate()) {
      if (settings.certFile() == null || settings.keyFile() == null) {
        throw new IOException("tls.cert and tls.key go together: set both (e.g. fullchain.pem and privkey.pem) or neither");
      }
      return load(settings.certFile(), settings.keyFile(), false);
    }
    Path cert = settings.dataDir().resolve(CERT_FILE);
    Path key = settings.dataDir().resolve(KEY_FILE);
    if (Files.exists(cert) || Files.exists(key)) {
      return load(cert, key, false);
    }
    SecureFiles.ownerOnlyDirectory(settings.dataDir());
    String[] pems = selfSigned(commonName);
    // The key first: a certificate without its key would be refused at the next start, the reverse is made anew.
    if (!SecureFiles.writeOwnerOnly(key, pems[1].getBytes(StandardCharsets.US_ASCII), false)) {
      return load(cert, key, false); // another instance created it meanwhile
    }
    SecureFiles.writeOwnerOnly(cert, pems[0].getBytes(StandardCharsets.US_ASCII), true);
    return load(cert, key, true);
  }

  private static TlsCertificate load(Path certFile, Path keyFile, boolean created) throws IOException {
    String open = SecureFiles.tooOpen(keyFile);
    if (open != null) {
      throw new IOException("TLS key file " + keyFile + " is accessible by others (" + open + "); run: chmod 600 "
        + keyFile);
    }
    byte[] certBytes = SecureFiles.readBounded(certFile, MAX_PEM_BYTES);
    String keyPem = new String(SecureFiles.readBounded(keyFile, MAX_PEM_BYTES), StandardCharsets.US_ASCII);
    try {
      Collection<? extends Certificate> chain = CertificateFactory.getInstance("X.509")
        .generateCertificates(new ByteArrayInputStream(certBytes));
      if (chain.isEmpty()) {
        throw new IOException("no certificate in " + certFile);
      }
      return new TlsCertificate(new String(certBytes, StandardCharsets.US_ASCII), keyPem,
        chain.iterator().next().getEncoded(), certFile, created);
    } catch (GeneralSecurityException e) {
      throw new IOException("TLS certificate file " + certFile + " does not parse: " + e.getMessage(), e);
    }
  }

  /** A self-signed ECDSA P-256 certificate for {@code commonName} and its key, both PEM. */
  static String[] selfSigned(String commonName) throws IOException {
    try {
      SecureRandom random = new SecureRandom();
      KeyPairGenerator kpg = KeyPairGenerator.getInstance("EC");
      kpg.initialize(new ECGenParameterSpec("secp256r1"), random);
      KeyPair pair = kpg.generateKeyPair();
      X500Name name = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, commonName).build();
      Instant now = Instant.now();
      ContentSigner signer = new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate());
      X509CertificateHolder holder = new JcaX509v3CertificateBuilder(name, new BigInteger(SERIAL_BITS, random),
        Date.from(now.minus(CLOCK_SKEW)), Date.from(now.plus(SELF_SIGNED_VALIDITY)), name, pair.getPublic())
        .build(signer);
      return new String[] {pem("CERTIFICATE", holder.getEncoded()), pem("PRIVATE KEY", pair.getPrivate().getEncoded())};
    } catch (GeneralSecurityException | OperatorCreationException e) {
      throw new IOException("cannot create a self-signed TLS certificate: " + e.getMessage(), e);
    }
  }

  private static String pem(String type, byte[] der) {
    String body = Base64.getMimeEncoder(PEM_LINE, new byte[] {'\n'}).encodeToString(der);
    return "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n";
  }

  /** The certificate chain as PEM, for the listener. */
  public String certPem() {
    return certPem;
  }

  /** The private key as PEM, for the listener. Never logged. */
  public String keyPem() {
    return keyPem;
  }

  /** The {@link ChannelBinding} of the leaf certificate: what the control handshake's prologue carries over TLS. */
  public byte[] binding() {
    return ChannelBinding.tlsServerEndPoint(leafDer);
  }

  /** SHA-256 of the leaf certificate, hex in groups of 4: what a client pins. */
  public String fingerprint() {
    return ChannelBinding.fingerprint(leafDer);
  }

  /** The file the certificate came from. */
  public Path source() {
    return source;
  }

  /** True when this start created the self-signed certificate. */
  public boolean created() {
    return created;
  }
}
