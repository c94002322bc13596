package io.stevedore.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stevedore.testing.TestCa;
import io.stevedore.testing.TestCa.Issued;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * skopeo and containerd pull through the mirror jar over HTTPS, verifying its certificate against a
 * CA the test made with openssl (skopeo's {@code --src-cert-dir}, containerd's hosts.toml {@code
 * ca}); replacing the certificate files switches the served certificate while the same process
 * runs; and with a client CA, the clients pull presenting a certificate it signed, and a client
 * without one is refused.
 *
 * <p>The tests share one TLS mirror and run in order: the rotation comes after the first pulls.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EdgeTlsIT {
  private static final String REPO_TAG = "e2e/small:1.0";

  /** The mirror looks at its files every 2 s; slack for a loaded CI machine. */
  private static final Duration ROTATION_TIMEOUT = Duration.ofSeconds(30);

  @RegisterExtension static final Lab lab = new Lab();
  private static OciImage image;
  private static TestCa ca;
  private static Issued first;
  private static Path certFile;
  private static Path keyFile;
  private static StevedoreProcess mirror;

  @BeforeAll
  static void pushAnImage_startATlsMirror() throws IOException {
    image = OciImages.shared().small();
    lab.push(image, REPO_TAG);
    ca = TestCa.create(Files.createDirectories(lab.path("pki")), "lab-ca");
    first = ca.server("first");
    certFile = lab.path("tls.crt");
    keyFile = lab.path("tls.key");
    TestCa.replace(certFile, first.certificate());
    TestCa.replace(keyFile, first.key());
    mirror =
        lab.mirror(
            "stevedore",
            config ->
                config
                    .upstream(lab.upstream().aliases("lab.example"))
                    .tls(MirrorTls.of(certFile, keyFile, ca.clientContext())));
  }

  @Test
  @Order(10)
  void skopeo_pullsThroughTls_verifyingTheCertificateAgainstTheCa() {
    String digest =
        lab.skopeo()
            .withSourceCertDir(certDir("skopeo-ca", null))
            .pullToOci(mirror.hostPort() + "/" + REPO_TAG, lab.path("pulled-1"));

    assertThat(digest).isEqualTo(image.digest());
    // Verification is on: without the CA, the same pull fails on the certificate.
    assertThatThrownBy(
            () ->
                lab.skopeo()
                    .withSourceCertDir(Files.createDirectories(lab.path("no-ca")))
                    .pullToOci(mirror.hostPort() + "/" + REPO_TAG, lab.path("pulled-no-ca")))
        .hasMessageContaining("x509: certificate signed by unknown authority");
  }

  @Test
  @Order(20)
  void containerd_pullsThroughTls_withTheCaOfItsHostsToml() {
    Path hosts = lab.path("hosts");
    Containerd.writeHostsToml(
        hosts,
        "lab.example",
        FreePorts.closedUrl(),
        new Containerd.HostTls(ca.certificate(), null, null),
        mirror.url());

    Containerd.Pull pull = lab.containerd().pull(hosts, "lab.example/" + REPO_TAG);

    assertThat(mirror.url().getScheme()).isEqualTo("https");
    assertThat(pull.digest()).isEqualTo(image.digest());
  }

  @Test
  @Order(30)
  void replacingTheFiles_switchesTheServedCertificate_withoutARestart() {
    Issued second = ca.server("second");
    long pid = mirror.pid();
    assertThat(TestCa.servedCertificate(ca.clientContext(), mirror.port())).isEqualTo(first.x509());

    TestCa.replace(keyFile, second.key());
    TestCa.replace(certFile, second.certificate());

    Daemons.await(
        "the mirror to serve the second certificate",
        ROTATION_TIMEOUT,
        mirror::isRunning,
        mirror::logTail,
        () -> TestCa.servedCertificate(ca.clientContext(), mirror.port()).equals(second.x509()));
    assertThat(mirror.pid()).as("the same process").isEqualTo(pid);
    String digest =
        lab.skopeo()
            .withSourceCertDir(certDir("skopeo-ca", null))
            .pullToOci(mirror.hostPort() + "/" + REPO_TAG, lab.path("pulled-2"));
    assertThat(digest).isEqualTo(image.digest());
  }

  @Test
  @Order(40)
  void withAClientCa_clientsPresentingACertificateItSigned_pull_andOthersAreRefused() {
    TestCa clientCa = TestCa.create(lab.path("pki"), "lab-client-ca");
    Issued client = clientCa.client("puller");
    StevedoreProcess guarded =
        lab.mirror(
            "guarded",
            config ->
                config
                    .upstream(lab.upstream().aliases("lab.example"))
                    .tls(
                        MirrorTls.of(first.certificate(), first.key(), ca.clientContext())
                            .clientCa(clientCa.certificate(), ca.clientContext(client))));
    String ref = guarded.hostPort() + "/" + REPO_TAG;

    String digest =
        lab.skopeo()
            .withSourceCertDir(certDir("skopeo-client", client))
            .pullToOci(ref, lab.path("pulled-mtls"));
    assertThat(digest).isEqualTo(image.digest());
    assertThatThrownBy(
            () ->
                lab.skopeo()
                    .withSourceCertDir(certDir("skopeo-ca", null))
                    .pullToOci(ref, lab.path("pulled-no-client")))
        .as("skopeo without a client certificate")
        .hasMessageContaining("tls: certificate required");

    Path hosts = lab.path("hosts-mtls");
    Containerd.writeHostsToml(
        hosts,
        "lab.example",
        FreePorts.closedUrl(),
        new Containerd.HostTls(ca.certificate(), client.certificate(), client.key()),
        guarded.url());
    assertThat(lab.containerd().pull(hosts, "lab.example/" + REPO_TAG).digest())
        .isEqualTo(image.digest());
  }

  /**
   * A {@code --cert-dir} as containers/image reads it: the CA as {@code ca.crt}, and a client
   * certificate as {@code client.cert} with {@code client.key}.
   */
  private static Path certDir(String name, Issued clientCertificate) {
    try {
      Path dir = Files.createDirectories(lab.path(name));
      Files.copy(ca.certificate(), dir.resolve("ca.crt"), StandardCopyOption.REPLACE_EXISTING);
      if (clientCertificate != null) {
        Files.copy(clientCertificate.certificate(), dir.resolve("client.cert"));
        Files.copy(clientCertificate.key(), dir.resolve("client.key"));
      }
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
