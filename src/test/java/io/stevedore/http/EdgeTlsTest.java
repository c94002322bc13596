package io.stevedore.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.helidon.common.tls.Tls;
import io.helidon.common.tls.TlsClientAuth;
import io.stevedore.config.ServerTls;
import io.stevedore.testing.LogCapture;
import io.stevedore.testing.TestCa;
import io.stevedore.testing.TestCa.Issued;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which file changes reach the server: a complete rotation does, at once; a half-done one or a
 * broken file does not, says why, and is read again at its next change. No server and no clock:
 * each look at the files is one call.
 */
class EdgeTlsTest {
  @TempDir static Path caDir;
  private static TestCa ca;
  private static Issued first;
  private static Issued second;

  @TempDir Path dir;
  private Path cert;
  private Path key;
  private LogCapture log;
  private final List<Tls> reloads = new ArrayList<>();

  @BeforeAll
  static void issueCertificates() {
    ca = TestCa.create(caDir, "test-ca");
    first = ca.server("first");
    second = ca.server("second");
  }

  @BeforeEach
  void installFirst() throws IOException {
    cert = dir.resolve("live.crt");
    key = dir.resolve("live.key");
    TestCa.replace(cert, first.certificate());
    TestCa.replace(key, first.key());
    log = new LogCapture(EdgeTls.class);
  }

  @AfterEach
  void stopCapturing() {
    log.close();
  }

  @Test
  void startsWithTheFiles_andUnchangedFilesAreNotReadAgain() {
    EdgeTls edge = EdgeTls.read(new ServerTls(cert, key, Optional.empty()));

    assertThat(served(edge.tls())).isEqualTo(first.x509());
    assertThat(edge.tls().prototype().clientAuth()).isEqualTo(TlsClientAuth.NONE);
    assertThat(edge.reloadIfChanged(reloads::add)).isFalse();
    assertThat(reloads).isEmpty();
  }

  @Test
  void aCompleteRotation_reachesTheServer_once() throws IOException {
    EdgeTls edge = EdgeTls.read(new ServerTls(cert, key, Optional.empty()));
    TestCa.replace(cert, second.certificate());
    TestCa.replace(key, second.key());

    assertThat(edge.reloadIfChanged(reloads::add)).isTrue();
    assertThat(edge.reloadIfChanged(reloads::add)).isFalse();

    assertThat(reloads).hasSize(1);
    assertThat(served(reloads.getFirst())).isEqualTo(second.x509());
    assertThat(log.messages(Level.INFO))
        .last()
        .asString()
        .contains("now serving the certificate of CN=second");
  }

  @Test
  void aHalfDoneRotation_keepsTheCurrentCertificate_untilTheKeyFollows() throws IOException {
    EdgeTls edge = EdgeTls.read(new ServerTls(cert, key, Optional.empty()));
    TestCa.replace(cert, second.certificate());

    assertThat(edge.reloadIfChanged(reloads::add)).isFalse();
    assertThat(reloads).isEmpty();
    assertThat(log.messages(Level.WARNING))
        .singleElement()
        .asString()
        .contains("still serving the previous certificate")
        .contains("server.tls.key-file: " + key + " is not the private key");

    TestCa.replace(key, second.key());
    assertThat(edge.reloadIfChanged(reloads::add)).isTrue();
    assertThat(served(reloads.getFirst())).isEqualTo(second.x509());
  }

  @Test
  void aBrokenFile_isReportedOnce_andReadAgainWhenFixed() throws IOException {
    EdgeTls edge = EdgeTls.read(new ServerTls(cert, key, Optional.empty()));
    Files.writeString(cert, "not a certificate\n");

    assertThat(edge.reloadIfChanged(reloads::add)).isFalse();
    assertThat(edge.reloadIfChanged(reloads::add)).isFalse();
    assertThat(log.messages(Level.WARNING))
        .singleElement()
        .asString()
        .contains("server.tls.cert-file: " + cert + " holds no PEM certificate");

    TestCa.replace(cert, first.certificate());
    assertThat(edge.reloadIfChanged(reloads::add)).isTrue();
    assertThat(served(reloads.getFirst())).isEqualTo(first.x509());
  }

  @Test
  void aClientCa_requiresClientCertificatesSignedByIt() {
    EdgeTls edge = EdgeTls.read(new ServerTls(cert, key, Optional.of(ca.certificate())));

    assertThat(edge.tls().prototype().clientAuth()).isEqualTo(TlsClientAuth.REQUIRED);
    assertThat(edge.tls().prototype().trust())
        .containsExactlyElementsOf(TestCa.certificates(ca.certificate()));
  }

  private static X509Certificate served(Tls tls) {
    return tls.prototype().privateKeyCertChain().getFirst();
  }
}
