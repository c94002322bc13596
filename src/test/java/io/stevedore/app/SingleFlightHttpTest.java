package io.stevedore.app;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.head;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.stevedore.oci.Digest;
import io.stevedore.oci.MediaType;
import io.stevedore.testing.BreakingRegistry;
import io.stevedore.testing.MirrorClient;
import io.stevedore.testing.MutableClock;
import io.stevedore.testing.TestMirrors;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Single-flight fills over HTTP: how many upstream requests concurrent clients cost, what they
 * receive when the upstream breaks or lies, and that fills outlive their clients.
 */
class SingleFlightHttpTest {
  private static final String REPO = "team/app";

  @TempDir Path dir;

  private final WireMockServer registry =
      new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-27T12:00:00Z"));
  private Stevedore mirror;

  @AfterEach
  void stop() {
    if (mirror != null) {
      mirror.close();
    }
    registry.stop();
  }

  private MirrorClient mirrorOf(URI upstream) {
    mirror = TestMirrors.start(dir, upstream, clock, Duration.ofSeconds(10));
    return new MirrorClient(mirror.port());
  }

  private MirrorClient mirrorOfWireMock() {
    registry.start();
    return mirrorOf(URI.create("http://127.0.0.1:" + registry.port()));
  }

  @Test
  void fiftyConcurrentGets_ofOneUncachedBlob_makeOneUpstreamGet() throws Exception {
    MirrorClient client = mirrorOfWireMock();
    byte[] blob = random(6 * 1024 * 1024);
    Digest digest = slowBlob(Digest.sha256(blob), blob);

    List<Future<HttpResponse<byte[]>>> responses = new ArrayList<>();
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < 50; i++) {
        responses.add(pool.submit(() -> client.bytes("GET", blobPath(digest), null)));
      }
      for (Future<HttpResponse<byte[]>> response : responses) {
        assertThat(response.get().statusCode()).isEqualTo(200);
        assertThat(Digest.sha256(response.get().body())).isEqualTo(digest);
      }
    }
    assertThat(registry.findAll(getRequestedFor(urlPathEqualTo(blobPath(digest))))).hasSize(1);
  }

  @Test
  void upstreamDroppingAt40Percent_isResumedWithARange_andTheBodyIsWhole() throws Exception {
    byte[] blob = random(5 * 1024 * 1024 + 3);
    try (BreakingRegistry upstream = new BreakingRegistry(blob, blob.length * 4L / 10)) {
      MirrorClient client = mirrorOf(upstream.url());

      HttpResponse<byte[]> response = client.bytes("GET", blobPath(upstream.digest()), null);

      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.body()).isEqualTo(blob);
      long storedAtBreak = (blob.length * 4L / 10) / (1024 * 1024) * (1024 * 1024);
      assertThat(upstream.ranges()).containsExactly("none", "bytes=" + storedAtBreak + "-");
    }
  }

  @Test
  void corruptUpstream_abortsEveryWaiter_storesNothing_andTheNextRequestFetchesAgain()
      throws Exception {
    MirrorClient client = mirrorOfWireMock();
    byte[] blob = random(4 * 1024 * 1024);
    Digest claimed = Digest.sha256("not these bytes".getBytes(StandardCharsets.UTF_8));
    slowBlob(claimed, blob);

    List<Future<Throwable>> outcomes = new ArrayList<>();
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < 5; i++) {
        outcomes.add(pool.submit(() -> failureOf(client, blobPath(claimed))));
      }
      for (Future<Throwable> outcome : outcomes) {
        // A cut connection, or a 502 for one who arrived after the failure; never wrong bytes.
        assertThat(outcome.get()).isNotNull();
      }
    }
    assertThat(failureOf(client, blobPath(claimed))).isNotNull();
    assertThat(registry.findAll(getRequestedFor(urlPathEqualTo(blobPath(claimed)))).size())
        .isGreaterThanOrEqualTo(2);
  }

  @Test
  void clientDisconnectingAt10Percent_doesNotStopTheFill() throws Exception {
    MirrorClient client = mirrorOfWireMock();
    byte[] blob = random(8 * 1024 * 1024);
    Digest digest = slowBlob(Digest.sha256(blob), blob);

    try (Socket socket = new Socket("127.0.0.1", mirror.port())) {
      socket.setSoTimeout(20_000);
      OutputStream out = socket.getOutputStream();
      out.write(
          ("GET " + blobPath(digest) + " HTTP/1.1\r\nHost: mirror\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      byte[] head = in.readNBytes(12);
      assertThat(new String(head, StandardCharsets.US_ASCII)).isEqualTo("HTTP/1.1 200");
      in.readNBytes(blob.length / 10);
    }

    HttpResponse<byte[]> again = client.bytes("GET", blobPath(digest), null);

    assertThat(Digest.sha256(again.body())).isEqualTo(digest);
    assertThat(registry.findAll(getRequestedFor(urlPathEqualTo(blobPath(digest))))).hasSize(1);
  }

  @Test
  void tenConcurrentRequests_forOneUncachedManifest_makeOneUpstreamGet() throws Exception {
    MirrorClient client = mirrorOfWireMock();
    byte[] manifest =
        ("{\"schemaVersion\":2,\"mediaType\":\"" + MediaType.OCI_MANIFEST + "\",\"layers\":[]}")
            .getBytes(StandardCharsets.UTF_8);
    String path = "/v2/" + REPO + "/manifests/1.0";
    registry.stubFor(
        get(urlPathEqualTo(path))
            .willReturn(
                aResponse()
                    .withHeader("Content-Type", MediaType.OCI_MANIFEST)
                    .withBody(manifest)
                    .withFixedDelay(500)));

    List<Future<HttpResponse<String>>> responses = new ArrayList<>();
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < 10; i++) {
        responses.add(pool.submit(() -> client.send("GET", path)));
      }
      for (Future<HttpResponse<String>> response : responses) {
        assertThat(response.get().statusCode()).isEqualTo(200);
        assertThat(response.get().body().getBytes(StandardCharsets.UTF_8)).isEqualTo(manifest);
      }
    }
    assertThat(registry.findAll(getRequestedFor(urlPathEqualTo(path)))).hasSize(1);
  }

  /**
   * A blob the upstream sends in 64 slices over 1.5 s, so a fill is running for a while. The
   * dribble is chunked (no Content-Length); the size comes from a HEAD, so followers start
   * streaming before the fill ends.
   */
  private Digest slowBlob(Digest digest, byte[] content) {
    registry.stubFor(
        get(urlPathEqualTo(blobPath(digest)))
            .willReturn(aResponse().withBody(content).withChunkedDribbleDelay(64, 1500)));
    registry.stubFor(
        head(urlPathEqualTo(blobPath(digest)))
            .willReturn(aResponse().withHeader("Content-Length", String.valueOf(content.length))));
    return digest;
  }

  private static Throwable failureOf(MirrorClient client, String path) {
    try {
      HttpResponse<byte[]> response = client.bytes("GET", path, null);
      return response.statusCode() >= 500 ? new AssertionError(response.statusCode()) : null;
    } catch (Exception e) {
      return e;
    }
  }

  private static String blobPath(Digest digest) {
    return "/v2/" + REPO + "/blobs/" + digest;
  }

  private static byte[] random(int size) {
    byte[] bytes = new byte[size];
    new Random(size).nextBytes(bytes);
    return bytes;
  }
}
