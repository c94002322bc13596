package io.stevedore.config.yaml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stevedore.config.StevedoreConfig;
import io.stevedore.config.UpstreamConfig;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ConfigLoaderTest {
  @TempDir Path dir;

  @Test
  void shippedConfig_loads_withDockerHubAsTheDefault() {
    StevedoreConfig config = ConfigLoader.load(Path.of("conf/stevedore.yaml"), Map.of());

    assertThat(config.port()).isEqualTo(5000);
    assertThat(config.host()).isEqualTo("0.0.0.0");
    assertThat(config.storagePath()).isEqualTo(Path.of("./data"));
    assertThat(config.maxSize()).isEqualTo(50L * 1024 * 1024 * 1024);
    assertThat(config.fillTimeout()).isEqualTo(Duration.ofHours(1));
    UpstreamConfig hub = config.defaultUpstream().orElseThrow();
    assertThat(hub.name()).isEqualTo("dockerhub");
    assertThat(hub.url()).isEqualTo(URI.create("https://registry-1.docker.io"));
    assertThat(hub.aliases()).contains("docker.io", "index.docker.io");
    assertThat(hub.tagFreshness()).isEqualTo(Duration.ofMinutes(5));
    assertThat(hub.isDockerHub()).isTrue();
  }

  @Test
  void everyKey_isRead() throws IOException {
    Path secret = Files.writeString(dir.resolve("secret"), "s3cret\n");
    Path file =
        write(
            """
            server:
              host: 127.0.0.1
              port: 5555
            storage:
              path: /var/lib/stevedore
              max-size: 400MiB
              manifest-memory: 8MiB
              fill-timeout: 20m
            upstreams:
              - name: lab
                url: http://127.0.0.1:5001/
                aliases: [lab.example, registry.lab.example]
                default: true
                tag-freshness: 30s
                username: robot
                password-file: %s
                connect-timeout: 2s
                read-timeout: 1m
                allow: ["team/**", "library/*"]
                deny: ["team/secret"]
                ca-file: %s
                insecure: true
                proxy: http://proxy.corp.example:3128
                max-connections: 8
                negative-ttl: 10s
                stale-on-404: true
              - name: quay
                url: https://quay.io
                offline: true
            """
                .formatted(secret, secret));

    StevedoreConfig config = ConfigLoader.load(file, Map.of());

    assertThat(config.host()).isEqualTo("127.0.0.1");
    assertThat(config.port()).isEqualTo(5555);
    assertThat(config.storagePath()).isEqualTo(Path.of("/var/lib/stevedore"));
    assertThat(config.maxSize()).isEqualTo(400L * 1024 * 1024);
    assertThat(config.manifestMemory()).isEqualTo(8L * 1024 * 1024);
    assertThat(config.fillTimeout()).isEqualTo(Duration.ofMinutes(20));
    UpstreamConfig lab = config.upstreams().get(0);
    assertThat(lab.url()).isEqualTo(URI.create("http://127.0.0.1:5001"));
    assertThat(lab.aliases()).containsExactly("lab.example", "registry.lab.example");
    assertThat(lab.tagFreshness()).isEqualTo(Duration.ofSeconds(30));
    assertThat(lab.credentials().username()).isEqualTo("robot");
    assertThat(lab.credentials().password()).isEqualTo("s3cret");
    assertThat(lab.connectTimeout()).isEqualTo(Duration.ofSeconds(2));
    assertThat(lab.readTimeout()).isEqualTo(Duration.ofMinutes(1));
    assertThat(lab.allow()).containsExactly("team/**", "library/*");
    assertThat(lab.deny()).containsExactly("team/secret");
    assertThat(lab.caFile()).contains(secret);
    assertThat(lab.insecure()).isTrue();
    assertThat(lab.proxy()).contains(URI.create("http://proxy.corp.example:3128"));
    assertThat(lab.maxConnections()).isEqualTo(8);
    assertThat(lab.negativeTtl()).isEqualTo(Duration.ofSeconds(10));
    assertThat(lab.staleOn404()).isTrue();
    UpstreamConfig quay = config.upstreams().get(1);
    assertThat(quay.isDefault()).isFalse();
    assertThat(quay.offline()).isTrue();
    assertThat(quay.maxConnections()).isEqualTo(32);
    assertThat(quay.negativeTtl()).isEqualTo(Duration.ofSeconds(30));
    assertThat(quay.proxy()).isEmpty();
    assertThat(quay.staleOn404()).isFalse();
    assertThat(config.defaultUpstream()).contains(lab);
  }

  @Test
  void environment_overridesTheFile() throws IOException {
    Path file = write(minimal("5m"));

    StevedoreConfig config =
        ConfigLoader.load(
            file,
            Map.of(
                "SERVER_PORT", "6000",
                "STORAGE_MAX_dash_SIZE", "1GiB",
                "UPSTREAMS_0_TAG_dash_FRESHNESS", "1h",
                "UPSTREAMS_0_USERNAME", "robot",
                "UPSTREAMS_0_PASSWORD", "from-env",
                "PATH", "/usr/bin"));

    assertThat(config.port()).isEqualTo(6000);
    assertThat(config.maxSize()).isEqualTo(1L << 30);
    assertThat(config.upstreams().get(0).tagFreshness()).isEqualTo(Duration.ofHours(1));
    assertThat(config.upstreams().get(0).credentials().password()).isEqualTo("from-env");
  }

  static Stream<Arguments> badConfigs() {
    String upstream = "upstreams:\n  - name: a\n    url: http://127.0.0.1:1\n";
    return Stream.of(
        Arguments.of("server:\n  port: http\n" + upstream, "server.port"),
        Arguments.of("server:\n  port: 70000\n" + upstream, "server.port"),
        Arguments.of("storage:\n  max-size: lots\n" + upstream, "storage.max-size"),
        Arguments.of("upstreams:\n  - name: a\n    url: ftp://x\n", "upstreams[0].url"),
        Arguments.of("upstreams:\n  - url: http://x\n", "upstreams[0].name"),
        Arguments.of("upstreams:\n  - name: a\n    url: https://u:secret@x\n", "upstreams[0].url"),
        Arguments.of(upstream + "    tag-freshness: soon\n", "upstreams[0].tag-freshness"),
        Arguments.of(upstream + "    default: maybe\n", "upstreams[0].default"),
        Arguments.of(upstream + "    username: u\n", "upstreams[0].password"),
        Arguments.of(upstream + "    password: p\n", "upstreams[0].username"),
        Arguments.of(
            upstream + "    username: u\n    password-file: /nonexistent/x\n",
            "upstreams[0].password-file"),
        Arguments.of("server:\n  port: 5000\n", "upstreams"),
        Arguments.of(upstream + "    proxy: socks5://x:1\n", "upstreams[0].proxy"),
        Arguments.of(upstream + "    ca-file: /nonexistent/ca.pem\n", "upstreams[0].ca-file"),
        Arguments.of(upstream + "    max-connections: 0\n", "upstreams[0].max-connections"),
        Arguments.of("server: [unclosed\n", "stevedore.yaml"));
  }

  @ParameterizedTest
  @MethodSource("badConfigs")
  void badValue_failsNamingTheKey(String yaml, String key) throws IOException {
    assertRefusedNaming(write(yaml), key);
  }

  /** Loading {@code file} fails with a config error whose message names {@code key}. */
  static void assertRefusedNaming(Path file, String key) {
    assertThatThrownBy(() -> ConfigLoader.load(file, Map.of()))
        .isInstanceOf(ConfigLoader.ConfigException.class)
        .hasMessageContaining(key);
  }

  @Test
  void twoDefaults_areRejected() throws IOException {
    Path file =
        write(
            """
            upstreams:
              - name: a
                url: http://127.0.0.1:1
                default: true
              - name: b
                url: http://127.0.0.1:2
                default: true
            """);

    assertThatThrownBy(() -> ConfigLoader.load(file, Map.of()))
        .hasMessageContaining("upstreams[1].default")
        .hasMessageContaining("upstreams[0] (a) is the default already");
  }

  static Stream<Arguments> unknownKeys() {
    String upstream = "upstreams:\n  - name: a\n    url: http://127.0.0.1:1\n";
    return Stream.of(
        Arguments.of("mesh:\n  peers: [a, b]\n" + upstream, "mesh: unknown key", ""),
        Arguments.of(
            "server:\n  prot: 5000\n" + upstream, "server.prot: unknown key", "did you mean port?"),
        Arguments.of(
            "storage:\n  max_size: 1GiB\n" + upstream,
            "storage.max_size: unknown key",
            "did you mean max-size?"),
        Arguments.of(
            upstream + "  - name: b\n    url: http://127.0.0.1:2\n    tag-fresness: 1h\n",
            "upstreams[1].tag-fresness: unknown key",
            "did you mean tag-freshness?"),
        Arguments.of("server: 5000\n" + upstream, "server: expected a section with host, port", ""),
        Arguments.of(
            upstream + "    aliases:\n      host: x\n",
            "upstreams[0].aliases: expected a list",
            ""),
        Arguments.of(
            upstream + "    url:\n      - http://127.0.0.1:1\n",
            "upstreams[0].url: expected a single value",
            ""),
        Arguments.of("upstreams:\n  name: a\n", "upstreams: expected a list", ""));
  }

  @ParameterizedTest
  @MethodSource("unknownKeys")
  void unknownKeysAndWrongShapes_areRefused_namingTheKeyAndTheFile(
      String yaml, String message, String hint) throws IOException {
    Path file = write(yaml);

    assertThatThrownBy(() -> ConfigLoader.load(file, Map.of()))
        .isInstanceOf(ConfigLoader.ConfigException.class)
        .hasMessageStartingWith("bad config: " + file + ": ")
        .hasMessageContaining(message)
        .hasMessageContaining(hint);
  }

  @Test
  void aMisspelledEnvironmentOverride_isRefusedToo() throws IOException {
    Path file = write(minimal("5m"));

    assertThatThrownBy(() -> ConfigLoader.load(file, Map.of("UPSTREAMS_0_TAG_dash_FRESNESS", "1h")))
        .hasMessageContaining("upstreams[0].tag-fresness: unknown key")
        .hasMessageContaining("did you mean tag-freshness?");
  }

  @Test
  void anAliasOfTwoUpstreams_isRefused() throws IOException {
    Path file =
        write(
            """
            upstreams:
              - name: hub
                url: http://127.0.0.1:1
                aliases: [docker.io]
              - name: other
                url: http://127.0.0.1:2
                aliases: [quay.io, Docker.IO]
            """);

    assertThatThrownBy(() -> ConfigLoader.load(file, Map.of()))
        .hasMessageContaining("upstreams[1].aliases: Docker.IO is an alias of upstreams[0] (hub)");
  }

  @Test
  void missingFile_saysSo() {
    assertThatThrownBy(() -> ConfigLoader.load(dir.resolve("nope.yaml"), Map.of()))
        .hasMessageContaining("nope.yaml does not exist");
  }

  @Test
  void passwords_neverShowInTheConfigsText() throws IOException {
    Path file = write(minimal("5m") + "    username: robot\n    password: hunter2\n");

    StevedoreConfig config = ConfigLoader.load(file, Map.of());

    assertThat(config.toString()).doesNotContain("hunter2").contains("robot");
    assertThat(List.of(config.upstreams().get(0).credentials().password())).contains("hunter2");
  }

  private static String minimal(String freshness) {
    return """
        upstreams:
          - name: lab
            url: http://127.0.0.1:5001
            tag-freshness: %s
        """
        .formatted(freshness);
  }

  private Path write(String yaml) throws IOException {
    return Files.writeString(dir.resolve("stevedore.yaml"), yaml);
  }
}
