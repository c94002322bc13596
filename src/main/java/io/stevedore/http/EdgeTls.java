package io.stevedore.http;

import io.helidon.common.tls.Tls;
import io.helidon.common.tls.TlsClientAuth;
import io.helidon.common.tls.TlsConfig;
import io.stevedore.config.FileStamps;
import io.stevedore.config.ServerTls;
import java.security.cert.X509Certificate;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * The edge's TLS in Helidon's terms, kept in step with its files. {@link #tls()} is what the server
 * starts with; {@link #reloadIfChanged} hands it new key material whenever the files changed and
 * read well. Files that do not (a broken PEM, a certificate whose key has not been replaced yet)
 * leave the server on the material it has, with a log line saying why, and are read again at their
 * next change.
 */
final class EdgeTls {
  private static final Logger LOG = Logger.getLogger(EdgeTls.class.getName());

  private final ServerTls config;
  private final Tls initial;
  private FileStamps seen;

  private EdgeTls(ServerTls config, Tls initial, FileStamps seen) {
    this.config = config;
    this.initial = initial;
    this.seen = seen;
  }

  /**
   * Reads the files now.
   *
   * @throws IllegalArgumentException naming the config key of a file that does not read well
   */
  static EdgeTls read(ServerTls config) {
    FileStamps stamps = FileStamps.of(config.files());
    ServerTls.Material material = config.read();
    LOG.info(() -> "server.tls: serving HTTPS with " + describe(material));
    return new EdgeTls(config, tls(material), stamps);
  }

  /** The TLS the files held when {@link #read} read them. */
  Tls tls() {
    return initial;
  }

  /**
   * Passes the files' new material to {@code reload} (the server's) when they changed since the
   * last look and read well.
   *
   * @return whether it did
   */
  synchronized boolean reloadIfChanged(Consumer<Tls> reload) {
    FileStamps now = FileStamps.of(config.files());
    if (now.equals(seen)) {
      return false;
    }
    // Taken before reading: a change during the read is seen, and read, at the next look.
    seen = now;
    try {
      ServerTls.Material material = config.read();
      reload.accept(tls(material));
      LOG.info(() -> "server.tls: files changed, now serving " + describe(material));
      return true;
    } catch (RuntimeException e) {
      LOG.warning(
          "server.tls: files changed, still serving the previous certificate: " + e.getMessage());
      return false;
    }
  }

  private static Tls tls(ServerTls.Material material) {
    TlsConfig.Builder builder =
        Tls.builder().privateKey(material.key()).privateKeyCertChain(material.chain());
    if (!material.clientCas().isEmpty()) {
      builder.trust(material.clientCas()).clientAuth(TlsClientAuth.REQUIRED);
    }
    return builder.build();
  }

  private static String describe(ServerTls.Material material) {
    X509Certificate certificate = material.certificate();
    String clients =
        material.clientCas().isEmpty()
            ? ""
            : "; client certificates required, signed by "
                + material.clientCas().stream()
                    .map(ca -> ca.getSubjectX500Principal().getName())
                    .toList();
    return "the certificate of "
        + certificate.getSubjectX500Principal().getName()
        + " (serial "
        + certificate.getSerialNumber().toString(16)
        + ", valid until "
        + certificate.getNotAfter().toInstant()
        + ")"
        + clients;
  }
}
