package io.stevedore.e2e;

import static io.stevedore.e2e.RegistryHttp.ACCEPT_ALL_MANIFESTS;
import static io.stevedore.e2e.RegistryHttp.assertError;
import static io.stevedore.e2e.RegistryHttp.describe;
import static io.stevedore.e2e.RegistryHttp.header;
import static io.stevedore.e2e.RegistryHttp.send;
import static org.assertj.core.api.Assertions.assertThat;

import io.stevedore.e2e.Skopeo.CopyOption;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * One mirror in front of two real registries: {@code plain} (anonymous, the default, alias {@code
 * plain.example}) and {@code locked} (htpasswd Basic auth, alias {@code locked.example}). Each
 * registry's access log shows what the mirror asked it, so routing mistakes (a request for one
 * registry's image reaching the other) and authentication are visible from outside.
 *
 * <p>The locked registry is configured three times, once per way of giving a password: {@code
 * locked} gets it from the environment ({@code UPSTREAMS_1_PASSWORD}), {@code locked-file} from a
 * {@code password-file}, and {@code wrong} has a wrong {@code password} in the config file. No
 * password may ever show in the mirror's log or in a response.
 *
 * <p>Registries, images, containerd and the mirror serve the whole class; the tests build on each
 * other (the first pulls fill the cache that the upstream-down pull needs), hence the fixed order.
 * The credentials check reads the mirror's log after everything else ran, so it is last.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MultiUpstreamIT {
  private static final String USER = "e2e-team";
  // Characters that YAML, Basic auth and shells treat specially, so quoting mistakes show.
  private static final String PASSWORD = "Locked#Pw!7e2e\"q";
  private static final String WRONG_PASSWORD = "Wrong#Pw?9e2e";

  private static final String PLAIN_HOST = "plain.example";
  private static final String LOCKED_HOST = "locked.example";
  private static final String LOCKED_FILE_HOST = "locked-file.example";
  private static final String WRONG_HOST = "wrong.example";

  private static final String APP = "e2e/app";
  private static final String APP_TAG = "1.0";
  private static final String TOOL = "team/tool";
  private static final String TOOL_TAG = "2.0";

  @RegisterExtension static final Lab lab = new Lab();
  private static RegistryProcess plain;
  private static RegistryProcess locked;
  private static StevedoreProcess mirror;
  private static Containerd containerd;
  private static Path hostsDir;
  private static OciImage app;
  private static OciImage tool;

  /** Every response body (and its headers) the mirror sent, for the credentials check. */
  private static final Map<String, String> responses = new LinkedHashMap<>();

  @BeforeAll
  static void startRegistriesPushImagesStartMirror() throws IOException {
    OciImages images = OciImages.shared();
    app = images.small();
    tool = images.multiArch();
    plain = lab.registry();
    locked = lab.registry("locked", USER, PASSWORD);
    lab.push(app, APP + ":" + APP_TAG);
    lab.push(locked, tool, TOOL + ":" + TOOL_TAG, CopyOption.ALL);
    // Without credentials the locked registry refuses, so the mirror's 200s later are its own.
    assertThat(Daemons.status(locked.url().resolve("/v2/" + TOOL + "/manifests/" + TOOL_TAG)))
        .isEqualTo(401);

    Path passwordFile = lab.path("secrets").resolve("locked-password");
    Files.createDirectories(passwordFile.getParent());
    Files.writeString(passwordFile, PASSWORD + "\n");
    mirror =
        lab.mirror(
            "stevedore",
            config ->
                config
                    .upstream(
                        MirrorUpstream.of("plain", plain.url()).aliases(PLAIN_HOST).asDefault())
                    // Index 1: UPSTREAMS_1_PASSWORD below is its password; the file names none.
                    .upstream(
                        MirrorUpstream.of("locked", locked.url())
                            .aliases(LOCKED_HOST)
                            .usernameOnly(USER))
                    .upstream(
                        MirrorUpstream.of("locked-file", locked.url())
                            .aliases(LOCKED_FILE_HOST)
                            .credentialsFromFile(USER, passwordFile))
                    .upstream(
                        MirrorUpstream.of("wrong", locked.url())
                            .aliases(WRONG_HOST)
                            .credentials(USER, WRONG_PASSWORD))
                    .env("UPSTREAMS_1_PASSWORD", PASSWORD));
    assertThat(Files.readString(mirror.configFile()))
        .as("the config file leaves the locked upstream's password to the environment")
        .doesNotContain(PASSWORD);

    // One hosts.toml per made-up registry host, both to the mirror.
    lab.hostsDir(PLAIN_HOST, mirror.url());
    hostsDir = lab.hostsDir(LOCKED_HOST, mirror.url());
    containerd = lab.containerd();
  }

  // ------------------------------------------------------------- 1. containerd, two registries

  @Test
  @Order(10)
  void containerdPullsFromBothRegistriesEachSeesOnlyItsOwnImage() {
    RegistryProcess.Mark plainMark = plain.mark();
    RegistryProcess.Mark lockedMark = locked.mark();

    Containerd.Pull appPull = containerd.pull(hostsDir, PLAIN_HOST + "/" + APP + ":" + APP_TAG);
    Containerd.Pull toolPull = containerd.pull(hostsDir, LOCKED_HOST + "/" + TOOL + ":" + TOOL_TAG);
    assertThat(appPull.digest()).as("digest of the plain image").isEqualTo(app.digest());
    assertThat(toolPull.digest()).as("digest of the locked image").isEqualTo(tool.digest());
    OciImage.Manifest toolAmd64 = tool.manifest("linux/amd64");
    assertThat(containerd.content(toolPull.namespace()))
        .as("content containerd holds for the locked image")
        .contains(tool.digest(), toolAmd64.manifest().digest(), toolAmd64.config().digest())
        .containsAll(layers(toolAmd64));

    List<AccessLogEntry> plainSaw = plain.requestsSince(plainMark);
    List<AccessLogEntry> lockedSaw = locked.requestsSince(lockedMark);
    // No cross-routing: each registry was asked about its own repository only.
    assertThat(plainSaw)
        .as("requests the plain registry saw")
        .isNotEmpty()
        .allSatisfy(e -> assertThat(e.path()).as("%s", e).startsWith("/v2/" + APP + "/"));
    assertThat(lockedSaw)
        .as("requests the locked registry saw")
        .isNotEmpty()
        .allSatisfy(e -> assertThat(e.path()).as("%s", e).startsWith("/v2/" + TOOL + "/"));
    // Everything the plain image needs came from the plain registry.
    assertThat(plainSaw)
        .filteredOn(e -> e.matches("GET", "/v2/" + APP + "/manifests/" + Pattern.quote(APP_TAG)))
        .extracting(AccessLogEntry::status)
        .containsExactly(200);
    for (String blob : app.blobDigests()) {
      assertThat(plainSaw)
          .as("GETs of %s at the plain registry", blob)
          .filteredOn(e -> e.matches("GET", "/v2/" + APP + "/blobs/" + Pattern.quote(blob)))
          .extracting(AccessLogEntry::status)
          .containsExactly(200);
    }

    // The locked registry served the mirror, authenticated: a 200 for the tag, the platform
    // manifest, its config and layers. docker-registry answers the first, anonymous try with 401;
    // after that the mirror sends its credentials up front, so there is one 401 at most.
    List<String> lockedPaths = new ArrayList<>();
    lockedPaths.add("/v2/" + TOOL + "/manifests/" + TOOL_TAG);
    lockedPaths.add("/v2/" + TOOL + "/manifests/" + toolAmd64.manifest().digest());
    lockedPaths.add("/v2/" + TOOL + "/blobs/" + toolAmd64.config().digest());
    layers(toolAmd64).forEach(l -> lockedPaths.add("/v2/" + TOOL + "/blobs/" + l));
    for (String path : lockedPaths) {
      assertThat(lockedSaw)
          .as("successful GETs of %s at the locked registry", path)
          .filteredOn(e -> e.matches("GET", Pattern.quote(path)) && e.status() == 200)
          .hasSize(1);
    }
    assertThat(lockedSaw)
        .as("statuses the locked registry answered the mirror")
        .allSatisfy(e -> assertThat(e.status()).as("%s", e).isIn(200, 401));
    assertThat(lockedSaw)
        .as("anonymous tries refused by the locked registry")
        .filteredOn(e -> e.status() == 401)
        .hasSizeLessThanOrEqualTo(1);
  }

  // ------------------------------------------------------------- 2. routing by ?ns=

  @Test
  @Order(20)
  void nsPicksTheUpstreamAndAnUnknownNsReachesNoRegistry() {
    String toolManifest = "/v2/" + TOOL + "/manifests/" + TOOL_TAG;
    String appManifest = "/v2/" + APP + "/manifests/" + APP_TAG;

    // Through the locked upstream (cached by test 1, or fetched with credentials if run alone).
    HttpResponse<byte[]> viaLocked = get(toolManifest + "?ns=" + LOCKED_HOST);
    assertManifest(viaLocked, tool);

    // An alias no upstream has: an error, never a fetch, wherever it would have gone.
    RegistryProcess.Mark plainMark = plain.mark();
    RegistryProcess.Mark lockedMark = locked.mark();
    assertError(get(toolManifest + "?ns=nope.example"), 404, "NAME_UNKNOWN");
    assertError(get(appManifest + "?ns=nope.example"), 404, "NAME_UNKNOWN");
    assertError(
        get(
            "/v2/"
                + TOOL
                + "/blobs/"
                + tool.manifest("linux/arm64").config().digest()
                + "?ns=nope.example"),
        404,
        "NAME_UNKNOWN");
    assertThat(plain.requestsSince(plainMark)).as("plain registry, unknown ns").isEmpty();
    assertThat(locked.requestsSince(lockedMark)).as("locked registry, unknown ns").isEmpty();

    // A tag cached from one upstream is not served for another: the locked registry has no
    // e2e/app, and without ns= team/tool goes to the default (plain), which lacks it.
    plainMark = plain.mark();
    lockedMark = locked.mark();
    HttpResponse<byte[]> appViaLocked = get(appManifest + "?ns=" + LOCKED_HOST);
    assertThat(appViaLocked.statusCode()).as(describe(appViaLocked)).isEqualTo(404);
    HttpResponse<byte[]> toolViaDefault = get(toolManifest);
    assertThat(toolViaDefault.statusCode()).as(describe(toolViaDefault)).isEqualTo(404);
    assertThat(locked.requestsSince(lockedMark))
        .as("locked registry: asked for e2e/app only")
        .extracting(AccessLogEntry::path)
        .containsOnly(appManifest);
    assertThat(plain.requestsSince(plainMark))
        .as("plain registry: asked for team/tool only")
        .extracting(AccessLogEntry::path)
        .containsOnly(toolManifest);
    // And the default still serves its own image, from the cache.
    assertManifest(get(appManifest + "?ns=" + PLAIN_HOST), app);

    // The same registry through the upstream whose password comes from a file: its own tag
    // entry, so it asks the registry, and its credentials must work.
    RegistryProcess.Mark beforeFile = locked.mark();
    assertManifest(get(toolManifest + "?ns=" + LOCKED_FILE_HOST), tool);
    assertThat(locked.requestsSince(beforeFile))
        .as("the locked registry, asked by the password-file upstream")
        .filteredOn(e -> e.matches("GET", Pattern.quote(toolManifest)) && e.status() == 200)
        .hasSize(1);

    // Repository isolation: what the locked registry sent is stored once, but served through
    // another upstream only if that upstream confirms it has it. The plain registry lacks
    // team/tool; the wrong-password upstream cannot log in to confirm anything.
    OciImage.Manifest amd64 = tool.manifest("linux/amd64");
    String layer = layers(amd64).get(0);
    assertError(
        get("/v2/" + TOOL + "/manifests/" + amd64.manifest().digest() + "?ns=" + PLAIN_HOST),
        404,
        "MANIFEST_UNKNOWN");
    assertError(get("/v2/" + TOOL + "/blobs/" + layer + "?ns=" + PLAIN_HOST), 404, "BLOB_UNKNOWN");
    assertError(get("/v2/other/repo/blobs/" + layer + "?ns=" + WRONG_HOST), 401, "UNAUTHORIZED");
    assertError(get("/v2/other/repo/blobs/" + layer + "?ns=" + LOCKED_HOST), 404, "BLOB_UNKNOWN");
    HttpResponse<byte[]> own =
        get("/v2/" + TOOL + "/manifests/" + amd64.manifest().digest() + "?ns=" + LOCKED_HOST);
    assertThat(own.statusCode()).as(describe(own)).isEqualTo(200);
    assertThat(Skopeo.sha256(own.body())).isEqualTo(amd64.manifest().digest());
  }

  // ------------------------------------------------------------- 3. locked registry down

  @Test
  @Order(30)
  void cachedLockedImagePullsWithTheLockedRegistryDown() {
    locked.stop();
    try {
      assertThat(Daemons.status(locked.url().resolve("/v2/"))).as("locked is down").isEqualTo(-1);
      Containerd.Pull pull = containerd.pull(hostsDir, LOCKED_HOST + "/" + TOOL + ":" + TOOL_TAG);
      assertThat(pull.digest()).as("digest with the locked registry down").isEqualTo(tool.digest());
      OciImage.Manifest amd64 = tool.manifest("linux/amd64");
      assertThat(containerd.content(pull.namespace()))
          .contains(tool.digest(), amd64.manifest().digest(), amd64.config().digest())
          .containsAll(layers(amd64));
      // What the cache lacks fails clearly (and the mirror logs it: part of the leak check).
      assertError(
          get(
              "/v2/"
                  + TOOL
                  + "/blobs/"
                  + tool.manifest("linux/arm64").config().digest()
                  + "?ns="
                  + LOCKED_HOST),
          503,
          "UNAVAILABLE");
    } finally {
      locked.start();
    }
  }

  // ------------------------------------------------------------- 4. credentials never leak

  @Test
  @Order(100)
  void wrongPasswordIs401AndNoPasswordShowsInLogsOrResponses() throws IOException {
    RegistryProcess.Mark mark = locked.mark();
    String toolManifest = "/v2/" + TOOL + "/manifests/" + TOOL_TAG;
    // The manifest by tag (the wrong upstream has no tag entry of its own) and a blob no pull
    // fetched (arm64): both must go to the registry and be refused.
    String arm64Layer = layers(tool.manifest("linux/arm64")).getFirst();
    assertError(get(toolManifest + "?ns=" + WRONG_HOST), 401, "UNAUTHORIZED");
    assertError(
        get("/v2/" + TOOL + "/blobs/" + arm64Layer + "?ns=" + WRONG_HOST), 401, "UNAUTHORIZED");
    List<AccessLogEntry> lockedSaw = locked.requestsSince(mark);
    assertThat(lockedSaw)
        .as("the locked registry, asked with the wrong password")
        .isNotEmpty()
        .allSatisfy(e -> assertThat(e.status()).as("%s", e).isEqualTo(401));
    assertThat(lockedSaw)
        .extracting(AccessLogEntry::path)
        .contains(toolManifest, "/v2/" + TOOL + "/blobs/" + arm64Layer);

    // Stopping flushes whatever the mirror still buffers; its log holds every run of the class.
    mirror.stop();
    String log = Files.readString(mirror.logFile());
    assertThat(log).as("the mirror's log").contains("Stevedore serving on");
    Map<String, String> secrets = new LinkedHashMap<>();
    secrets.put("the password", PASSWORD);
    secrets.put("the wrong password", WRONG_PASSWORD);
    secrets.put("Basic user:password", basic(USER, PASSWORD));
    secrets.put("Basic user:wrong password", basic(USER, WRONG_PASSWORD));
    Map<String, String> texts = new LinkedHashMap<>();
    texts.put("the mirror's log " + mirror.logFile(), log);
    texts.putAll(responses);
    assertThat(responses).as("responses recorded").hasSizeGreaterThanOrEqualTo(2);
    secrets.forEach(
        (secretName, secret) ->
            texts.forEach(
                (textName, text) ->
                    assertThat(text).as("%s in %s", secretName, textName).doesNotContain(secret)));
  }

  // ------------------------------------------------------------- helpers

  private static String basic(String user, String password) {
    return Base64.getEncoder()
        .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  private static List<String> layers(OciImage.Manifest manifest) {
    return manifest.layers().stream().map(l -> l.blob().digest()).toList();
  }

  private static void assertManifest(HttpResponse<byte[]> response, OciImage image) {
    String what = describe(response);
    assertThat(response.statusCode()).as(what).isEqualTo(200);
    assertThat(header(response, "Docker-Content-Digest")).as(what).isEqualTo(image.digest());
    assertThat(Skopeo.sha256(response.body())).as(what).isEqualTo(image.digest());
  }

  /** {@code GET} on the mirror with containerd's Accept list; remembers an error response. */
  private static HttpResponse<byte[]> get(String pathAndQuery) {
    HttpResponse<byte[]> response =
        send("GET", mirror.url().resolve(pathAndQuery), ACCEPT_ALL_MANIFESTS);
    if (response.statusCode() >= 400) {
      responses.put(
          "the response to GET " + pathAndQuery,
          response.headers().map() + "\n" + new String(response.body(), StandardCharsets.UTF_8));
    }
    return response;
  }
}
