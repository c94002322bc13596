package io.stevedore.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stevedore.config.ServerTls;
import io.stevedore.testing.LogCapture;
import io.stevedore.testing.TestCa;
import io.stevedore.testing.TestCa.Issued;
import io.stevedore.testing.TestMirrors;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.logging.Level;
import javax.net.ssl.SSLContext;
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
    TestCa.replace(cert, first.certificate());
    TestCa.replace(key, first.key());
    try (LogCapture log = new LogCapture("io.stevedore.http.EdgeTls");
        Stevedore mirror = TestMirrors.startTls(dir, new ServerTls(cert, key, Optional.empty()))) {
      assertThat(getV2(mirror, ca.clientContext()).statusCode()).isEqualTo(200);
      assertThat(TestCa.servedCertificate(ca.clientContext(), mirror.port()))
          .isEqualTo(first.x509());

      // The key first: for a moment the files do not match, and the server keeps the first.
      TestCa.replace(key, second.key());
      TestCa.replace(cert, second.certificate());

      assertThat(log.await(Level.INFO, "now serving the certificate of CN=second", RELOAD_TIMEOUT))
          .as("the new certificate is served within %s", RELOAD_TIMEOUT)
          .isTrue();
      assertThat(TestCa.servedCertificate(ca.clientContext(), mirror.port()))
          .isEqualTo(second.x509());
      assertThat(getV2(mirror, ca.clientContext()).statusCode()).isEqualTo(200);
    }
  }

  @Test
  void withAClientCa_onlyClientsWithACertificateItSigned_areServed() throws Exception {
    Issued member = clientCa.client("member");
    Issued stranger = ca.client("stranger");
    try (Stevedore mirror =
        TestMirrors.startTls(
            dir,
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
}
