package io.p2pchat.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.p2pchat.node.TestNet.Events;
import io.p2pchat.node.TestNet.Node;
import io.p2pchat.rendezvous.RendezvousVerticle;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SelfSignedCertificate;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code rendezvous.tls.verify: true}: a certificate the platform does not trust (the rendezvous's own
 * self-signed one) is refused with one line and nothing registers; one it trusts, for the rendezvous's
 * configured name, connects. The platform's trust store is a test one ({@code javax.net.ssl.trustStore}),
 * holding a certificate for {@code localhost} that the rendezvous serves.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 120, timeUnit = TimeUnit.SECONDS)
class TlsVerifyTest {

  /** {@code rendezvous.tls.fallbackSeconds} (1 here) plus a TLS handshake on a loaded machine. */
  private static final long FALLBACK_BOUND_SECONDS = 20;
  private static final String TRUST_PASSWORD = "changeit";
  private static final String NAME = "localhost";

  @Test
  void aSelfSignedCertificateIsRefusedWithOneLineAndNothingRegisters(Vertx vertx, @TempDir Path dir) throws Exception {
    TestNet net = new TestNet(vertx, dir);
    RendezvousVerticle rendezvous = net.rendezvous(new JsonObject().put("dataDir", dir.resolve("rdv").toString()));
    Node alice = net.node(verifying(net, "alice", "127.0.0.1", new UdpFirewall(vertx, rendezvous.port()).port(),
      rendezvous.tlsPort()));

    JsonObject refused = alice.events.awaitWithin(Events.RENDEZVOUS_STATE,
      e -> "tls certificate".equals(e.getString("reason")), FALLBACK_BOUND_SECONDS);
    String error = refused.getString("error");
    assertTrue(error.startsWith("presented a certificate that the platform's trust store does not accept for 127.0.0.1"
      + " (rendezvous.tls.verify): "), error);
    assertEquals(1, alice.events.matching(Events.RENDEZVOUS_STATE, e -> e.containsKey("error")).size(), "one line");
    assertEquals(0, net.rendezvousStats().getInteger("clients"), "nothing registered");
    assertEquals(0, alice.events.matching(Events.RENDEZVOUS_STATE, e -> "up".equals(e.getString("state"))).size());
  }

  @Test
  void aCertificateThePlatformTrustsForTheConfiguredNameConnects(Vertx vertx, @TempDir Path dir) throws Exception {
    SelfSignedCertificate issued = SelfSignedCertificate.create(NAME);
    Path cert = Files.copy(Path.of(issued.certificatePath()), dir.resolve("cert.pem"));
    Path key = Files.copy(Path.of(issued.privateKeyPath()), dir.resolve("key.pem"));
    Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
    Path trustStore = dir.resolve("trust.p12");
    KeyStore trusted = KeyStore.getInstance("PKCS12");
    trusted.load(null, null);
    try (InputStream in = Files.newInputStream(cert)) {
      trusted.setCertificateEntry("rendezvous", CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
    try (OutputStream out = Files.newOutputStream(trustStore)) {
      trusted.store(out, TRUST_PASSWORD.toCharArray());
    }
    Map<String, String> platform = Map.of("javax.net.ssl.trustStore", trustStore.toString(),
      "javax.net.ssl.trustStorePassword", TRUST_PASSWORD, "javax.net.ssl.trustStoreType", "PKCS12");
    Map<String, String> before = new java.util.HashMap<>();
    platform.keySet().forEach(k -> before.put(k, System.getProperty(k)));
    platform.forEach(System::setProperty);
    try {
      TestNet net = new TestNet(vertx, dir);
      RendezvousVerticle rendezvous = net.rendezvous(new JsonObject().put("dataDir", dir.resolve("rdv").toString())
        .put("tls", new JsonObject().put("port", 0).put("cert", cert.toString()).put("key", key.toString())));
      Node alice = net.node(verifying(net, "alice", NAME, new UdpFirewall(vertx, rendezvous.port()).port(),
        rendezvous.tlsPort()));

      JsonObject up = alice.events.awaitWithin(Events.RENDEZVOUS_STATE, e -> "up".equals(e.getString("state"))
        || e.containsKey("error"), FALLBACK_BOUND_SECONDS);
      assertEquals("up", up.getString("state"), up.encode());
      assertEquals("tls", up.getString("transport"));
      assertEquals(NAME + ":" + rendezvous.tlsPort(), up.getString("address"), "the name the certificate was checked for");
    } finally {
      before.forEach((k, v) -> {
        if (v == null) {
          System.clearProperty(k);
        } else {
          System.setProperty(k, v);
        }
      });
    }
  }

  private static JsonObject verifying(TestNet net, String nick, String host, int udpPort, int tlsPort) {
    JsonObject config = net.nodeConfig(nick, udpPort);
    config.getJsonObject("rendezvous").put("host", host)
      .put("tls", new JsonObject().put("port", tlsPort).put("verify", true).put("fallbackSeconds", 1));
    return config;
  }
}
