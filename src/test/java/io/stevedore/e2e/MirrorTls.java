package io.stevedore.e2e;

import java.nio.file.Path;
import javax.net.ssl.SSLContext;

/**
 * HTTPS on the mirror's edge, as written under {@code server.tls:}.
 *
 * @param certFile the server's certificate (PEM)
 * @param keyFile its private key (PEM)
 * @param clientCaFile the CA client certificates must be signed by, or null for none
 * @param client how the harness itself connects, to see that the mirror is ready: trusting the
 *     server's CA, and presenting a client certificate when there is a client CA
 */
public record MirrorTls(Path certFile, Path keyFile, Path clientCaFile, SSLContext client) {
  /** TLS without client certificates. */
  public static MirrorTls of(Path certFile, Path keyFile, SSLContext client) {
    return new MirrorTls(certFile, keyFile, null, client);
  }

  /** The same, serving only clients with a certificate {@code caFile} signed. */
  public MirrorTls clientCa(Path caFile, SSLContext withClientCertificate) {
    return new MirrorTls(certFile, keyFile, caFile, withClientCertificate);
  }

  /** The {@code tls:} block of {@code server:}, indented to sit in it. */
  String toYaml() {
    String yaml =
        "  tls:\n    cert-file: %s\n    key-file: %s\n"
            .formatted(certFile.toAbsolutePath(), keyFile.toAbsolutePath());
    return clientCaFile == null
        ? yaml
        : yaml + "    client-ca-file: %s\n".formatted(clientCaFile.toAbsolutePath());
  }
}
