package io.stevedore.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.stevedore.testing.HtpasswdTool;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Client authentication with real clients: skopeo ({@code --creds}) and containerd ({@code ctr
 * --user} through hosts.toml) pull through two real mirrors of one real registry, one in token
 * mode, one in Basic mode, both with the rules {@code alice: team/**} and {@code bob: other/**}.
 * The registry's access log is the witness that a refused pull never reached it.
 *
 * <p>The refusals run before the permitted pulls (which fill the cache), and the log check last.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClientAuthIT {
  private static final String ALICE = "alice";
  private static final String BOB = "bob";
  // Characters that YAML, Basic auth and shells treat specially, so quoting mistakes show.
  private static final String ALICE_PASSWORD = "Al1ce:pw#\"x";
  private static final String BOB_PASSWORD = "B0b!pw$y";
  private static final String WRONG_PASSWORD = "Wr0ng#pw%z";

  private static final String TEAM_APP = "team/app:1.0";
  private static final String OTHER_APP = "other/app:1.0";
  private static final String LAB_HOST = "lab.example";
  private static final Pattern TOKEN = Pattern.compile("\"token\"\\s*:\\s*\"([^\"]+)\"");

  @RegisterExtension static final Lab lab = new Lab();
  private static RegistryProcess registry;
  private static StevedoreProcess tokenMirror;
  private static StevedoreProcess basicMirror;
  private static OciImage image;

  /** Tokens the token mirror issued in this class, none of which may show in its log. */
  private static final List<String> issued = new ArrayList<>();

  @BeforeAll
  static void startRegistryAndMirrors() throws IOException {
    image = OciImages.shared().small();
    registry = lab.registry();
    lab.push(image, TEAM_APP);
    lab.push(image, OTHER_APP);
    Path htpasswd = lab.path("htpasswd");
    Files.writeString(
        htpasswd,
        HtpasswdTool.bcryptEntry(ALICE, ALICE_PASSWORD)
            + "\n"
            + HtpasswdTool.bcryptEntry(BOB, BOB_PASSWORD)
            + "\n");
    tokenMirror = mirror("token", htpasswd);
    basicMirror = mirror("basic", htpasswd);
  }

  private static StevedoreProcess mirror(String mode, Path htpasswd) {
    String auth =
        """
        auth:
          mode: %s
          htpasswd-file: %s
          rules:
            - users: [alice]
              allow: ["team/**"]
            - users: [bob]
              allow: ["other/**"]
        """
            .formatted(mode, htpasswd.toAbsolutePath());
    return lab.mirror(
        "mirror-" + mode,
        config ->
            config
                .upstream(lab.upstream().aliases(LAB_HOST))
                .extraYaml(auth)
                // The version check is challenged: that is how clients learn to log in.
                .readyWhen(401));
  }

  // ---------------------------------------------------------------------- 1. refused pulls

  @Test
  @Order(10)
  void skopeo_anonymousOrWrongPassword_is401_andTheRegistrySeesNothing() {
    for (StevedoreProcess mirror : List.of(tokenMirror, basicMirror)) {
      RegistryProcess.Mark mark = registry.mark();

      ExecResult anonymous = inspect(mirror, TEAM_APP, null);
      ExecResult wrong = inspect(mirror, TEAM_APP, ALICE + ":" + WRONG_PASSWORD);

      for (ExecResult refused : List.of(anonymous, wrong)) {
        assertThat(refused.succeeded()).as(refused.describe("succeeded")).isFalse();
        assertThat(refused.stderr().toLowerCase()).contains("unauthorized");
      }
      assertThat(registry.requestsSince(mark)).as("registry requests").isEmpty();
    }
  }

  @Test
  @Order(11)
  void skopeo_aUserOutsideTheRule_isDenied_andTheRegistrySeesNothing() {
    for (StevedoreProcess mirror : List.of(tokenMirror, basicMirror)) {
      RegistryProcess.Mark mark = registry.mark();

      ExecResult denied = inspect(mirror, OTHER_APP, ALICE + ":" + ALICE_PASSWORD);

      assertThat(denied.succeeded()).as(denied.describe("succeeded")).isFalse();
      assertThat(denied.stderr()).contains("denied").contains("may not pull repository other/app");
      assertThat(registry.requestsSince(mark)).as("registry requests").isEmpty();
    }
  }

  @Test
  @Order(12)
  void containerd_withoutCredentials_orOutsideTheRule_isRefused_andTheRegistrySeesNothing() {
    Containerd containerd = lab.containerd();
    for (StevedoreProcess mirror : List.of(tokenMirror, basicMirror)) {
      Path hosts = hostsDir(mirror);
      RegistryProcess.Mark mark = registry.mark();

      ExecResult anonymous =
          containerd.tryPull(containerd.newNamespace(), hosts, LAB_HOST + "/" + TEAM_APP);
      ExecResult denied =
          containerd.tryPull(
              containerd.newNamespace(),
              hosts,
              LAB_HOST + "/" + OTHER_APP,
              "--user",
              ALICE + ":" + ALICE_PASSWORD);

      assertThat(anonymous.succeeded()).as(anonymous.describe("succeeded")).isFalse();
      assertThat(anonymous.stderr() + anonymous.stdout()).contains("401");
      assertThat(denied.succeeded()).as(denied.describe("succeeded")).isFalse();
      assertThat(denied.stderr() + denied.stdout()).contains("403");
      assertThat(registry.requestsSince(mark)).as("registry requests").isEmpty();
    }
  }

  // -------------------------------------------------------------------- 2. permitted pulls

  @Test
  @Order(20)
  void skopeo_aPermittedUser_pullsThroughBothMirrors() {
    Skopeo alice = lab.skopeo().withCredentials(ALICE, ALICE_PASSWORD);
    for (StevedoreProcess mirror : List.of(tokenMirror, basicMirror)) {
      String ref = mirror.hostPort() + "/" + TEAM_APP;
      Path dest = lab.path("skopeo-" + mirror.port());

      assertThat(alice.pullToOci(ref, dest)).isEqualTo(image.digest());
      ExecResult inspected = inspect(mirror, TEAM_APP, ALICE + ":" + ALICE_PASSWORD);
      assertThat(Skopeo.sha256(inspected.requireSuccess().stdoutBytes())).isEqualTo(image.digest());
    }
    // bob pulls what his rule allows.
    assertThat(inspect(tokenMirror, OTHER_APP, BOB + ":" + BOB_PASSWORD).succeeded()).isTrue();
  }

  @Test
  @Order(21)
  void containerd_aPermittedUser_pullsThroughBothMirrors() {
    Containerd containerd = lab.containerd();
    for (StevedoreProcess mirror : List.of(tokenMirror, basicMirror)) {
      Containerd.Pull pull =
          containerd.pull(
              hostsDir(mirror), LAB_HOST + "/" + TEAM_APP, "--user", ALICE + ":" + ALICE_PASSWORD);

      assertThat(pull.digest()).isEqualTo(image.digest());
      assertThat(containerd.content(pull.namespace())).containsAll(image.blobDigests());
    }
  }

  @Test
  @Order(22)
  void theTokenEndpoint_answersLikeARegistrysTokenServer() {
    HttpResponse<byte[]> response = token(ALICE + ":" + ALICE_PASSWORD);
    String body = new String(response.body(), StandardCharsets.UTF_8);
    String bearer = "Bearer " + tokenOf(body);

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(body).contains("\"access_token\"", "\"expires_in\":300", "\"issued_at\"");
    HttpResponse<byte[]> manifest =
        RegistryHttp.exchange(
            HttpRequest.newBuilder(tokenMirror.url().resolve("/v2/team/app/manifests/1.0"))
                .header("Accept", RegistryHttp.ACCEPT_ALL_MANIFESTS)
                .header("Authorization", bearer));
    assertThat(manifest.statusCode()).isEqualTo(200);
    assertThat(token(ALICE + ":" + WRONG_PASSWORD).statusCode()).isEqualTo(401);
  }

  // --------------------------------------------------------------------------- 3. the logs

  @Test
  @Order(30)
  void noPasswordNorToken_appearsInTheMirrorsLogs() throws IOException {
    for (StevedoreProcess mirror : List.of(tokenMirror, basicMirror)) {
      String log = Files.readString(mirror.logFile());

      assertThat(log).as("the log is there").contains("client authentication: ");
      assertThat(log).as("the access log shows the refusals").contains("\"status\":401");
      assertThat(log)
          .doesNotContain(ALICE_PASSWORD, BOB_PASSWORD, WRONG_PASSWORD)
          .doesNotContain(basic(ALICE + ":" + ALICE_PASSWORD), basic(BOB + ":" + BOB_PASSWORD));
      assertThat(issued).isNotEmpty();
      for (String token : issued) {
        assertThat(log).doesNotContain(token);
      }
    }
  }

  // ------------------------------------------------------------------------------- helpers

  /** {@code skopeo inspect --raw [--creds USER:PASSWORD]} of {@code repoTag} through a mirror. */
  private static ExecResult inspect(StevedoreProcess mirror, String repoTag, String creds) {
    List<String> args = new ArrayList<>(List.of("inspect", "--raw", "--tls-verify=false"));
    if (creds != null) {
      args.addAll(List.of("--creds", creds));
    }
    args.add("docker://" + mirror.hostPort() + "/" + repoTag);
    return lab.skopeo().tryRun(args);
  }

  /** A hosts.toml for {@code lab.example} that sends containerd to {@code mirror} only. */
  private static Path hostsDir(StevedoreProcess mirror) {
    Path hosts = lab.path("hosts-" + mirror.port());
    Containerd.writeHostsToml(hosts, LAB_HOST, FreePorts.closedUrl(), mirror.url());
    return hosts;
  }

  private static HttpResponse<byte[]> token(String creds) {
    HttpResponse<byte[]> response =
        RegistryHttp.exchange(
            HttpRequest.newBuilder(tokenMirror.url().resolve("/token?service=stevedore"))
                .header("Authorization", basic(creds)));
    Matcher m = TOKEN.matcher(new String(response.body(), StandardCharsets.UTF_8));
    if (m.find()) {
      issued.add(m.group(1));
    }
    return response;
  }

  private static String tokenOf(String body) {
    Matcher m = TOKEN.matcher(body);
    assertThat(m.find()).as(body).isTrue();
    return m.group(1);
  }

  private static String basic(String creds) {
    return "Basic " + Base64.getEncoder().encodeToString(creds.getBytes(StandardCharsets.UTF_8));
  }
}
