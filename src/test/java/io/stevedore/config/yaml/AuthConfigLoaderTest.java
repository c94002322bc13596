package io.stevedore.config.yaml;

import static org.assertj.core.api.Assertions.assertThat;

import io.stevedore.config.AccessRule;
import io.stevedore.config.AuthConfig;
import io.stevedore.config.AuthMode;
import io.stevedore.config.StevedoreConfig;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The {@code auth:} section: client authentication and access rules. */
class AuthConfigLoaderTest {
  private static final String UPSTREAMS =
      """
      upstreams:
        - name: lab
          url: http://127.0.0.1:5001
        - name: hub
          url: http://127.0.0.1:5002
          default: false
      """;

  @TempDir Path dir;
  private Path htpasswd;

  @BeforeEach
  void writeFiles() throws IOException {
    htpasswd = Files.writeString(dir.resolve("htpasswd"), "");
  }

  @Test
  void withoutAuth_clientsAreNotAuthenticated() throws IOException {
    assertThat(load(UPSTREAMS).auth()).isEqualTo(AuthConfig.OFF);
    assertThat(ConfigLoader.load(Path.of("conf/stevedore.yaml"), Map.of()).auth().mode())
        .isEqualTo(AuthMode.NONE);
  }

  @Test
  void everyKey_isRead() throws IOException {
    Path key = Files.writeString(dir.resolve("token.key"), "k".repeat(32));

    AuthConfig auth =
        load(UPSTREAMS
                + """
                    auth:
                      mode: token
                      htpasswd-file: %s
                      token-ttl: 90s
                      token-key-file: %s
                      token-realm: https://mirror.example/token
                      rules:
                        - users: [alice, bob]
                          upstreams: [lab]
                          allow: ["team/**"]
                          deny: ["team/secret"]
                        - anonymous: true
                          allow: ["public/*"]
                    """
                    .formatted(htpasswd, key))
            .auth();

    assertThat(auth.mode()).isEqualTo(AuthMode.TOKEN);
    assertThat(auth.htpasswdFile()).contains(htpasswd);
    assertThat(auth.tokenTtl()).isEqualTo(Duration.ofSeconds(90));
    assertThat(auth.tokenKeyFile()).contains(key);
    assertThat(auth.tokenRealm()).contains(URI.create("https://mirror.example/token"));
    assertThat(auth.rules())
        .containsExactly(
            new AccessRule(
                List.of("alice", "bob"),
                false,
                List.of("lab"),
                List.of("team/**"),
                List.of("team/secret")),
            new AccessRule(List.of(), true, List.of(), List.of("public/*"), List.of()));
  }

  @Test
  void configCheck_showsTheAuthSection_asItLoadsAgain() throws IOException {
    StevedoreConfig config =
        load(
            UPSTREAMS
                + """
                auth:
                  mode: basic
                  htpasswd-file: %s
                  rules:
                    - users: ["*"]
                      upstreams: [hub]
                      allow: ["library/*"]
                    - anonymous: true
                      deny: ["secret/**"]
                """
                    .formatted(htpasswd));

    String effective = EffectiveConfig.yaml(config);

    assertThat(effective).contains("auth:\n  mode: basic\n", "token-ttl: 5m");
    assertThat(load(effective).auth()).isEqualTo(config.auth());
  }

  @Test
  void defaults_tokenTtlFiveMinutes_noKeyFile_realmFromTheRequest() throws IOException {
    AuthConfig auth =
        load(UPSTREAMS + "auth:\n  mode: basic\n  htpasswd-file: " + htpasswd + "\n").auth();

    assertThat(auth.mode()).isEqualTo(AuthMode.BASIC);
    assertThat(auth.tokenTtl()).isEqualTo(Duration.ofMinutes(5));
    assertThat(auth.tokenKeyFile()).isEmpty();
    assertThat(auth.tokenRealm()).isEmpty();
    assertThat(auth.rules()).isEmpty();
  }

  @Test
  void theEnvironment_setsAuthKeys() throws IOException {
    Path file = write(UPSTREAMS);

    StevedoreConfig config =
        ConfigLoader.load(
            file, Map.of("AUTH_MODE", "basic", "AUTH_HTPASSWD_dash_FILE", htpasswd.toString()));

    assertThat(config.auth().mode()).isEqualTo(AuthMode.BASIC);
    assertThat(config.auth().htpasswdFile()).isEqualTo(Optional.of(htpasswd));
  }

  static Stream<Arguments> badConfigs() {
    String auth = "auth:\n  mode: token\n  htpasswd-file: %s\n";
    return Stream.of(
        Arguments.of("auth:\n  mode: ldap\n", "auth.mode"),
        Arguments.of("auth:\n  mode: basic\n", "auth.htpasswd-file: required with mode basic"),
        Arguments.of("auth:\n  mode: token\n  htpasswd-file: /nonexistent\n", "auth.htpasswd-file"),
        Arguments.of(auth + "  token-ttl: 0s\n", "auth.token-ttl"),
        Arguments.of(auth + "  token-ttl: soon\n", "auth.token-ttl"),
        Arguments.of(auth + "  token-key-file: /nonexistent\n", "auth.token-key-file"),
        Arguments.of(auth + "  token-realm: ftp://x/token\n", "auth.token-realm"),
        Arguments.of(auth + "  rules:\n    - allow: [\"a/*\"]\n", "auth.rules[0].users"),
        Arguments.of(
            auth + "  rules:\n    - users: [a]\n    - anonymous: maybe\n",
            "auth.rules[1].anonymous"),
        Arguments.of(
            auth + "  rules:\n    - users: [a]\n      deny: [\"\"]\n", "auth.rules[0].deny"),
        Arguments.of(
            auth + "  rules:\n    - users: [a]\n      upstreams: [lab, quay]\n",
            "auth.rules[0].upstreams: no upstream is named quay"));
  }

  @ParameterizedTest
  @MethodSource("badConfigs")
  void badValue_failsNamingTheKey(String yaml, String key) throws IOException {
    ConfigLoaderTest.assertRefusedNaming(write(UPSTREAMS + yaml.formatted(htpasswd)), key);
  }

  private StevedoreConfig load(String yaml) throws IOException {
    return ConfigLoader.load(write(yaml), Map.of());
  }

  private Path write(String yaml) throws IOException {
    return Files.writeString(dir.resolve("stevedore.yaml"), yaml);
  }
}
