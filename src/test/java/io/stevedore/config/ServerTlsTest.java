package io.stevedore.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stevedore.config.yaml.ConfigLoader;
import io.stevedore.testing.TestCa;
import io.stevedore.testing.TestCa.Issued;
import io.stevedore.testing.TestCa.KeyFormat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code server.tls}: the PEM files as openssl writes them (every key encoding, chains, each way a
 * file is wrong), and the keys as the config loader reads them (off unless both files are set,
 * checked before anything starts).
 */
class ServerTlsTest {
  private static final String UPSTREAM = "upstreams:\n  - name: a\n    url: http://127.0.0.1:1\n";

  @TempDir static Path dir;
  private static TestCa ca;
  private static Issued server;

  @BeforeAll
  static void makeCa() {
    ca = TestCa.create(dir, "test-ca");
    server = ca.server("server");
  }

  @ParameterizedTest
  @EnumSource(KeyFormat.class)
  void everyKeyEncodingOpenSslWrites_isRead(KeyFormat format) {
    Issued issued = ca.server("server-" + format.name().toLowerCase(Locale.ROOT), format);

    ServerTls.Material material =
        new ServerTls(issued.certificate(), issued.key(), Optional.empty()).read();

    assertThat(material.certificate()).isEqualTo(issued.x509());
    assertThat(material.key().getAlgorithm())
        .isEqualTo(material.certificate().getPublicKey().getAlgorithm());
    assertThat(material.clientCas()).isEmpty();
  }

  @Test
  void aChain_keepsItsOrder_andTheClientCasAreRead() throws IOException {
    Path chain =
        Files.writeString(
            dir.resolve("chain.pem"),
            Files.readString(server.certificate()) + Files.readString(ca.certificate()));

    ServerTls.Material material =
        new ServerTls(chain, server.key(), Optional.of(ca.certificate())).read();

    assertThat(material.chain())
        .containsExactly(server.x509(), TestCa.certificates(ca.certificate()).getFirst());
    assertThat(material.clientCas())
        .containsExactlyElementsOf(TestCa.certificates(ca.certificate()));
  }

  @Test
  void theKeyOfAnotherCertificate_isRefused_namingTheKeyFile() {
    Issued other = ca.server("other");

    assertThatThrownBy(
            () -> new ServerTls(server.certificate(), other.key(), Optional.empty()).read())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("server.tls.key-file: " + other.key())
        .hasMessageContaining("not the private key of the certificate in " + server.certificate());
  }

  @Test
  void aMissingFile_isRefused_namingItsKey() {
    Path missing = dir.resolve("missing.pem");

    assertThatThrownBy(() -> new ServerTls(missing, server.key(), Optional.empty()).read())
        .hasMessage("server.tls.cert-file: " + missing + " does not exist");
    assertThatThrownBy(
            () -> new ServerTls(server.certificate(), server.key(), Optional.of(missing)).read())
        .hasMessage("server.tls.client-ca-file: " + missing + " does not exist");
  }

  @Test
  void filesWithoutTheRightPem_areRefused_sayingWhatIsMissing() throws IOException {
    Path garbage = Files.write(dir.resolve("garbage.der"), new byte[] {0x30, (byte) 0x82, 0, 1});

    assertThatThrownBy(() -> new ServerTls(server.key(), server.key(), Optional.empty()).read())
        .hasMessage("server.tls.cert-file: " + server.key() + " holds no PEM certificate");
    assertThatThrownBy(
            () ->
                new ServerTls(server.certificate(), server.certificate(), Optional.empty()).read())
        .hasMessage("server.tls.key-file: " + server.certificate() + " holds no PEM private key");
    assertThatThrownBy(() -> new ServerTls(server.certificate(), garbage, Optional.empty()).read())
        .hasMessageStartingWith("server.tls.key-file: " + garbage);
  }

  @Test
  void brokenPem_isRefused_notThrownAsSomethingElse() throws IOException {
    Path truncatedKey =
        Files.writeString(
            dir.resolve("truncated.key"),
            "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEI\n-----END EC PRIVATE KEY-----\n");
    Path brokenCertificate =
        Files.writeString(
            dir.resolve("broken.crt"),
            "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\n-----END CERTIFICATE-----\n");

    assertThatThrownBy(
            () -> new ServerTls(server.certificate(), truncatedKey, Optional.empty()).read())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("server.tls.key-file: " + truncatedKey);
    assertThatThrownBy(
            () -> new ServerTls(brokenCertificate, server.key(), Optional.empty()).read())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(
            "server.tls.cert-file: " + brokenCertificate + " holds a broken certificate");
  }

  @Test
  void anEncryptedKey_isRefused_sayingHowToDecryptIt() throws IOException {
    Path encrypted =
        Files.writeString(
            dir.resolve("encrypted.key"),
            "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIBvTBXBgkqhkiG9w0BBQ0w\n"
                + "-----END ENCRYPTED PRIVATE KEY-----\n");

    assertThatThrownBy(
            () -> new ServerTls(server.certificate(), encrypted, Optional.empty()).read())
        .hasMessageContaining("holds an encrypted key")
        .hasMessageContaining("openssl pkey");
  }

  @Test
  void theFilesToWatch_areTheConfiguredOnes() {
    assertThat(new ServerTls(server.certificate(), server.key(), Optional.empty()).files())
        .containsExactly(server.certificate(), server.key());
    assertThat(
            new ServerTls(server.certificate(), server.key(), Optional.of(ca.certificate()))
                .files())
        .containsExactly(server.certificate(), server.key(), ca.certificate());
  }

  // ------------------------------------------------ the keys, as ConfigLoader reads them

  @Test
  void withoutTlsKeys_theServerSpeaksPlainHttp() throws IOException {
    assertThat(load("").tls()).isEmpty();
    assertThat(ConfigLoader.load(Path.of("conf/stevedore.yaml"), Map.of()).tls()).isEmpty();
  }

  @Test
  void certAndKey_turnTlsOn_andAClientCaAsksForClientCertificates() throws IOException {
    assertThat(load(tls(server.certificate(), server.key(), null)).tls())
        .contains(new ServerTls(server.certificate(), server.key(), Optional.empty()));
    assertThat(load(tls(server.certificate(), server.key(), ca.certificate())).tls())
        .contains(new ServerTls(server.certificate(), server.key(), Optional.of(ca.certificate())));
  }

  @Test
  void theEnvironment_setsTheFiles() throws IOException {
    Path file = Files.writeString(dir.resolve("stevedore.yaml"), UPSTREAM);

    Optional<ServerTls> tls =
        ConfigLoader.load(
                file,
                Map.of(
                    "SERVER_TLS_CERT_dash_FILE", server.certificate().toString(),
                    "SERVER_TLS_KEY_dash_FILE", server.key().toString()))
            .tls();

    assertThat(tls).contains(new ServerTls(server.certificate(), server.key(), Optional.empty()));
  }

  @Test
  void oneFileWithoutTheOther_refusesTheStart_namingTheMissingKey() {
    assertThatThrownBy(() -> load(tls(server.certificate(), null, null)))
        .isInstanceOf(ConfigLoader.ConfigException.class)
        .hasMessageEndingWith(
            "stevedore.yaml: server.tls.key-file: required with server.tls.cert-file");
    assertThatThrownBy(() -> load(tls(null, server.key(), null)))
        .hasMessageEndingWith(
            "stevedore.yaml: server.tls.cert-file: required with server.tls.key-file");
    assertThatThrownBy(() -> load(tls(null, null, ca.certificate())))
        .hasMessageContaining(
            "stevedore.yaml: server.tls.client-ca-file: needs server.tls.cert-file");
  }

  @Test
  void anUnreadableOrWrongFile_refusesTheStart_namingItsKey() {
    Path missing = dir.resolve("missing.pem");

    assertThatThrownBy(() -> load(tls(missing, server.key(), null)))
        .isInstanceOf(ConfigLoader.ConfigException.class)
        .hasMessageEndingWith(
            "stevedore.yaml: server.tls.cert-file: " + missing + " does not exist");
    assertThatThrownBy(() -> load(tls(server.certificate(), server.certificate(), null)))
        .hasMessageContaining("stevedore.yaml: server.tls.key-file: ");
    assertThatThrownBy(() -> load(tls(server.certificate(), server.key(), server.key())))
        .hasMessageContaining("stevedore.yaml: server.tls.client-ca-file: ");
  }

  private static String tls(Path cert, Path key, Path clientCa) {
    StringBuilder yaml = new StringBuilder("server:\n  tls:\n");
    if (cert != null) {
      yaml.append("    cert-file: ").append(cert).append('\n');
    }
    if (key != null) {
      yaml.append("    key-file: ").append(key).append('\n');
    }
    if (clientCa != null) {
      yaml.append("    client-ca-file: ").append(clientCa).append('\n');
    }
    return yaml.toString();
  }

  private static StevedoreConfig load(String yaml) throws IOException {
    return ConfigLoader.load(
        Files.writeString(dir.resolve("stevedore.yaml"), yaml + UPSTREAM), Map.of());
  }
}
