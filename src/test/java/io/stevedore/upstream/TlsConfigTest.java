package io.stevedore.upstream;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static io.stevedore.upstream.RegistryErrorAssertions.assertRegistryError;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.stevedore.config.UpstreamConfig;
import io.stevedore.oci.Digest;
import io.stevedore.oci.ErrorCode;
import io.stevedore.oci.Reference;
import io.stevedore.oci.RegistryException;
import io.stevedore.oci.RepositoryName;
import io.stevedore.testing.LogCapture;
import io.stevedore.testing.MutableClock;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.logging.Level;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Custom CAs and insecure upstreams, against WireMock over HTTPS with self-signed certificates made
 * by the JDK's keytool: one for 127.0.0.1, one for a host name the upstream never has.
 */
class TlsConfigTest {
  private static final RepositoryName REPO = RepositoryName.parse("team/app");
  private static final Reference TAG = Reference.parse("1.0");
  private static final byte[] MANIFEST = "{\"schemaVersion\":2}".getBytes(StandardCharsets.UTF_8);
  private static final byte[] BLOB_BYTES = "a layer".getBytes(StandardCharsets.UTF_8);
  private static final Digest BLOB = Digest.sha256(BLOB_BYTES);
  private static final String PASSWORD = "changeit";

  @TempDir static Path dir;
  private static Path loopbackPem;
  private static Path otherNamePem;
  private static WireMockServer loopback;
  private static WireMockServer otherName;

  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-27T12:00:00Z"));

  @BeforeAll
  static void startRegistries() throws Exception {
    loopbackPem = selfSigned("loopback", "ip:127.0.0.1");
    otherNamePem = selfSigned("other-name", "dns:elsewhere.invalid");
    loopback = httpsRegistry("loopback");
    otherName = httpsRegistry("other-name");
  }

  @AfterAll
  static void stopRegistries() {
    loopback.stop();
    otherName.stop();
  }

  /** A PKCS12 key store {@code name.p12} with a self-signed certificate, and its PEM. */
  private static Path selfSigned(String name, String subjectAltName) throws Exception {
    Path store = dir.resolve(name + ".p12");
    Path pem = dir.resolve(name + ".pem");
    keytool(
        "-genkeypair",
        "-alias",
        name,
        "-keyalg",
        "EC",
        "-groupname",
        "secp256r1",
        "-dname",
        "CN=stevedore test " + name,
        "-ext",
        "SAN=" + subjectAltName,
        "-validity",
        "2",
        "-storetype",
        "PKCS12",
        "-keystore",
        store.toString(),
        "-storepass",
        PASSWORD,
        "-keypass",
        PASSWORD);
    keytool(
        "-exportcert",
        "-rfc",
        "-alias",
        name,
        "-keystore",
        store.toString(),
        "-storepass",
        PASSWORD,
        "-file",
        pem.toString());
    return pem;
  }

  private static void keytool(String... args) throws Exception {
    List<String> command =
        new java.util.ArrayList<>(
            List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString()));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor()).as("keytool %s: %s", args[0], output).isZero();
  }

  private static WireMockServer httpsRegistry(String name) {
    WireMockServer server =
        new WireMockServer(
            options()
                .bindAddress("127.0.0.1")
                .httpDisabled(true)
                .dynamicHttpsPort()
                .keystorePath(dir.resolve(name + ".p12").toString())
                .keystoreType("PKCS12")
                .keystorePassword(PASSWORD)
                .keyManagerPassword(PASSWORD));
    server.start();
    server.stubFor(get("/v2/team/app/manifests/1.0").willReturn(aResponse().withBody(MANIFEST)));
    server.stubFor(get(blobPath()).willReturn(aResponse().withBody(BLOB_BYTES)));
    return server;
  }

  private static UpstreamConfig.Builder config(WireMockServer server) {
    return UpstreamConfig.builder("tls-up", URI.create("https://127.0.0.1:" + server.httpsPort()));
  }

  private Upstream upstream(UpstreamConfig config) {
    return new OkHttpUpstream(config, OkHttpUpstream.defaultClient(), clock);
  }

  @Test
  void withoutCaFile_selfSignedRefused_badGatewayNamingTheUpstream() {
    // 502, not 503: the upstream answered, with a certificate we cannot accept.
    assertRegistryError(
        () -> upstream(config(loopback).build()).fetchManifest(REPO, TAG, List.of()),
        ErrorCode.UNAVAILABLE,
        502,
        e -> assertThat(e.getMessage()).contains("upstream tls-up").contains("TLS"));
  }

  @Test
  void caFile_trustsItsCertificate_alsoThroughCreate() {
    UpstreamConfig config = config(loopback).caFile(loopbackPem).build();

    assertThat(upstream(config).fetchManifest(REPO, TAG, List.of()).body()).isEqualTo(MANIFEST);
    assertThat(
            OkHttpUpstream.create(config, clock, UpstreamListener.NONE)
                .fetchManifest(REPO, TAG, List.of())
                .body())
        .isEqualTo(MANIFEST);
  }

  @Test
  void blobs_overHttp11WithTheSameTrust_manifestsOverNegotiatedHttp2() throws IOException {
    // A blob body read from a fill over HTTP/1.1, not OkHttp's HTTP/2 reader thread (perf/README):
    // the same CA file must hold for it, and the server must have offered h2 for the manifest.
    Upstream upstream = upstream(config(loopback).caFile(loopbackPem).build());

    upstream.fetchManifest(REPO, TAG, List.of());
    try (BlobStream blob = upstream.fetchBlob(REPO, BLOB, 0)) {
      assertThat(blob.body().readAllBytes()).isEqualTo(BLOB_BYTES);
    }

    assertThat(loopback.findAll(getRequestedFor(urlEqualTo("/v2/team/app/manifests/1.0"))))
        .last()
        .extracting(LoggedRequest::getProtocol)
        .isEqualTo("HTTP/2.0");
    assertThat(loopback.findAll(getRequestedFor(urlEqualTo(blobPath()))))
        .singleElement()
        .extracting(LoggedRequest::getProtocol)
        .isEqualTo("HTTP/1.1");
  }

  private static String blobPath() {
    return "/v2/team/app/blobs/" + BLOB;
  }

  @Test
  void caFile_anotherCertificate_stillRefused() {
    UpstreamConfig config = config(loopback).caFile(otherNamePem).build();

    assertThatThrownBy(() -> upstream(config).fetchManifest(REPO, TAG, List.of()))
        .isInstanceOfSatisfying(
            RegistryException.class, e -> assertThat(e.status()).isEqualTo(502));
  }

  @Test
  void caFile_hostNameStillVerified() {
    // Trusted certificate, but for elsewhere.invalid: the CA file adds trust, not blindness.
    UpstreamConfig config = config(otherName).caFile(otherNamePem).build();

    assertThatThrownBy(() -> upstream(config).fetchManifest(REPO, TAG, List.of()))
        .isInstanceOfSatisfying(
            RegistryException.class,
            e -> {
              assertThat(e.status()).isEqualTo(502);
              assertThat(e.getMessage()).contains("tls-up");
            });
  }

  @Test
  void insecure_trustsAnyCertificateForAnyName_andWarnsOnce() {
    try (LogCapture log = new LogCapture(TlsConfig.class)) {
      Upstream upstream = upstream(config(otherName).insecure(true).build());

      assertThat(upstream.fetchManifest(REPO, TAG, List.of()).body()).isEqualTo(MANIFEST);
      upstream.fetchManifest(REPO, TAG, List.of());
      assertThat(log.messages(Level.WARNING))
          .singleElement()
          .asString()
          .contains("upstream tls-up")
          .contains("not verified");
    }
  }

  @Test
  void secure_logsNoWarning() {
    try (LogCapture log = new LogCapture(TlsConfig.class)) {
      upstream(config(loopback).caFile(loopbackPem).build());

      assertThat(log.messages(Level.WARNING)).isEmpty();
    }
  }

  @Test
  void caBundle_everyCertificateTrusted_besidesTheJdkCas() throws IOException {
    Path bundle = dir.resolve("bundle.pem");
    Files.writeString(
        bundle, Files.readString(loopbackPem) + "\n" + Files.readString(otherNamePem));
    OkHttpClient.Builder client = new OkHttpClient.Builder();

    TlsConfig.apply(config(loopback).caFile(bundle).build(), client);

    List<X509Certificate> issuers = List.of(client.build().x509TrustManager().getAcceptedIssuers());
    List<X509Certificate> jdk = List.of(TlsConfig.trustManager(null).getAcceptedIssuers());
    assertThat(jdk).isNotEmpty();
    assertThat(issuers)
        .containsAll(jdk)
        .contains(certificate(loopbackPem), certificate(otherNamePem))
        .hasSize(jdk.size() + 2);
  }

  private static X509Certificate certificate(Path pem) throws IOException {
    try (InputStream in = Files.newInputStream(pem)) {
      return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    } catch (java.security.cert.CertificateException e) {
      throw new IOException(e);
    }
  }

  @Test
  void caFile_missingOrWithoutCertificates_failsAtConstructionNamingIt() throws IOException {
    Path missing = dir.resolve("missing.pem");
    Path empty = Files.writeString(dir.resolve("empty.pem"), "no certificates here\n");

    assertThatThrownBy(() -> upstream(config(loopback).caFile(missing).build()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("tls-up")
        .hasMessageContaining("missing.pem");
    assertThatThrownBy(() -> upstream(config(loopback).caFile(empty).build()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("tls-up")
        .hasMessageContaining("empty.pem");
  }
}
