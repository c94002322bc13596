package io.stevedore.config.yaml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stevedore.config.ServerTls;
import io.stevedore.config.StevedoreConfig;
import io.stevedore.testing.TestCa;
import io.stevedore.testing.TestCa.Issued;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code server.tls}: off unless both files are set, and checked before anything starts. */
class ServerTlsConfigTest {
  private static final String UPSTREAM = "upstreams:\n  - name: a\n    url: http://127.0.0.1:1\n";

  @TempDir static Path dir;
  private static TestCa ca;
  private static Issued server;

  @BeforeAll
  static void makeCa() {
    ca = TestCa.create(dir, "test-ca");
    server = ca.server("server");
  }

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
        .hasMessage("bad config: server.tls.key-file: required with server.tls.cert-file");
    assertThatThrownBy(() -> load(tls(null, server.key(), null)))
        .hasMessage("bad config: server.tls.cert-file: required with server.tls.key-file");
    assertThatThrownBy(() -> load(tls(null, null, ca.certificate())))
        .hasMessageStartingWith(
            "bad config: server.tls.client-ca-file: needs server.tls.cert-file");
  }

  @Test
  void anUnreadableOrWrongFile_refusesTheStart_namingItsKey() {
    Path missing = dir.resolve("missing.pem");

    assertThatThrownBy(() -> load(tls(missing, server.key(), null)))
        .isInstanceOf(ConfigLoader.ConfigException.class)
        .hasMessage("bad config: server.tls.cert-file: " + missing + " does not exist");
    assertThatThrownBy(() -> load(tls(server.certificate(), server.certificate(), null)))
        .hasMessageStartingWith("bad config: server.tls.key-file: ");
    assertThatThrownBy(() -> load(tls(server.certificate(), server.key(), server.key())))
        .hasMessageStartingWith("bad config: server.tls.client-ca-file: ");
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
