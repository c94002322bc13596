package io.stevedore.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stevedore.config.AccessRule;
import io.stevedore.config.AuthConfig;
import io.stevedore.config.AuthMode;
import io.stevedore.oci.ErrorCode;
import io.stevedore.oci.RegistryException;
import io.stevedore.oci.RepositoryName;
import io.stevedore.testing.HtpasswdTool;
import io.stevedore.testing.MutableClock;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClientAuthTest {
  private static final String PASSWORD = "alice-pw";
  private static final RepositoryName APP = RepositoryName.parse("team/app");

  @TempDir Path dir;
  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-27T12:00:00Z"));
  private Path htpasswd;

  @BeforeEach
  void writeUsers() throws IOException {
    htpasswd =
        Files.writeString(
            dir.resolve("htpasswd"), HtpasswdTool.bcryptEntry("alice", PASSWORD) + "\n");
  }

  private ClientAuth auth(AuthMode mode, List<AccessRule> rules, Path keyFile) {
    return ClientAuth.create(
        new AuthConfig(
            mode,
            Optional.of(htpasswd),
            Duration.ofMinutes(5),
            Optional.ofNullable(keyFile),
            Optional.empty(),
            rules),
        clock);
  }

  private static Optional<String> basic(String user, String password) {
    return Optional.of(
        "Basic "
            + Base64.getEncoder()
                .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void off_grantsEverything_andNamesNobody() {
    assertThat(ClientAuth.create(AuthConfig.OFF, clock)).isSameAs(ClientAuth.OFF);
    assertThat(ClientAuth.OFF.authenticate(Optional.of("Basic garbage"))).isEmpty();
    assertThat(ClientAuth.OFF.access(Optional.empty(), "lab", APP)).isEqualTo(Access.GRANTED);
  }

  @Test
  void basic_rightPassword_namesTheUser_wrongOrMalformed_is401() {
    ClientAuth auth = auth(AuthMode.BASIC, List.of(), null);

    assertThat(auth.authenticate(basic("alice", PASSWORD))).contains(new Client("alice"));
    assertThat(auth.authenticate(Optional.empty())).isEmpty();
    // What containers/image sends when it has no credentials for a Basic challenge.
    assertThat(auth.authenticate(basic("", ""))).isEmpty();
    for (Optional<String> wrong :
        List.of(
            basic("alice", "nope"),
            basic("mallory", PASSWORD),
            basic("alice", ""),
            Optional.of("Basic !!!"),
            Optional.of("Basic " + Base64.getEncoder().encodeToString("no-colon".getBytes())),
            Optional.of("Bearer " + "x.y.z"),
            Optional.of("Digest username=alice"))) {
      assertThatThrownBy(() -> auth.authenticate(wrong))
          .as(wrong.get())
          .isInstanceOfSatisfying(
              RegistryException.class,
              e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.UNAUTHORIZED);
                assertThat(e.status()).isEqualTo(401);
                assertThat(e.getMessage()).doesNotContain(PASSWORD, "nope");
              });
    }
  }

  @Test
  void token_issuedForBasic_isAcceptedAsBearer_untilItExpires() {
    ClientAuth auth = auth(AuthMode.TOKEN, List.of(), null);

    IssuedToken issued = auth.issueToken(basic("alice", PASSWORD));
    Optional<String> bearer = Optional.of("Bearer " + issued.token());

    assertThat(auth.authenticate(bearer)).contains(new Client("alice"));
    assertThat(auth.authenticate(basic("alice", PASSWORD))).contains(new Client("alice"));
    clock.advance(Duration.ofMinutes(5));
    assertThatThrownBy(() -> auth.authenticate(bearer)).hasMessageContaining("invalid or expired");
    assertThatThrownBy(() -> auth.issueToken(basic("alice", "nope")))
        .hasMessageContaining("wrong user name or password");
  }

  @Test
  void token_forNoCredentials_onlyWhereAnonymousMayPull() {
    AccessRule anonymousPublic =
        new AccessRule(List.of(), true, List.of(), List.of("public/*"), List.of());
    ClientAuth closed = auth(AuthMode.TOKEN, List.of(), null);
    ClientAuth open = auth(AuthMode.TOKEN, List.of(anonymousPublic), null);

    assertThatThrownBy(() -> closed.issueToken(Optional.empty()))
        .hasMessageContaining("credentials are required");
    String token = open.issueToken(Optional.empty()).token();
    assertThat(open.authenticate(Optional.of("Bearer " + token))).contains(Client.ANONYMOUS);
  }

  @Test
  void access_grantsByRule_challengesAnonymous_deniesUsers() {
    ClientAuth auth =
        auth(
            AuthMode.TOKEN,
            List.of(
                new AccessRule(List.of("alice"), false, List.of(), List.of("team/**"), List.of()),
                new AccessRule(List.of(), true, List.of(), List.of("public/*"), List.of())),
            null);
    Optional<Client> alice = Optional.of(new Client("alice"));
    RepositoryName other = RepositoryName.parse("other/app");
    RepositoryName open = RepositoryName.parse("public/app");

    assertThat(auth.access(alice, "lab", APP)).isEqualTo(Access.GRANTED);
    assertThat(auth.access(alice, "lab", other)).isEqualTo(Access.DENIED);
    assertThat(auth.access(Optional.empty(), "lab", open)).isEqualTo(Access.GRANTED);
    assertThat(auth.access(Optional.empty(), "lab", APP)).isEqualTo(Access.CHALLENGE);
    assertThat(auth.access(Optional.of(Client.ANONYMOUS), "lab", APP)).isEqualTo(Access.CHALLENGE);
  }

  @Test
  void aTokenKeyFile_keepsTokensValidAcrossARestart() throws IOException {
    byte[] key = new byte[32];
    new java.security.SecureRandom().nextBytes(key);
    Path keyFile = Files.write(dir.resolve("token.key"), key);
    String token =
        auth(AuthMode.TOKEN, List.of(), keyFile).issueToken(basic("alice", PASSWORD)).token();

    ClientAuth restarted = auth(AuthMode.TOKEN, List.of(), keyFile);
    ClientAuth randomKey = auth(AuthMode.TOKEN, List.of(), null);

    assertThat(restarted.authenticate(Optional.of("Bearer " + token)))
        .contains(new Client("alice"));
    assertThatThrownBy(() -> randomKey.authenticate(Optional.of("Bearer " + token)))
        .hasMessageContaining("invalid or expired");
  }

  @Test
  void aShortKeyFile_orABadHtpasswdFile_stopTheStart_namingTheKey() throws IOException {
    Path shortKey = Files.writeString(dir.resolve("short.key"), "too short");
    assertThatThrownBy(() -> auth(AuthMode.TOKEN, List.of(), shortKey))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("auth.token-key-file: ")
        .hasMessageContaining("holds 9 bytes, at least 32");

    Files.writeString(htpasswd, "alice:{SHA}EfatjsUqKYSrqv18O1FlA3hcIHI=\n");
    assertThatThrownBy(() -> auth(AuthMode.BASIC, List.of(), null))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("auth.htpasswd-file: " + htpasswd + " line 1 (user alice)")
        .message()
        .doesNotContain("EfatjsUqKYSrqv18O1FlA3hcIHI");
  }
}
