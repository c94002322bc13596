package io.stevedore.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stevedore.config.ServerTls;
import io.stevedore.config.StevedoreConfig;
import io.stevedore.config.UpstreamConfig;
import io.stevedore.testing.LogCapture;
import io.stevedore.testing.TestCa;
import io.stevedore.testing.TestCa.Issued;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.logging.Level;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The mirror over HTTPS, with certificates a test CA issued: it serves the configured certificate,
 * serves the certificate of replaced files a few seconds later from the same running server, and,
 * with a client CA, serves only clients presenting a certificate that CA signed.
 */
class TlsHttpTest {
  /** Two looks at the files, two seconds apart, and slack for a loaded CI machine. */
  private static final Duration RELOAD_TIMEOUT = Duration.ofSeconds(20);

  @TempDir static Path pki;
  private static TestCa ca;
  private static TestCa clientCa;
  private static Issued first;
  private static Issued second;

  @TempDir Path dir;

  @BeforeAll
  static void issueCertificates() {
    ca = TestCa.create(pki, "server-ca");
    clientCa = TestCa.create(pki, "client-ca");
    first = ca.server("first");
    second = ca.server("second");
  }

  @Test
  void servesTheConfiguredCertificate_andReplacedFilesWithoutARestart() throws Exception {
    Path cert = dir.resolve("tls.crt");
    Path key = dir.resolve("tls.key");
    replace(cert, first.certificate());
    replace(key, first.key());
    try (LogCapture log = new LogCapture("io.stevedore.http.EdgeTls");
        Stevedore mirror = start(new ServerTls(cert, key, Optional.empty()))) {
      assertThat(getV2(mirror, ca.clientContext()).statusCode()).isEqualTo(200);
      assertThat(servedCertificate(mirror, ca.clientContext())).isEqualTo(first.x509());

      // The key first: for a moment the files do not match, and the server keeps the first.
      replace(key, second.key());
      replace(cert, second.certificate());

      assertThat(log.await(Level.INFO, "now serving the certificate of CN=second", RELOAD_TIMEOUT))
          .as("the new certificate is served within %s", RELOAD_TIMEOUT)
          .isTrue();
      assertThat(servedCertificate(mirror, ca.clientContext())).isEqualTo(second.x509());
      assertThat(getV2(mirror, ca.clientContext()).statusCode()).isEqualTo(200);
    }
  }

  @Test
  void withAClientCa_onlyClientsWithACertificateItSigned_areServed() throws Exception {
    Issued member = clientCa.client("member");
    Issued stranger = ca.client("stranger");
    try (Stevedore mirror =
        start(
            new ServerTls(first.certificate(), first.key(), Optional.of(clientCa.certificate())))) {
      HttpResponse<String> served = getV2(mirror, ca.clientContext(member));
      assertThat(served.statusCode()).isEqualTo(200);
      assertThat(served.headers().firstValue("Docker-Distribution-API-Version"))
          .contains("registry/2.0");

      assertThatThrownBy(() -> getV2(mirror, ca.clientContext()))
          .as("a client without a certificate")
          .isInstanceOf(IOException.class);
      assertThatThrownBy(() -> getV2(mirror, ca.clientContext(stranger)))
          .as("a client whose certificate another CA signed")
          .isInstanceOf(IOException.class);
    }
  }

  private Stevedore start(ServerTls tls) {
    StevedoreConfig config =
        new StevedoreConfig(
            "127.0.0.1",
            0,
            dir.resolve("data"),
            1L << 30,
            1L << 20,
            Duration.ofMinutes(5),
            List.of(UpstreamConfig.of("lab", URI.create("http://127.0.0.1:9"))),
            Optional.of(tls));
    return Stevedore.start(config, Clock.systemUTC());
  }

  /** {@code GET /v2/} on a new connection, so every call makes its own TLS handshake. */
  private static HttpResponse<String> getV2(Stevedore mirror, SSLContext client)
      throws IOException, InterruptedException {
    try (HttpClient http =
        HttpClient.newBuilder()
            .sslContext(client)
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build()) {
      HttpRequest request =
          HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + mirror.port() + "/v2/"))
              .timeout(Duration.ofSeconds(10))
              .build();
      return http.send(request, HttpResponse.BodyHandlers.ofString());
    }
  }

  /** The certificate the server presents in a handshake, its host name checked as HTTPS does. */
  private static X509Certificate servedCertificate(Stevedore mirror, SSLContext client)
      throws IOException {
    try (SSLSocket socket =
        (SSLSocket) client.getSocketFactory().createSocket("127.0.0.1", mirror.port())) {
      SSLParameters parameters = socket.getSSLParameters();
      parameters.setEndpointIdentificationAlgorithm("HTTPS");
      socket.setSSLParameters(parameters);
      socket.startHandshake();
      return (X509Certificate) socket.getSession().getPeerCertificates()[0];
    }
  }

  /** Replaces {@code target} by a copy of {@code source} in one rename, as rotation tools do. */
  private static void replace(Path target, Path source) throws IOException {
    Path next = Files.copy(source, target.resolveSibling(target.getFileName() + ".next"));
    Files.move(next, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
