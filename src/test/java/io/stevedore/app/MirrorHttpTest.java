package io.stevedore.app;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.head;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.stevedore.oci.Digest;
import io.stevedore.oci.MediaType;
import io.stevedore.testing.MirrorClient;
import io.stevedore.testing.MutableClock;
import io.stevedore.testing.TestMirrors;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The mirror over HTTP, with a WireMock registry as its upstream: what a client sees for hits,
 * misses, ranges, broken or lying upstreams, and how many upstream calls each costs.
 */
class MirrorHttpTest {
  private static final String REPO = "team/app";
  private static final byte[] MANIFEST =
      ("{\"schemaVersion\":2,\"mediaType\":\"" + MediaType.OCI_MANIFEST + "\",\"layers\":[]}")
          .getBytes(StandardCharsets.UTF_8);
  private static final Digest MANIFEST_DIGEST = Digest.sha256(MANIFEST);

  @TempDir Path dir;

  private final WireMockServer registry =
      new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-27T12:00:00Z"));
  private Stevedore mirror;

  @BeforeEach
  void start() {
    registry.start();
    startMirror(Duration.ofSeconds(5));
  }

  private void startMirror(Duration readTimeout) {
    mirror =
        TestMirrors.start(
            dir, URI.create("http://127.0.0.1:" + registry.port()), clock, readTimeout);
  }

  @AfterEach
  void stop() {
    mirror.close();
    registry.stop();
  }

  @Test
  void versionCheck() throws Exception {
    HttpResponse<String> response = send("GET", "/v2/");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("{}");
    assertThat(response.headers().firstValue("Docker-Distribution-API-Version"))
        .contains("registry/2.0");
  }

  @Test
  void manifestByTag_getAndHead_carryDigestTypeAndLength() throws Exception {
    stubManifest("1.0");

    HttpResponse<String> got = send("GET", "/v2/" + REPO + "/manifests/1.0");
    HttpResponse<String> head = send("HEAD", "/v2/" + REPO + "/manifests/1.0");

    for (HttpResponse<String> response : List.of(got, head)) {
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.headers().firstValue("Docker-Content-Digest"))
          .contains(MANIFEST_DIGEST.toString());
      assertThat(response.headers().firstValue("Content-Type")).contains(MediaType.OCI_MANIFEST);
      assertThat(response.headers().firstValueAsLong("Content-Length")).hasValue(MANIFEST.length);
    }
    assertThat(got.body().getBytes(StandardCharsets.UTF_8)).isEqualTo(MANIFEST);
    assertThat(head.body()).isEmpty();
  }

  @Test
  void tagFreshness_withinIt_noUpstreamCall_afterIt_exactlyOneHead() throws Exception {
    stubManifest("1.0");
    send("GET", "/v2/" + REPO + "/manifests/1.0");
    registry.resetRequests();

    clock.advance(Duration.ofMinutes(4));
    assertThat(send("GET", "/v2/" + REPO + "/manifests/1.0").statusCode()).isEqualTo(200);
    assertThat(registry.findAll(anyRequestedFor(anyUrl()))).isEmpty();

    clock.advance(Duration.ofMinutes(2));
    assertThat(send("GET", "/v2/" + REPO + "/manifests/1.0").statusCode()).isEqualTo(200);
    assertThat(registry.findAll(anyRequestedFor(anyUrl())))
        .singleElement()
        .satisfies(r -> assertThat(r.getMethod().value()).isEqualTo("HEAD"));
  }

  @Test
  void blob_missThenHit_oneUpstreamGet_andRanges() throws Exception {
    byte[] blob = random(3 * 1024 * 1024 + 17);
    Digest digest = stubBlob(blob);
    String path = "/v2/" + REPO + "/blobs/" + digest;

    HttpResponse<byte[]> cold = sendBytes("GET", path, "bytes=10-19");
    HttpResponse<byte[]> whole = sendBytes("GET", path, null);
    HttpResponse<byte[]> tail = sendBytes("GET", path, "bytes=-5");
    HttpResponse<byte[]> beyond = sendBytes("GET", path, "bytes=" + blob.length + "-");

    assertThat(cold.statusCode()).isEqualTo(206);
    assertThat(cold.body()).isEqualTo(Arrays.copyOfRange(blob, 10, 20));
    assertThat(cold.headers().firstValue("Content-Range")).contains("bytes 10-19/" + blob.length);
    assertThat(whole.statusCode()).isEqualTo(200);
    assertThat(Digest.sha256(whole.body())).isEqualTo(digest);
    assertThat(whole.headers().firstValue("Docker-Content-Digest")).contains(digest.toString());
    assertThat(tail.body()).isEqualTo(Arrays.copyOfRange(blob, blob.length - 5, blob.length));
    assertThat(beyond.statusCode()).isEqualTo(416);
    assertThat(beyond.headers().firstValue("Content-Range")).contains("bytes */" + blob.length);
    assertThat(registry.findAll(getRequestedFor(urlPathEqualTo(blobPath(digest))))).hasSize(1);
  }

  @Test
  void blobHead_ofAnUncachedBlob_usesAnUpstreamHead_notAGet() throws Exception {
    byte[] blob = random(1000);
    Digest digest = stubBlob(blob);

    HttpResponse<String> head = send("HEAD", "/v2/" + REPO + "/blobs/" + digest);

    assertThat(head.statusCode()).isEqualTo(200);
    assertThat(head.headers().firstValueAsLong("Content-Length")).hasValue(1000);
    assertThat(head.headers().firstValue("Docker-Content-Digest")).contains(digest.toString());
    assertThat(registry.findAll(getRequestedFor(urlPathEqualTo(blobPath(digest))))).isEmpty();
  }

  @Test
  void corruptLargeBlob_abortsTheResponse_storesNothing_andIsFetchedAgain() throws Exception {
    byte[] blob = random(3 * 1024 * 1024);
    Digest claimed = Digest.sha256("what the client asked for".getBytes(StandardCharsets.UTF_8));
    stubBlobAs(claimed, blob);
    String path = "/v2/" + REPO + "/blobs/" + claimed;

    // The client must never see a clean end of wrong bytes: the body is cut off.
    assertThatThrownBy(() -> sendBytes("GET", path, null)).isInstanceOf(IOException.class);
    assertThatThrownBy(() -> sendBytes("GET", path, null)).isInstanceOf(IOException.class);

    assertThat(registry.findAll(getRequestedFor(urlPathEqualTo(blobPath(claimed))))).hasSize(2);
  }

  @Test
  void corruptSmallBlob_isA502BeforeAnyByte() throws Exception {
    Digest claimed = Digest.sha256("x".getBytes(StandardCharsets.UTF_8));
    stubBlobAs(claimed, random(100));

    HttpResponse<String> response = send("GET", "/v2/" + REPO + "/blobs/" + claimed);

    assertThat(response.statusCode()).isEqualTo(502);
    assertThat(response.body()).contains("\"code\":\"UNAVAILABLE\"").contains("upstream lab");
  }

  @Test
  void upstream5xx_is502_namingTheUpstream() throws Exception {
    registry.stubFor(get(anyUrl()).willReturn(aResponse().withStatus(503)));

    HttpResponse<String> response = send("GET", "/v2/" + REPO + "/manifests/1.0");

    assertThat(response.statusCode()).isEqualTo(502);
    assertThat(response.headers().firstValue("Content-Type")).contains("application/json");
    assertThat(response.body()).contains("UNAVAILABLE").contains("upstream lab");
  }

  @Test
  void upstreamTimeout_is504() throws Exception {
    mirror.close();
    startMirror(Duration.ofMillis(300));
    registry.stubFor(get(anyUrl()).willReturn(aResponse().withStatus(200).withFixedDelay(2000)));

    HttpResponse<String> response = send("GET", "/v2/" + REPO + "/manifests/1.0");

    assertThat(response.statusCode()).isEqualTo(504);
    assertThat(response.body()).contains("UNAVAILABLE").contains("timed out");
  }

  @Test
  void tagList_passesPagingOn_andLinksToTheMirrorsOwnPath() throws Exception {
    registry.stubFor(
        get(urlPathEqualTo("/v2/" + REPO + "/tags/list"))
            .willReturn(
                aResponse()
                    .withHeader("Content-Type", "application/json")
                    .withHeader("Link", "</v2/" + REPO + "/tags/list?n=2&last=b>; rel=\"next\"")
                    .withBody("{\"name\":\"team/app\",\"tags\":[\"a\",\"b\"]}")));

    HttpResponse<String> response =
        send("GET", "/v2/" + REPO + "/tags/list?n=2&ns=127.0.0.1:" + registry.port());

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("{\"name\":\"team/app\",\"tags\":[\"a\",\"b\"]}");
    assertThat(response.headers().firstValue("Link"))
        .contains(
            "</v2/"
                + REPO
                + "/tags/list?n=2&last=b&ns=127.0.0.1%3A"
                + registry.port()
                + ">; rel=\"next\"");
    assertThat(
            registry
                .findAll(getRequestedFor(urlPathEqualTo("/v2/" + REPO + "/tags/list")))
                .get(0)
                .getUrl())
        .isEqualTo("/v2/" + REPO + "/tags/list?n=2");
  }

  @Test
  void unknownManifest_isManifestUnknown() throws Exception {
    registry.stubFor(get(anyUrl()).willReturn(aResponse().withStatus(404)));

    HttpResponse<String> response = send("GET", "/v2/" + REPO + "/manifests/nope");

    assertThat(response.statusCode()).isEqualTo(404);
    assertThat(response.body()).contains("\"code\":\"MANIFEST_UNKNOWN\"");
  }

  @Test
  void badInput_is4xx_andNeverReachesTheUpstream() throws Exception {
    assertThat(send("GET", "/v2/" + REPO + "/blobs/sha256:123").statusCode()).isEqualTo(400);
    assertThat(send("GET", "/v2/Team/App/manifests/1.0").body()).contains("NAME_INVALID");
    assertThat(send("GET", "/v2/" + REPO + "/manifests/-bad").statusCode()).isEqualTo(400);
    assertThat(send("PUT", "/v2/" + REPO + "/manifests/1.0").body()).contains("UNSUPPORTED");
    assertThat(send("POST", "/v2/" + REPO + "/blobs/uploads/").statusCode()).isEqualTo(405);
    assertThat(send("GET", "/v2/" + REPO + "/manifests/1.0?ns=elsewhere.example").body())
        .contains("NAME_UNKNOWN");
    assertThat(send("GET", "/v2/_catalog").statusCode()).isEqualTo(405);
    assertThat(registry.findAll(anyRequestedFor(anyUrl()))).isEmpty();
    assertThat(send("GET", "/v2/").statusCode()).isEqualTo(200);
  }

  private void stubManifest(String tag) {
    for (String reference : List.of(tag, MANIFEST_DIGEST.toString())) {
      var response =
          aResponse()
              .withHeader("Content-Type", MediaType.OCI_MANIFEST)
              .withHeader("Docker-Content-Digest", MANIFEST_DIGEST.toString())
              .withHeader("Content-Length", String.valueOf(MANIFEST.length));
      registry.stubFor(
          get(urlPathEqualTo("/v2/" + REPO + "/manifests/" + reference))
              .willReturn(response.withBody(MANIFEST)));
      registry.stubFor(
          head(urlPathEqualTo("/v2/" + REPO + "/manifests/" + reference)).willReturn(response));
    }
  }

  private Digest stubBlob(byte[] blob) {
    Digest digest = Digest.sha256(blob);
    stubBlobAs(digest, blob);
    return digest;
  }

  private void stubBlobAs(Digest digest, byte[] blob) {
    registry.stubFor(get(urlPathEqualTo(blobPath(digest))).willReturn(aResponse().withBody(blob)));
    registry.stubFor(
        head(urlPathEqualTo(blobPath(digest)))
            .willReturn(aResponse().withHeader("Content-Length", String.valueOf(blob.length))));
  }

  private static String blobPath(Digest digest) {
    return "/v2/" + REPO + "/blobs/" + digest;
  }

  private HttpResponse<String> send(String method, String path) throws Exception {
    return new MirrorClient(mirror.port()).send(method, path);
  }

  private HttpResponse<byte[]> sendBytes(String method, String path, String range)
      throws Exception {
    return new MirrorClient(mirror.port()).bytes(method, path, range);
  }

  private static byte[] random(int size) {
    byte[] bytes = new byte[size];
    new Random(size).nextBytes(bytes);
    return bytes;
  }
}
