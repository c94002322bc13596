package io.stevedore.upstream;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.head;
import static com.github.tomakehurst.wiremock.client.WireMock.headRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import io.stevedore.oci.Digest;
import io.stevedore.oci.MediaType;
import io.stevedore.oci.Reference;
import io.stevedore.oci.RepositoryName;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Successful answers of a WireMock registry turned into the {@link Upstream} records. */
class OkHttpUpstreamTest {
  private static final RepositoryName REPO = RepositoryName.parse("team/app");
  private static final byte[] MANIFEST =
      "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\"}"
          .getBytes(StandardCharsets.UTF_8);
  private static final Digest MANIFEST_DIGEST = Digest.sha256(MANIFEST);
  private static final byte[] BLOB = "0123456789".getBytes(StandardCharsets.UTF_8);
  private static final Digest BLOB_DIGEST = Digest.sha256(BLOB);
  private static final String BLOB_PATH = "/v2/team/app/blobs/" + BLOB_DIGEST;

  @RegisterExtension final WireMockRegistry registry = new WireMockRegistry("test-up");
  private Upstream upstream;

  @BeforeEach
  void start() {
    upstream = registry.upstream();
  }

  @Test
  void fetchManifest_bodyMediaTypeAndClaimedDigest() {
    registry.stubFor(
        get("/v2/team/app/manifests/1.0")
            .willReturn(
                aResponse()
                    .withHeader("Content-Type", MediaType.OCI_MANIFEST + "; charset=utf-8")
                    .withHeader("Docker-Content-Digest", MANIFEST_DIGEST.toString())
                    .withBody(MANIFEST)));

    FetchedManifest manifest =
        upstream.fetchManifest(REPO, Reference.parse("1.0"), List.of(MediaType.OCI_INDEX));

    assertThat(manifest.body()).isEqualTo(MANIFEST);
    assertThat(manifest.mediaType()).isEqualTo(MediaType.OCI_MANIFEST);
    assertThat(manifest.claimedDigest()).contains(MANIFEST_DIGEST);
    registry.verify(
        getRequestedFor(urlEqualTo("/v2/team/app/manifests/1.0"))
            .withHeader("Accept", equalTo(MediaType.OCI_INDEX)));
  }

  @Test
  void fetchManifest_byDigest_unparsableDigestHeaderIgnored_defaultAccept() {
    registry.stubFor(
        get("/v2/team/app/manifests/" + MANIFEST_DIGEST)
            .willReturn(
                aResponse()
                    .withHeader("Content-Type", MediaType.OCI_MANIFEST)
                    .withHeader("Docker-Content-Digest", "sha256:nothex")
                    .withBody(MANIFEST)));

    FetchedManifest manifest =
        upstream.fetchManifest(REPO, new Reference.ByDigest(MANIFEST_DIGEST), List.of());

    assertThat(manifest.claimedDigest()).isEmpty();
    registry.verify(
        getRequestedFor(urlEqualTo("/v2/team/app/manifests/" + MANIFEST_DIGEST))
            .withHeader("Accept", containing(MediaType.DOCKER_MANIFEST_LIST))
            .withHeader("Accept", containing(MediaType.OCI_MANIFEST)));
  }

  @Test
  void headManifest_digestAndSizeFromHeaders() {
    registry.stubFor(
        head(urlEqualTo("/v2/team/app/manifests/1.0"))
            .willReturn(
                aResponse()
                    .withHeader("Content-Type", MediaType.DOCKER_MANIFEST)
                    .withHeader("Docker-Content-Digest", MANIFEST_DIGEST.toString())
                    .withHeader("Content-Length", "1234")));

    assertThat(upstream.headManifest(REPO, Reference.parse("1.0"), List.of()))
        .contains(new ManifestHead(MANIFEST_DIGEST, MediaType.DOCKER_MANIFEST, 1234));
    registry.verify(0, getRequestedFor(urlPathEqualTo("/v2/team/app/manifests/1.0")));
  }

  @Test
  void headManifest_withoutDigestHeader_fallsBackToGetAndHashes() {
    registry.stubFor(
        head(urlEqualTo("/v2/team/app/manifests/1.0"))
            .willReturn(aResponse().withHeader("Content-Type", MediaType.OCI_MANIFEST)));
    registry.stubFor(
        get("/v2/team/app/manifests/1.0")
            .willReturn(
                aResponse().withHeader("Content-Type", MediaType.OCI_MANIFEST).withBody(MANIFEST)));

    assertThat(upstream.headManifest(REPO, Reference.parse("1.0"), List.of()))
        .contains(new ManifestHead(MANIFEST_DIGEST, MediaType.OCI_MANIFEST, MANIFEST.length));
    registry.verify(1, getRequestedFor(urlPathEqualTo("/v2/team/app/manifests/1.0")));
  }

  @Test
  void headManifest_notFoundIsEmpty() {
    registry.stubFor(
        head(urlEqualTo("/v2/team/app/manifests/1.0")).willReturn(aResponse().withStatus(404)));

    assertThat(upstream.headManifest(REPO, Reference.parse("1.0"), List.of())).isEmpty();
  }

  @Test
  void fetchBlob_fromStart_sendsNoRange() throws IOException {
    registry.stubFor(
        get(BLOB_PATH).willReturn(aResponse().withHeader("Content-Length", "10").withBody(BLOB)));

    try (BlobStream stream = upstream.fetchBlob(REPO, BLOB_DIGEST, 0)) {
      assertThat(stream.offset()).isZero();
      assertThat(stream.length()).isEqualTo(BLOB.length);
      assertThat(stream.body().readAllBytes()).isEqualTo(BLOB);
    }
    registry.verify(getRequestedFor(urlEqualTo(BLOB_PATH)).withoutHeader("Range"));
  }

  @Test
  void fetchBlob_withoutContentLength_lengthUnknown() throws IOException {
    // WireMock streams bodies chunked unless told a length.
    registry.stubFor(get(BLOB_PATH).willReturn(aResponse().withBody(BLOB)));

    try (BlobStream stream = upstream.fetchBlob(REPO, BLOB_DIGEST, 0)) {
      assertThat(stream.length()).isEqualTo(-1);
      assertThat(stream.body().readAllBytes()).isEqualTo(BLOB);
    }
  }

  @Test
  void fetchBlob_range206_startsAtOffset() throws IOException {
    registry.stubFor(
        get(BLOB_PATH)
            .withHeader("Range", equalTo("bytes=4-"))
            .willReturn(
                aResponse()
                    .withStatus(206)
                    .withHeader("Content-Range", "bytes 4-9/10")
                    .withHeader("Content-Length", "6")
                    .withBody("456789")));

    try (BlobStream stream = upstream.fetchBlob(REPO, BLOB_DIGEST, 4)) {
      assertThat(stream.offset()).isEqualTo(4);
      assertThat(stream.length()).isEqualTo(6);
      assertThat(stream.body().readAllBytes()).isEqualTo("456789".getBytes(StandardCharsets.UTF_8));
    }
  }

  @Test
  void fetchBlob_rangeIgnored200_startsAtZero() throws IOException {
    registry.stubFor(
        get(BLOB_PATH)
            .withHeader("Range", equalTo("bytes=4-"))
            .willReturn(aResponse().withStatus(200).withBody(BLOB)));

    try (BlobStream stream = upstream.fetchBlob(REPO, BLOB_DIGEST, 4)) {
      assertThat(stream.offset()).isZero();
      assertThat(stream.body().readAllBytes()).isEqualTo(BLOB);
    }
  }

  @Test
  void headBlob_sizeOrEmpty() {
    registry.stubFor(
        head(urlEqualTo(BLOB_PATH)).willReturn(aResponse().withHeader("Content-Length", "10")));
    registry.stubFor(
        head(urlEqualTo("/v2/team/other/blobs/" + BLOB_DIGEST))
            .willReturn(aResponse().withStatus(404)));

    assertThat(upstream.headBlob(REPO, BLOB_DIGEST)).contains(10L);
    assertThat(upstream.headBlob(RepositoryName.parse("team/other"), BLOB_DIGEST)).isEmpty();
    registry.verify(headRequestedFor(urlEqualTo(BLOB_PATH)));
  }

  @Test
  void listTags_passesPagingAndParsesLinkHeader() {
    String body = "{\"name\":\"team/app\",\"tags\":[\"b\",\"c\"]}";
    registry.stubFor(
        get(urlPathEqualTo("/v2/team/app/tags/list"))
            .withQueryParam("n", equalTo("2"))
            .withQueryParam("last", equalTo("a"))
            .willReturn(
                aResponse()
                    .withHeader("Link", "</v2/team/app/tags/list?n=2&last=c>; rel=\"next\"")
                    .withBody(body)));

    TagList tags = upstream.listTags(REPO, 2, "a");

    assertThat(new String(tags.body(), StandardCharsets.UTF_8)).isEqualTo(body);
    assertThat(tags.nextLast()).contains("c");
    assertThat(tags.nextN()).contains(2);
  }

  @Test
  void listTags_lastPageHasNoNext() {
    registry.stubFor(
        get("/v2/team/app/tags/list").willReturn(aResponse().withBody("{\"tags\":[]}")));

    TagList tags = upstream.listTags(REPO, null, null);

    assertThat(tags.nextLast()).isEmpty();
    assertThat(tags.nextN()).isEmpty();
  }

  @Test
  void ping_isTrueForAVersionCheckAnswer_200or401_andFalseOtherwise() {
    registry.stubFor(get(urlEqualTo("/v2/")).willReturn(aResponse().withStatus(401)));
    assertThat(upstream.ping()).isTrue();

    registry.stubFor(get(urlEqualTo("/v2/")).willReturn(aResponse().withStatus(200)));
    assertThat(upstream.ping()).isTrue();

    registry.stubFor(get(urlEqualTo("/v2/")).willReturn(aResponse().withStatus(500)));
    assertThat(upstream.ping()).isFalse();

    registry.stop();
    assertThat(upstream.ping()).isFalse();
  }
}
