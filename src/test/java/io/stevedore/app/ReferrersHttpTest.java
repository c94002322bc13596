package io.stevedore.app;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.stevedore.oci.Digest;
import io.stevedore.oci.Json;
import io.stevedore.oci.MediaType;
import io.stevedore.testing.MirrorClient;
import io.stevedore.testing.MutableClock;
import io.stevedore.testing.TestMirrors;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The referrers API through the mirror: proxied, filtered, cached like a tag, and the fallback. */
class ReferrersHttpTest {
  private static final String REPO = "team/app";
  private static final Digest SUBJECT = Digest.sha256("image".getBytes(StandardCharsets.UTF_8));
  private static final String SBOM = "application/spdx+json";
  private static final String SIG = "application/vnd.dev.cosign.artifact.sig.v1+json";
  private static final String INDEX =
      "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\","
          + "\"manifests\":["
          + entry("sbom", SBOM)
          + ","
          + entry("sig", SIG)
          + "]}";

  @TempDir Path dir;

  private final WireMockServer registry =
      new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-27T12:00:00Z"));
  private Stevedore mirror;
  private MirrorClient client;

  @BeforeEach
  void start() {
    registry.start();
    mirror =
        TestMirrors.start(
            dir, URI.create("http://127.0.0.1:" + registry.port()), clock, Duration.ofSeconds(5));
    client = new MirrorClient(mirror.port());
  }

  @AfterEach
  void stop() {
    mirror.close();
    registry.stop();
  }

  @Test
  void referrersApi_isProxiedFilteredAndCachedLikeATag() throws Exception {
    registry.stubFor(
        get(urlPathEqualTo(referrersPath()))
            .willReturn(
                aResponse().withHeader("Content-Type", MediaType.OCI_INDEX).withBody(INDEX)));

    HttpResponse<String> all = client.send("GET", referrersPath());
    HttpResponse<String> sboms =
        client.send("GET", referrersPath() + "?artifactType=" + encode(SBOM));
    clock.advance(Duration.ofMinutes(4));
    HttpResponse<String> again =
        client.send("GET", referrersPath() + "?artifactType=" + encode(SBOM));

    assertThat(all.statusCode()).isEqualTo(200);
    assertThat(all.headers().firstValue("Content-Type")).contains(MediaType.OCI_INDEX);
    assertThat(artifactTypes(all.body())).containsExactly(SBOM, SIG);
    assertThat(all.headers().firstValue("OCI-Filters-Applied")).isEmpty();
    assertThat(artifactTypes(sboms.body())).containsExactly(SBOM);
    assertThat(sboms.headers().firstValue("OCI-Filters-Applied")).contains("artifactType");
    assertThat(again.body()).isEqualTo(sboms.body());
    assertThat(registry.findAll(anyRequestedFor(anyUrl()))).hasSize(2);
  }

  @Test
  void upstreamWithoutTheApi_fallsBackToTheReferrersTag() throws Exception {
    registry.stubFor(
        get(urlPathEqualTo("/v2/" + REPO + "/manifests/sha256-" + SUBJECT.hex()))
            .willReturn(
                aResponse().withHeader("Content-Type", MediaType.OCI_INDEX).withBody(INDEX)));

    HttpResponse<String> sigs =
        client.send("GET", referrersPath() + "?artifactType=" + encode(SIG));

    assertThat(sigs.statusCode()).isEqualTo(200);
    assertThat(artifactTypes(sigs.body())).containsExactly(SIG);
  }

  @Test
  void noReferrersAnywhere_isAnEmptyIndex() throws Exception {
    HttpResponse<String> none = client.send("GET", referrersPath());

    assertThat(none.statusCode()).isEqualTo(200);
    assertThat(artifactTypes(none.body())).isEmpty();
  }

  @Test
  void upstreamDown_pastFreshness_servesTheLastAnswerStale() throws Exception {
    registry.stubFor(
        get(urlPathEqualTo(referrersPath()))
            .willReturn(
                aResponse().withHeader("Content-Type", MediaType.OCI_INDEX).withBody(INDEX)));
    client.send("GET", referrersPath());
    registry.stubFor(get(anyUrl()).willReturn(aResponse().withStatus(503)));

    clock.advance(Duration.ofHours(1));
    HttpResponse<String> stale = client.send("GET", referrersPath());

    assertThat(stale.statusCode()).isEqualTo(200);
    assertThat(stale.headers().firstValue("X-Stevedore-Stale")).contains("true");
    assertThat(artifactTypes(stale.body())).containsExactly(SBOM, SIG);
  }

  @Test
  void upstreamDown_filteredQueryNeverAsked_isFilteredFromTheUnfilteredAnswer() throws Exception {
    registry.stubFor(
        get(urlPathEqualTo(referrersPath()))
            .willReturn(
                aResponse().withHeader("Content-Type", MediaType.OCI_INDEX).withBody(INDEX)));
    client.send("GET", referrersPath());
    registry.stubFor(get(anyUrl()).willReturn(aResponse().withStatus(503)));

    HttpResponse<String> sigs =
        client.send("GET", referrersPath() + "?artifactType=" + encode(SIG));

    assertThat(sigs.statusCode()).isEqualTo(200);
    assertThat(sigs.headers().firstValue("X-Stevedore-Stale")).contains("true");
    assertThat(sigs.headers().firstValue("OCI-Filters-Applied")).contains("artifactType");
    assertThat(artifactTypes(sigs.body())).containsExactly(SIG);
  }

  @Test
  void badSubject_is400() throws Exception {
    assertThat(client.send("GET", "/v2/" + REPO + "/referrers/sha256:nope").statusCode())
        .isEqualTo(400);
    assertThat(registry.findAll(anyRequestedFor(anyUrl()))).isEmpty();
  }

  private static String encode(String artifactType) {
    return java.net.URLEncoder.encode(artifactType, StandardCharsets.UTF_8);
  }

  private static String referrersPath() {
    return "/v2/" + REPO + "/referrers/" + SUBJECT;
  }

  private static List<Object> artifactTypes(String index) {
    Map<?, ?> document = (Map<?, ?>) Json.parse(index);
    return ((List<?>) document.get("manifests"))
        .stream().map(e -> (Object) ((Map<?, ?>) e).get("artifactType")).toList();
  }

  private static String entry(String seed, String artifactType) {
    return "{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\""
        + Digest.sha256(seed.getBytes(StandardCharsets.UTF_8))
        + "\",\"size\":100,\"artifactType\":\""
        + artifactType
        + "\"}";
  }
}
