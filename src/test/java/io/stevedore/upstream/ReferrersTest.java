package io.stevedore.upstream;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static io.stevedore.upstream.RegistryErrorAssertions.assertRegistryError;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stevedore.oci.Digest;
import io.stevedore.oci.ErrorCode;
import io.stevedore.oci.MediaType;
import io.stevedore.oci.RegistryException;
import io.stevedore.oci.RepositoryName;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The referrers API ({@code /v2/<name>/referrers/<digest>}) against a WireMock registry. */
class ReferrersTest {
  private static final RepositoryName REPO = RepositoryName.parse("team/app");
  private static final Digest SUBJECT = Digest.sha256("subject".getBytes(StandardCharsets.UTF_8));
  private static final String PATH = "/v2/team/app/referrers/" + SUBJECT;
  private static final String SIGNATURE = "application/vnd.dev.cosign.artifact.sig.v1+json";
  private static final byte[] INDEX =
      ("{\"schemaVersion\":2,\"mediaType\":\"" + MediaType.OCI_INDEX + "\",\"manifests\":[]}")
          .getBytes(StandardCharsets.UTF_8);

  @RegisterExtension final WireMockRegistry registry = new WireMockRegistry("test-up");
  private Upstream upstream;

  @BeforeEach
  void start() {
    upstream = registry.upstream();
  }

  @Test
  void fetchReferrers_unfiltered_indexAsSent() {
    registry.stubFor(
        get(PATH)
            .willReturn(
                aResponse().withHeader("Content-Type", MediaType.OCI_INDEX).withBody(INDEX)));

    Referrers referrers = upstream.fetchReferrers(REPO, SUBJECT, null).orElseThrow();

    assertThat(referrers.body()).isEqualTo(INDEX);
    assertThat(referrers.filtered()).isFalse();
    registry.verify(
        getRequestedFor(urlEqualTo(PATH)).withHeader("Accept", equalTo(MediaType.OCI_INDEX)));
  }

  @Test
  void fetchReferrers_artifactTypeEncodedAndFilterApplied() {
    registry.stubFor(
        get(urlPathEqualTo(PATH))
            .withQueryParam("artifactType", equalTo(SIGNATURE))
            .willReturn(
                aResponse().withHeader("OCI-Filters-Applied", "artifactType").withBody(INDEX)));

    Referrers referrers = upstream.fetchReferrers(REPO, SUBJECT, SIGNATURE).orElseThrow();

    assertThat(referrers.filtered()).isTrue();
    // '+' must go out encoded, or the registry would read a space.
    registry.verify(
        getRequestedFor(
            urlEqualTo(
                PATH + "?artifactType=application%2Fvnd.dev.cosign.artifact.sig.v1%2Bjson")));
  }

  @Test
  void fetchReferrers_filterNotApplied_unfiltered() {
    // A registry may ignore the filter; the caller then filters itself.
    registry.stubFor(get(urlPathEqualTo(PATH)).willReturn(aResponse().withBody(INDEX)));

    assertThat(upstream.fetchReferrers(REPO, SUBJECT, SIGNATURE).orElseThrow().filtered())
        .isFalse();
  }

  @Test
  void fetchReferrers_filterAmongOthers() {
    registry.stubFor(
        get(urlPathEqualTo(PATH))
            .willReturn(
                aResponse()
                    .withHeader("OCI-Filters-Applied", "annotation, artifactType")
                    .withBody(INDEX)));

    assertThat(upstream.fetchReferrers(REPO, SUBJECT, SIGNATURE).orElseThrow().filtered()).isTrue();
  }

  @Test
  void fetchReferrers_notFound_apiMissing() {
    registry.stubFor(get(urlPathEqualTo(PATH)).willReturn(aResponse().withStatus(404)));

    assertThat(upstream.fetchReferrers(REPO, SUBJECT, null)).isEmpty();
  }

  @Test
  void fetchReferrers_otherErrorsMapped() {
    registry.stubFor(get(urlPathEqualTo(PATH)).willReturn(aResponse().withStatus(403)));
    assertThatThrownBy(() -> upstream.fetchReferrers(REPO, SUBJECT, null))
        .isInstanceOfSatisfying(
            RegistryException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.DENIED));

    registry.stubFor(get(urlPathEqualTo(PATH)).willReturn(aResponse().withStatus(500)));
    assertRegistryError(
        () -> upstream.fetchReferrers(REPO, SUBJECT, null),
        ErrorCode.UNAVAILABLE,
        502,
        e -> assertThat(e.getMessage()).contains("test-up"));
  }

  @Test
  void fetchReferrers_overCap_badGateway() {
    // Chunked, so only counting the bytes can tell.
    registry.stubFor(
        get(urlPathEqualTo(PATH))
            .willReturn(aResponse().withBody(new byte[Upstream.MAX_MANIFEST_BYTES + 1])));

    assertRegistryError(
        () -> upstream.fetchReferrers(REPO, SUBJECT, null),
        ErrorCode.UNAVAILABLE,
        502,
        e -> assertThat(e.getMessage()).contains("test-up").contains("referrers"));
  }

  @Test
  void fetchReferrers_atCap_accepted() {
    registry.stubFor(
        get(urlPathEqualTo(PATH))
            .willReturn(aResponse().withBody(new byte[Upstream.MAX_MANIFEST_BYTES])));

    assertThat(upstream.fetchReferrers(REPO, SUBJECT, null).orElseThrow().body())
        .hasSize(Upstream.MAX_MANIFEST_BYTES);
  }

  @Test
  void fetchReferrers_throughTheTokenFlow() {
    String realm = registry.uri() + "/token";
    registry.stubFor(
        get(urlPathEqualTo(PATH))
            .willReturn(
                aResponse()
                    .withStatus(401)
                    .withHeader(
                        "WWW-Authenticate",
                        "Bearer realm=\"" + realm + "\",service=\"test-registry\"")));
    registry.stubFor(
        get(urlPathEqualTo(PATH))
            .withHeader("Authorization", equalTo("Bearer tok1"))
            .willReturn(aResponse().withBody(INDEX)));
    registry.stubFor(get(urlPathEqualTo("/token")).willReturn(okJson("{\"token\":\"tok1\"}")));

    assertThat(upstream.fetchReferrers(REPO, SUBJECT, null).orElseThrow().body()).isEqualTo(INDEX);

    registry.verify(
        1,
        getRequestedFor(urlPathEqualTo("/token"))
            .withQueryParam("scope", equalTo("repository:team/app:pull")));
    registry.verify(1, getRequestedFor(urlEqualTo(PATH)).withHeader("Authorization", absent()));
  }
}
