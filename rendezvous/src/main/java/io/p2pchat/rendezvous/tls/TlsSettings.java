package io.p2pchat.rendezvous.tls;

import java.nio.file.Path;

/**
 * The {@code tls.*} keys of a rendezvous, as read and checked by {@code RendezvousOptions}.
 *
 * @param host the address to listen on ({@code tls.host}; the UDP {@code host} when unset)
 * @param port the HTTPS port ({@code tls.port}): 0 any free port, -1 off
 * @param certFile a PEM certificate chain ({@code tls.cert}, e.g. Let's Encrypt's fullchain.pem), or null
 *     for the self-signed one kept in {@code dataDir}
 * @param keyFile the PEM private key of {@code certFile} ({@code tls.key}, e.g. privkey.pem), or null
 * @param dataDir where the self-signed certificate and its key live
 * @param maxConnections WebSocket connections held at once ({@code tls.maxConnections})
 */
public record TlsSettings(String host, int port, Path certFile, Path keyFile, Path dataDir, int maxConnections) {

  /** False when {@code tls.port} is -1. */
  public boolean enabled() {
    return port >= 0;
  }

  /** True when PEM files are configured (either key: both are needed); false for the self-signed certificate. */
  public boolean configuredCertificate() {
    return certFile != null || keyFile != null;
  }
}
