package io.stevedore.app;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.stevedore.config.AccessLogConfig;
import io.stevedore.config.AccessRule;
import io.stevedore.config.AdminConfig;
import io.stevedore.config.AuthConfig;
import io.stevedore.config.AuthMode;
import io.stevedore.config.UpstreamConfig;
import io.stevedore.oci.Digest;
import io.stevedore.oci.Json;
import io.stevedore.oci.MediaType;
import io.stevedore.testing.HtpasswdTool;
import io.stevedore.testing.MirrorClient;
import io.stevedore.testing.MutableClock;
import io.stevedore.testing.TestMirrors;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Client authentication over HTTP, with a WireMock registry behind two upstreams ({@code lab}, the
 * default, and {@code hub}, alias {@code hub.example}): the challenges clients follow, the token
 * flow, Basic, and that a refused request costs the upstream nothing.
 */
class ClientAuthHttpTest {
  private static final String ALICE_PASSWORD = "alice:pw#1";
  private static final String BOB_PASSWORD = "bob-pw";
  private static final String WRONG_PASSWORD = "Wr0ng#pw";
  private static final byte[] MANIFEST =
      ("{\"schemaVersion\":2,\"mediaType\":\"" + MediaType.OCI_MANIFEST + "\",\"layers\":[]}")
          .getBytes(StandardCharsets.UTF_8);
  private static final List<AccessRule> RULES =
      List.of(
          // alice: team/** on lab only.
          new AccessRule(List.of("alice"), false, List.of("lab"), List.of("team/**"), List.of()),
          // bob: other/** anywhere.
          new AccessRule(List.of("bob"), false, List.of(), List.of("other/**"), List.of()),
          // anyone, also without credentials: public/*.
          new AccessRule(List.of("*"), true, List.of(), List.of("public/*"), List.of()));

  @TempDir Path dir;

  private final WireMockServer registry =
      new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-27T12:00:00Z"));
  private final LogRecords logs = new LogRecords();
  private final List<String> issuedTokens = new ArrayList<>();
  private Stevedore mirror;
  private MirrorClient client;

  @BeforeEach
  void startRegistry() {
    registry.start();
    registry.stubFor(
        get(urlPathMatching("/v2/.+/manifests/1.0"))
            .willReturn(
                aResponse()
                    .withHeader("Content-Type", MediaType.OCI_MANIFEST)
                    .withHeader("Docker-Content-Digest", Digest.sha256(MANIFEST).toString())
                    .withBody(MANIFEST)));
  }

  @AfterEach
  void stop() throws IOException {
    try {
      if (mirror != null) {
        mirror.close(); // writes the access log's last lines
      }
      // No password, and no token this test was given, shows in anything the mirror logged.
      String logged = logs.text();
      String accessLog = Files.exists(accessLogFile()) ? Files.readString(accessLogFile()) : "";
      assertThat(logged).as("the capture works").contains("client authentication: ");
      for (String log : List.of(logged, accessLog)) {
        assertThat(log)
            .doesNotContain(
                ALICE_PASSWORD, BOB_PASSWORD, WRONG_PASSWORD, basic("alice", ALICE_PASSWORD));
        for (String token : issuedTokens) {
          assertThat(log).doesNotContain(token);
        }
      }
    } finally {
      logs.close();
      registry.stop();
    }
  }

  private Path accessLogFile() {
    return dir.resolve("access.log");
  }

  private void startMirror(AuthMode mode) throws IOException {
    Path htpasswd =
        Files.writeString(
            dir.resolve("htpasswd"),
            HtpasswdTool.bcryptEntry("alice", ALICE_PASSWORD)
                + "\n"
                + HtpasswdTool.bcryptEntry("bob", BOB_PASSWORD)
                + "\n");
    URI url = URI.create("http://127.0.0.1:" + registry.port());
    mirror =
        TestMirrors.start(
            dir,
            clock,
            List.of(
                UpstreamConfig.builder("lab", url).isDefault(true).build(),
                UpstreamConfig.builder("hub", url)
                    .aliases(List.of("hub.example"))
                    .isDefault(false)
                    .build()),
            AdminConfig.LOOPBACK_ANY_PORT,
            new AccessLogConfig(true, Optional.of(accessLogFile())),
            new AuthConfig(
                mode,
                Optional.of(htpasswd),
                Duration.ofMinutes(5),
                Optional.empty(),
                Optional.empty(),
                RULES));
    client = new MirrorClient(mirror.port());
  }

  // ------------------------------------------------------------------------------ token mode

  @Test
  void token_versionCheckWithoutCredentials_isChallengedWithTheTokenRealm() throws Exception {
    startMirror(AuthMode.TOKEN);

    HttpResponse<String> ping = client.send("GET", "/v2/");

    assertUnauthorized(ping);
    assertThat(ping.headers().firstValue("WWW-Authenticate"))
        .contains(
            "Bearer realm=\"http://127.0.0.1:" + mirror.port() + "/token\",service=\"stevedore\"");
    assertThat(ping.headers().firstValue("Docker-Distribution-API-Version"))
        .contains("registry/2.0");
  }

  @Test
  void token_anonymousPull_isChallengedWithTheScope_andTheUpstreamSeesNothing() throws Exception {
    startMirror(AuthMode.TOKEN);

    HttpResponse<String> manifest = client.send("GET", "/v2/team/app/manifests/1.0");
    HttpResponse<String> token = client.send("GET", "/token?service=stevedore");

    assertUnauthorized(manifest);
    assertThat(manifest.headers().firstValue("WWW-Authenticate").orElseThrow())
        .contains("scope=\"repository:team/app:pull\"", "error=\"insufficient_scope\"");
    // Anonymous clients may pull public/*, so they get a token, which still is not enough here.
    assertThat(token.statusCode()).isEqualTo(200);
    String anonymous = tokenOf(token);
    assertUnauthorized(client.send("GET", "/v2/team/app/manifests/1.0", "Bearer " + anonymous));
    assertThat(registry.findAll(anyRequestedFor(anyUrl()))).isEmpty();
  }

  @Test
  void token_flow_basicForAToken_thenTheTokenPulls() throws Exception {
    startMirror(AuthMode.TOKEN);

    HttpResponse<String> issued =
        client.send(
            "GET",
            "/token?service=stevedore&scope=repository:team/app:pull",
            basic("alice", ALICE_PASSWORD));

    assertThat(issued.statusCode()).isEqualTo(200);
    assertThat(issued.headers().firstValue("Content-Type")).contains("application/json");
    assertThat(issued.headers().firstValue("Cache-Control")).contains("no-store");
    Map<?, ?> body = (Map<?, ?>) Json.parse(issued.body());
    assertThat(body.get("access_token")).isEqualTo(body.get("token"));
    assertThat(body.get("expires_in")).isEqualTo(300L);
    assertThat(body.get("issued_at")).isEqualTo("2026-11-27T12:00:00Z");
    String bearer = "Bearer " + tokenOf(issued);
    assertThat(client.send("GET", "/v2/", bearer).statusCode()).isEqualTo(200);
    HttpResponse<String> manifest = client.send("GET", "/v2/team/app/manifests/1.0", bearer);
    assertThat(manifest.statusCode()).isEqualTo(200);
    assertThat(manifest.body().getBytes(StandardCharsets.UTF_8)).isEqualTo(MANIFEST);

    clock.advance(Duration.ofMinutes(5));
    HttpResponse<String> expired = client.send("GET", "/v2/team/app/manifests/1.0", bearer);
    assertUnauthorized(expired);
    assertThat(expired.headers().firstValue("WWW-Authenticate").orElseThrow())
        .contains("error=\"invalid_token\"");
  }

  @Test
  void token_wrongPassword_is401_forTheTokenAndForBasicOnTheApi() throws Exception {
    startMirror(AuthMode.TOKEN);

    HttpResponse<String> token = client.send("GET", "/token", basic("alice", WRONG_PASSWORD));
    HttpResponse<String> manifest =
        client.send("GET", "/v2/team/app/manifests/1.0", basic("alice", WRONG_PASSWORD));

    assertUnauthorized(token);
    assertThat(token.headers().firstValue("WWW-Authenticate"))
        .contains("Basic realm=\"stevedore\"");
    assertThat(token.body()).doesNotContain(WRONG_PASSWORD);
    assertUnauthorized(manifest);
    assertThat(registry.findAll(anyRequestedFor(anyUrl()))).isEmpty();
  }

  @Test
  void token_aUserOutsideTheRules_is403Denied_andTheUpstreamSeesNothing() throws Exception {
    startMirror(AuthMode.TOKEN);
    String bob = "Bearer " + tokenOf(client.send("GET", "/token", basic("bob", BOB_PASSWORD)));
    String alice =
        "Bearer " + tokenOf(client.send("GET", "/token", basic("alice", ALICE_PASSWORD)));
    String blob = "/blobs/" + Digest.sha256(new byte[] {1});

    List<HttpResponse<String>> refused =
        List.of(
            client.send("GET", "/v2/team/app/manifests/1.0", bob),
            client.send("HEAD", "/v2/team/app/manifests/1.0", bob),
            client.send("GET", "/v2/team/app" + blob, bob),
            client.send("GET", "/v2/team/app/tags/list", bob),
            // alice may pull team/** of lab, not of hub: the routed upstream decides.
            client.send("GET", "/v2/team/app/manifests/1.0?ns=hub.example", alice),
            client.send("GET", "/v2/hub.example/team/app/manifests/1.0", alice));

    for (HttpResponse<String> response : refused) {
      assertThat(response.statusCode()).as(response.request().uri().toString()).isEqualTo(403);
      if (!response.request().method().equals("HEAD")) {
        assertThat(response.body()).contains("\"code\":\"DENIED\"");
      }
    }
    assertThat(refused.getFirst().body()).contains("user bob may not pull repository team/app");
    assertThat(registry.findAll(anyRequestedFor(anyUrl()))).isEmpty();
    assertThat(client.send("GET", "/v2/other/app/manifests/1.0", bob).statusCode()).isEqualTo(200);
  }

  @Test
  void token_anonymousRule_letsClientsWithoutCredentialsPull() throws Exception {
    startMirror(AuthMode.TOKEN);

    // containerd skips the version check and asks first without credentials.
    assertThat(client.send("GET", "/v2/public/app/manifests/1.0").statusCode()).isEqualTo(200);
    String anonymous = "Bearer " + tokenOf(client.send("GET", "/token"));
    assertThat(client.send("GET", "/v2/", anonymous).statusCode()).isEqualTo(200);
    assertThat(client.send("GET", "/v2/public/app/manifests/1.0", anonymous).statusCode())
        .isEqualTo(200);
  }

  @Test
  void token_onlyTheRegistryApiIsGuarded_refusalsAreInTheAccessLog() throws Exception {
    startMirror(AuthMode.TOKEN);

    assertThat(client.send("GET", "/healthz").statusCode()).isEqualTo(200);
    assertThat(client.send("GET", "/readyz").statusCode()).isEqualTo(200);
    assertThat(client.send("GET", "/metrics").statusCode()).isEqualTo(200);
    client.send("GET", "/v2/team/app/manifests/1.0", basic("alice", WRONG_PASSWORD));
    client.send("GET", "/v2/team/app/manifests/1.0", basic("bob", BOB_PASSWORD));
    mirror.close();
    mirror = null;

    assertThat(Files.readString(accessLogFile()))
        .contains("\"path\":\"/v2/team/app/manifests/1.0\"")
        .contains("\"status\":401")
        .contains("\"status\":403");
  }

  // ------------------------------------------------------------------------------ basic mode

  @Test
  void basic_challengesWithBasic_acceptsRightPasswords_refusesWrongOnes() throws Exception {
    startMirror(AuthMode.BASIC);
    String alice = basic("alice", ALICE_PASSWORD);

    HttpResponse<String> ping = client.send("GET", "/v2/");
    assertUnauthorized(ping);
    assertThat(ping.headers().firstValue("WWW-Authenticate")).contains("Basic realm=\"stevedore\"");
    assertThat(client.send("GET", "/v2/", alice).statusCode()).isEqualTo(200);
    assertUnauthorized(client.send("GET", "/v2/", basic("alice", WRONG_PASSWORD)));
    assertUnauthorized(client.send("GET", "/v2/team/app/manifests/1.0"));
    assertUnauthorized(
        client.send("GET", "/v2/team/app/manifests/1.0", basic("bob", WRONG_PASSWORD)));
    assertThat(registry.findAll(anyRequestedFor(anyUrl()))).isEmpty();

    assertThat(client.send("GET", "/v2/team/app/manifests/1.0", alice).statusCode()).isEqualTo(200);
    assertThat(
            client
                .send("GET", "/v2/team/app/manifests/1.0", basic("bob", BOB_PASSWORD))
                .statusCode())
        .isEqualTo(403);
    // No token endpoint without the token flow.
    assertThat(client.send("GET", "/token", alice).statusCode()).isEqualTo(404);
  }

  // -------------------------------------------------------------------------------- helpers

  private static void assertUnauthorized(HttpResponse<String> response) {
    assertThat(response.statusCode()).as(response.request().uri().toString()).isEqualTo(401);
    assertThat(response.headers().firstValue("WWW-Authenticate")).isPresent();
    assertThat(response.body()).contains("\"code\":\"UNAUTHORIZED\"");
  }

  private String tokenOf(HttpResponse<String> response) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    String token = (String) ((Map<?, ?>) Json.parse(response.body())).get("token");
    issuedTokens.add(token);
    return token;
  }

  private static String basic(String user, String password) {
    return "Basic "
        + Base64.getEncoder()
            .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  /** Everything logged in this JVM while a test runs, formatted as the console shows it. */
  private static final class LogRecords extends Handler implements AutoCloseable {
    private final Logger root = Logger.getLogger("");
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final SimpleFormatter formatter = new SimpleFormatter();

    LogRecords() {
      setLevel(Level.ALL);
      root.addHandler(this);
    }

    String text() {
      return String.join("\n", lines);
    }

    @Override
    public void publish(LogRecord record) {
      lines.add(formatter.format(record));
    }

    @Override
    public void flush() {}

    @Override
    public void close() {
      root.removeHandler(this);
    }
  }
}
