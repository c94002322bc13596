package io.stevedore.upstream;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static io.stevedore.upstream.RegistryErrorAssertions.assertRegistryError;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.client.WireMock;
import io.stevedore.config.Credentials;
import io.stevedore.config.UpstreamConfig;
import io.stevedore.oci.Digest;
import io.stevedore.oci.ErrorCode;
import io.stevedore.oci.Reference;
import io.stevedore.oci.RegistryException;
import io.stevedore.oci.RepositoryName;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import okhttp3.OkHttpClient;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Upstream failures as the mirror's client will see them. */
class UpstreamErrorsTest {
  private static final RepositoryName REPO = RepositoryName.parse("team/app");
  private static final Reference TAG = Reference.parse("1.0");
  private static final Digest DIGEST = Digest.sha256("blob".getBytes(StandardCharsets.UTF_8));
  private static final String MANIFEST_PATH = "/v2/team/app/manifests/1.0";
  private static final String PASSWORD = "hunter2-secret";

  @RegisterExtension final WireMockRegistry registry = new WireMockRegistry("test-up");

  private void stubAll(int status, String body) {
    registry.stubFor(
        WireMock.any(WireMock.anyUrl()).willReturn(aResponse().withStatus(status).withBody(body)));
  }

  private static void assertError(
      ThrowingCallable call, ErrorCode code, int status, Consumer<RegistryException> more) {
    assertRegistryError(
        call,
        code,
        status,
        e -> {
          assertThat(e.getMessage()).contains("upstream test-up");
          more.accept(e);
        });
  }

  private static void assertError(ThrowingCallable call, ErrorCode code, int status) {
    assertError(call, code, status, e -> {});
  }

  @Test
  void notFound_keepsUpstreamCode() {
    stubAll(404, "{\"errors\":[{\"code\":\"NAME_UNKNOWN\",\"message\":\"no such repo\"}]}");

    assertError(
        () -> registry.upstream().fetchManifest(REPO, TAG, List.of()), ErrorCode.NAME_UNKNOWN, 404);
  }

  @Test
  void notFound_withoutUsableCode_defaultsPerResource() {
    stubAll(404, "<html>not found</html>");

    assertError(
        () -> registry.upstream().fetchManifest(REPO, TAG, List.of()),
        ErrorCode.MANIFEST_UNKNOWN,
        404);
    assertError(() -> registry.upstream().fetchBlob(REPO, DIGEST, 0), ErrorCode.BLOB_UNKNOWN, 404);
    assertError(() -> registry.upstream().listTags(REPO, null, null), ErrorCode.NAME_UNKNOWN, 404);
  }

  @Test
  void notFound_codeOfAnotherStatusIsNotKept() {
    stubAll(404, "{\"errors\":[{\"code\":\"DENIED\"}]}");

    assertError(() -> registry.upstream().fetchBlob(REPO, DIGEST, 0), ErrorCode.BLOB_UNKNOWN, 404);
  }

  @Test
  void notFound_errorBodyBeyond64KiBIsNotRead() {
    // A code past the first 64 KiB is never seen: the body is not read whole.
    stubAll(404, " ".repeat(70 * 1024) + "{\"errors\":[{\"code\":\"NAME_UNKNOWN\"}]}");

    assertError(() -> registry.upstream().fetchBlob(REPO, DIGEST, 0), ErrorCode.BLOB_UNKNOWN, 404);
  }

  @Test
  void unauthorizedWithoutChallenge() {
    stubAll(401, "");

    assertError(
        () -> registry.upstream().fetchManifest(REPO, TAG, List.of()), ErrorCode.UNAUTHORIZED, 401);
  }

  @Test
  void forbidden_denied() {
    stubAll(403, "");

    assertError(() -> registry.upstream().fetchBlob(REPO, DIGEST, 0), ErrorCode.DENIED, 403);
  }

  @Test
  void tooManyRequests_withRetryAfter() {
    registry.stubFor(
        get(MANIFEST_PATH).willReturn(aResponse().withStatus(429).withHeader("Retry-After", "42")));

    assertError(
        () -> registry.upstream().fetchManifest(REPO, TAG, List.of()),
        ErrorCode.TOOMANYREQUESTS,
        429,
        e -> assertThat(e.retryAfter()).contains(Duration.ofSeconds(42)));
  }

  @Test
  void serverErrors_badGateway() {
    for (int status : new int[] {500, 503}) {
      stubAll(status, "oops");

      assertError(
          () -> registry.upstream().fetchManifest(REPO, TAG, List.of()),
          ErrorCode.UNAVAILABLE,
          502,
          e -> assertThat(e.getMessage()).contains("answered " + status));
      assertError(
          () -> registry.upstream().headManifest(REPO, TAG, List.of()), ErrorCode.UNAVAILABLE, 502);
    }
  }

  @Test
  void serverError_onBlobHead_badGateway() {
    stubAll(500, "");

    assertError(() -> registry.upstream().headBlob(REPO, DIGEST), ErrorCode.UNAVAILABLE, 502);
  }

  @Test
  void closedPort_unreachable() throws IOException {
    int port;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }
    UpstreamConfig config = UpstreamConfig.of("test-up", URI.create("http://127.0.0.1:" + port));

    assertError(
        () -> registry.upstream(config).fetchManifest(REPO, TAG, List.of()),
        ErrorCode.UNAVAILABLE,
        503,
        e -> assertThat(e.getMessage()).contains("unreachable"));
  }

  @Test
  void unknownHost_unreachable() {
    // A Dns that fails like an unknown name, so no test ever asks a real resolver.
    OkHttpClient client =
        OkHttpUpstream.defaultClient()
            .newBuilder()
            .dns(
                host -> {
                  throw new UnknownHostException(host);
                })
            .build();
    UpstreamConfig config = UpstreamConfig.of("test-up", URI.create("http://registry.invalid"));

    assertError(
        () ->
            new OkHttpUpstream(config, client, registry.clock())
                .fetchManifest(REPO, TAG, List.of()),
        ErrorCode.UNAVAILABLE,
        503,
        e -> assertThat(e.getMessage()).contains("unreachable"));
  }

  @Test
  void slowAnswer_timedOut() {
    registry.stubFor(get(MANIFEST_PATH).willReturn(aResponse().withFixedDelay(1500)));
    UpstreamConfig config =
        registry.config().withTimeouts(Duration.ofSeconds(1), Duration.ofMillis(300));

    assertError(
        () -> registry.upstream(config).fetchManifest(REPO, TAG, List.of()),
        ErrorCode.UNAVAILABLE,
        504,
        e -> assertThat(e.getMessage()).contains("timed out"));
  }

  /**
   * Switching the watchdog off for a blob body leaves later requests, on its pooled connection too,
   * a timeout.
   */
  @Test
  void slowAnswer_afterABlobOnTheSameUpstream_timedOut() throws Exception {
    registry.stubFor(
        get(urlPathEqualTo("/v2/team/app/blobs/" + DIGEST))
            .willReturn(aResponse().withBody(new byte[1024])));
    registry.stubFor(get(MANIFEST_PATH).willReturn(aResponse().withFixedDelay(1500)));
    Upstream upstream =
        registry.upstream(
            registry.config().withTimeouts(Duration.ofSeconds(1), Duration.ofMillis(300)));
    try (BlobStream blob = upstream.fetchBlob(REPO, DIGEST, 0)) {
      assertThat(blob.body().readAllBytes()).hasSize(1024);
    }

    assertError(
        () -> upstream.fetchManifest(REPO, TAG, List.of()),
        ErrorCode.UNAVAILABLE,
        504,
        e -> assertThat(e.getMessage()).contains("timed out"));
  }

  /**
   * Blob bodies are read without Okio's per-read watchdog (see {@code OkHttpUpstream.body}), so
   * this is the socket's own timeout at work, on a virtual thread as a fill reads. The upstream
   * sends its headers and 1 KiB of a 64 KiB body, then falls silent until the test ends: without a
   * timeout the read would hang.
   */
  @Test
  void blobBodySilentMidway_readTimesOut() throws Exception {
    CountDownLatch done = new CountDownLatch(1);
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
      threads.submit(
          () -> {
            try (Socket socket = server.accept()) {
              socket.getInputStream().read(new byte[8192]);
              OutputStream out = socket.getOutputStream();
              out.write(
                  "HTTP/1.1 200 OK\r\nContent-Length: 65536\r\n\r\n"
                      .getBytes(StandardCharsets.US_ASCII));
              out.write(new byte[1024]);
              out.flush();
              done.await();
            }
            return null;
          });
      UpstreamConfig config =
          UpstreamConfig.of("test-up", URI.create("http://127.0.0.1:" + server.getLocalPort()))
              .withTimeouts(Duration.ofSeconds(1), Duration.ofMillis(300));

      Future<Long> read =
          threads.submit(
              () -> {
                try (BlobStream blob = registry.upstream(config).fetchBlob(REPO, DIGEST, 0)) {
                  return blob.body().transferTo(OutputStream.nullOutputStream());
                }
              });

      try {
        assertThatThrownBy(read::get)
            .isInstanceOf(ExecutionException.class)
            .hasCauseInstanceOf(SocketTimeoutException.class);
      } finally {
        done.countDown();
      }
    }
  }

  @Test
  void offline_neverContactsUpstream() {
    UpstreamConfig online = registry.config();
    UpstreamConfig offline = online.toBuilder().offline(true).build();

    assertError(
        () -> registry.upstream(offline).fetchManifest(REPO, TAG, List.of()),
        ErrorCode.UNAVAILABLE,
        503);
    assertThat(registry.getAllServeEvents()).isEmpty();
  }

  @Test
  void oversizeManifest_declaredLength_rejected() {
    registry.stubFor(
        get(MANIFEST_PATH)
            .willReturn(
                aResponse()
                    .withHeader("Content-Length", String.valueOf(Upstream.MAX_MANIFEST_BYTES + 1))
                    .withBody(new byte[Upstream.MAX_MANIFEST_BYTES + 1])));

    assertError(
        () -> registry.upstream().fetchManifest(REPO, TAG, List.of()),
        ErrorCode.MANIFEST_INVALID,
        502);
  }

  @Test
  void oversizeManifest_streamed_rejected() {
    // Chunked, so only counting the bytes can tell.
    registry.stubFor(
        get(MANIFEST_PATH)
            .willReturn(aResponse().withBody(new byte[Upstream.MAX_MANIFEST_BYTES + 1])));

    assertError(
        () -> registry.upstream().fetchManifest(REPO, TAG, List.of()),
        ErrorCode.MANIFEST_INVALID,
        502);
  }

  @Test
  void manifestOfExactlyMaxSize_accepted() {
    registry.stubFor(
        get(MANIFEST_PATH).willReturn(aResponse().withBody(new byte[Upstream.MAX_MANIFEST_BYTES])));

    assertThat(registry.upstream().fetchManifest(REPO, TAG, List.of()).body())
        .hasSize(Upstream.MAX_MANIFEST_BYTES);
  }

  @Test
  void rangeAnsweredFromWrongOffset_badGateway() {
    registry.stubFor(
        get(urlPathEqualTo("/v2/team/app/blobs/" + DIGEST))
            .willReturn(
                aResponse()
                    .withStatus(206)
                    .withHeader("Content-Range", "bytes 0-3/4")
                    .withBody("blob")));

    assertError(() -> registry.upstream().fetchBlob(REPO, DIGEST, 2), ErrorCode.UNAVAILABLE, 502);
  }

  @Test
  void credentials_neverInMessages() throws IOException {
    UpstreamConfig withPassword =
        registry.config().withCredentials(new Credentials("alice", PASSWORD));
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = socket.getLocalPort();
    }
    UpstreamConfig unreachable =
        UpstreamConfig.of("test-up", URI.create("http://127.0.0.1:" + closedPort))
            .withCredentials(new Credentials("alice", PASSWORD));
    String basic =
        okhttp3.Credentials.basic("alice", PASSWORD, StandardCharsets.UTF_8).substring(6);

    for (int status : new int[] {401, 403, 404, 429, 500}) {
      registry.stubFor(
          WireMock.any(WireMock.anyUrl())
              .willReturn(
                  aResponse()
                      .withStatus(status)
                      .withHeader("WWW-Authenticate", "Basic realm=\"r\"")));
      assertNoSecret(
          () -> registry.upstream(withPassword).fetchManifest(REPO, TAG, List.of()), basic);
      assertNoSecret(() -> registry.upstream(withPassword).fetchBlob(REPO, DIGEST, 0), basic);
    }
    assertNoSecret(() -> registry.upstream(unreachable).listTags(REPO, null, null), basic);
    assertThat(withPassword.toString()).doesNotContain(PASSWORD);
  }

  private static void assertNoSecret(ThrowingCallable call, String basic) {
    assertThatThrownBy(call)
        .isInstanceOfSatisfying(
            RegistryException.class,
            e -> {
              for (Throwable t = e; t != null; t = t.getCause()) {
                assertThat(t.toString()).doesNotContain(PASSWORD).doesNotContain(basic);
              }
            });
  }
}
