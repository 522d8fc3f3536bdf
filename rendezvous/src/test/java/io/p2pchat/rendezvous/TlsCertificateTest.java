package io.p2pchat.rendezvous;

import io.p2pchat.rendezvous.tls.TlsCertificate;
import io.p2pchat.rendezvous.tls.TlsSettings;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The certificate the TLS listener serves: self-signed and kept, or configured; a key file others may read stops start-up. */
class TlsCertificateTest {

  @TempDir
  Path dir;

  private RendezvousHarness rendezvous(Path dataDir, JsonObject tls) {
    return new RendezvousHarness(new JsonObject().put("dataDir", dataDir.toString()).put("tls", tls.put("port", 0)));
  }

  /** SHA-256 of the certificate a client sees on the rendezvous's TLS port. */
  private static byte[] served(RendezvousHarness server) {
    try (WsClient client = new WsClient(server.tlsPort(), "probe", "lobby")) {
      return client.certificateHash;
    }
  }

  @Test
  void aSelfSignedCertificateIsCreatedOwnerOnlyOnFirstStartAndKeptAfter() throws Exception {
    Path data = dir.resolve("data");
    String first;
    try (RendezvousHarness server = rendezvous(data, new JsonObject())) {
      first = server.verticle.certificate().fingerprint();
      assertTrue(server.verticle.certificate().created());
      assertArrayEquals(server.verticle.certificate().binding(), served(server), "the certificate served is the one kept");
    }
    assertEquals("rw-------", PosixFilePermissions.toString(
      Files.getPosixFilePermissions(data.resolve(TlsCertificate.KEY_FILE))), "the key file is owner-only");
    try (RendezvousHarness again = rendezvous(data, new JsonObject())) {
      assertFalse(again.verticle.certificate().created());
      assertEquals(first, again.verticle.certificate().fingerprint(), "a restart serves the same certificate");
    }
  }

  @Test
  void configuredPemFilesAreServed() throws Exception {
    Path pems = dir.resolve("letsencrypt");
    TlsCertificate issued = TlsCertificate.loadOrCreate(new TlsSettings("0.0.0.0", 0, null, null, pems, 1), "chat.example");
    Path data = dir.resolve("data");
    try (RendezvousHarness server = rendezvous(data, new JsonObject()
        .put("cert", pems.resolve(TlsCertificate.CERT_FILE).toString())
        .put("key", pems.resolve(TlsCertificate.KEY_FILE).toString()))) {
      assertEquals(issued.fingerprint(), server.verticle.certificate().fingerprint());
      assertArrayEquals(issued.binding(), served(server));
    }
    assertFalse(Files.exists(data.resolve(TlsCertificate.CERT_FILE)), "no self-signed certificate is made");
  }

  @Test
  void aKeyFileOthersCanReadStopsStartUpWithOneLine() throws Exception {
    Path data = dir.resolve("data");
    TlsCertificate.loadOrCreate(new TlsSettings("0.0.0.0", 0, null, null, data, 1), "p2pchat-rendezvous");
    Path key = data.resolve(TlsCertificate.KEY_FILE);
    Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r--r--"));
    AssertionError e = assertThrows(AssertionError.class, () -> rendezvous(data, new JsonObject()));
    assertTrue(e.getMessage().contains("TLS key file " + key + " is accessible by others (rw-r--r--); run: chmod 600"),
      e.getMessage());
  }
}
