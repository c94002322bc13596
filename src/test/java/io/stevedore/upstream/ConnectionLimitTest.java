package io.stevedore.upstream;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.head;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.stevedore.config.UpstreamConfig;
import io.stevedore.oci.Digest;
import io.stevedore.oci.Reference;
import io.stevedore.oci.RegistryException;
import io.stevedore.oci.RepositoryName;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code max-connections}: how many requests may be open to one upstream at once. */
class ConnectionLimitTest {
  private static final RepositoryName REPO = RepositoryName.parse("team/app");
  private static final Reference TAG = Reference.parse("1.0");
  private static final byte[] MANIFEST = "{\"schemaVersion\":2}".getBytes(StandardCharsets.UTF_8);
  private static final byte[] BLOB = "0123456789".getBytes(StandardCharsets.UTF_8);
  private static final Digest BLOB_DIGEST = Digest.sha256(BLOB);
  private static final String BLOB_PATH = "/v2/team/app/blobs/" + BLOB_DIGEST;

  @RegisterExtension final WireMockRegistry registry = new WireMockRegistry("test-up");
  private final ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor();

  @AfterEach
  void stop() {
    callers.shutdownNow();
  }

  private OkHttpUpstream upstream(URI url, int maxConnections) {
    return registry.upstream(
        UpstreamConfig.builder("test-up", url).maxConnections(maxConnections).build());
  }

  private OkHttpUpstream upstream(int maxConnections) {
    return upstream(registry.uri(), maxConnections);
  }

  /**
   * Waits for a state the calls reach by themselves. Polling, not sleeping: it asserts no timing,
   * and the bound only turns a hang into a failure that says what was awaited.
   */
  private static void await(String what, BooleanSupplier condition, Supplier<String> state) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("never reached: " + what + "; " + state.get());
      }
      Thread.yield();
    }
  }

  @Test
  void sixConcurrentCalls_neverMoreThanTwoAtTheUpstream() throws Exception {
    AtomicInteger arrived = new AtomicInteger();
    AtomicInteger inFlight = new AtomicInteger();
    AtomicInteger maxInFlight = new AtomicInteger();
    Semaphore answer = new Semaphore(0);
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    server.createContext(
        "/v2/",
        exchange -> {
          arrived.incrementAndGet();
          maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
          answer.acquireUninterruptibly();
          inFlight.decrementAndGet();
          respond(exchange, MANIFEST);
        });
    server.start();
    try {
      OkHttpUpstream upstream =
          upstream(URI.create("http://127.0.0.1:" + server.getAddress().getPort()), 2);
      ConnectionLimit limit = upstream.connectionLimit();
      List<Future<FetchedManifest>> calls = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        calls.add(callers.submit(() -> upstream.fetchManifest(REPO, TAG, List.of())));
      }

      // Each round, every unanswered call is accounted for: two at the upstream, the rest queued.
      // Without the cap, or with a permit given back twice, more would reach the upstream.
      for (int round = 1; round <= 3; round++) {
        int atUpstream = 2 * round;
        await(
            atUpstream + " arrived, " + (6 - atUpstream) + " waiting",
            () -> arrived.get() == atUpstream && limit.waiting() == 6 - atUpstream,
            () -> "arrived " + arrived.get() + ", waiting " + limit.waiting());
        answer.release(2);
      }
      for (Future<FetchedManifest> call : calls) {
        assertThat(call.get(10, TimeUnit.SECONDS).body()).isEqualTo(MANIFEST);
      }
      assertThat(maxInFlight.get()).isEqualTo(2);
      assertThat(limit.available()).isEqualTo(2);
    } finally {
      answer.release(6);
      server.stop(0);
    }
  }

  private static void respond(HttpExchange exchange, byte[] body) throws IOException {
    exchange.getResponseHeaders().add("Content-Type", "application/vnd.oci.image.manifest.v1+json");
    exchange.sendResponseHeaders(200, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  @Test
  void openBlobStreamsHoldTheirPermits_aFourthCallWaitsUntilOneIsClosed() throws Exception {
    registry.stubFor(get(BLOB_PATH).willReturn(aResponse().withBody(BLOB)));
    OkHttpUpstream upstream = upstream(3);
    ConnectionLimit limit = upstream.connectionLimit();
    List<BlobStream> open = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      open.add(upstream.fetchBlob(REPO, BLOB_DIGEST, 0));
    }

    Future<BlobStream> fourth = callers.submit(() -> upstream.fetchBlob(REPO, BLOB_DIGEST, 0));
    await("the fourth call waiting", () -> limit.waiting() == 1, () -> "done " + fourth.isDone());
    assertThat(fourth.isDone()).isFalse();
    registry.verify(3, getRequestedFor(urlEqualTo(BLOB_PATH)));

    open.getFirst().close();
    try (BlobStream stream = fourth.get(10, TimeUnit.SECONDS)) {
      assertThat(stream.body().readAllBytes()).isEqualTo(BLOB);
    }
    registry.verify(4, getRequestedFor(urlEqualTo(BLOB_PATH)));

    for (BlobStream stream : open) {
      stream.close();
      stream.close(); // closing twice gives the permit back once
    }
    assertThat(limit.available()).isEqualTo(3);
  }

  @Test
  void blobReadToTheEnd_permitBackOnClose() throws IOException {
    registry.stubFor(get(BLOB_PATH).willReturn(aResponse().withBody(BLOB)));
    OkHttpUpstream upstream = upstream(1);

    BlobStream stream = upstream.fetchBlob(REPO, BLOB_DIGEST, 0);
    assertThat(upstream.connectionLimit().available()).isZero();
    stream.body().readAllBytes();
    stream.close();

    assertThat(upstream.connectionLimit().available()).isEqualTo(1);
  }

  @Test
  void everyErrorPath_givesThePermitBack() throws IOException {
    OkHttpUpstream upstream = upstream(1);
    String manifestPath = "/v2/team/app/manifests/1.0";

    registry.stubFor(get(BLOB_PATH).willReturn(aResponse().withStatus(404)));
    assertPermitBack(upstream, () -> upstream.fetchBlob(REPO, BLOB_DIGEST, 0));

    registry.stubFor(
        get(BLOB_PATH)
            .willReturn(
                aResponse()
                    .withStatus(206)
                    .withHeader("Content-Range", "bytes 0-9/10")
                    .withBody(BLOB)));
    assertPermitBack(upstream, () -> upstream.fetchBlob(REPO, BLOB_DIGEST, 4));

    registry.stubFor(get(manifestPath).willReturn(aResponse().withStatus(500)));
    assertPermitBack(upstream, () -> upstream.fetchManifest(REPO, TAG, List.of()));

    registry.stubFor(
        get(manifestPath)
            .willReturn(aResponse().withBody(new byte[Upstream.MAX_MANIFEST_BYTES + 1])));
    assertPermitBack(upstream, () -> upstream.fetchManifest(REPO, TAG, List.of()));

    registry.stubFor(head(urlEqualTo(BLOB_PATH)).willReturn(aResponse().withStatus(200)));
    assertPermitBack(upstream, () -> upstream.headBlob(REPO, BLOB_DIGEST));

    // The token endpoint fails inside the auth interceptor, below the cap.
    String realm = registry.uri() + "/token";
    registry.stubFor(
        get(manifestPath)
            .willReturn(
                aResponse()
                    .withStatus(401)
                    .withHeader("WWW-Authenticate", "Bearer realm=\"" + realm + "\"")));
    registry.stubFor(get(urlPathEqualTo("/token")).willReturn(okJson("{\"nothing\":1}")));
    assertPermitBack(upstream, () -> upstream.fetchManifest(REPO, TAG, List.of()));

    int closedPort;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = socket.getLocalPort();
    }
    OkHttpUpstream unreachable = upstream(URI.create("http://127.0.0.1:" + closedPort), 1);
    assertPermitBack(unreachable, () -> unreachable.listTags(REPO, null, null));
  }

  private static void assertPermitBack(OkHttpUpstream upstream, ThrowingCallable call) {
    assertThatThrownBy(call).isInstanceOf(RegistryException.class);
    assertThat(upstream.connectionLimit().available()).isEqualTo(1);
  }

  @Test
  void notFoundAnswers_givePermitBack() {
    OkHttpUpstream upstream = upstream(1);

    assertThat(upstream.headBlob(REPO, BLOB_DIGEST)).isEmpty();
    assertThat(upstream.headManifest(REPO, TAG, List.of())).isEmpty();
    assertThat(upstream.fetchReferrers(REPO, BLOB_DIGEST, null)).isEmpty();

    assertThat(upstream.connectionLimit().available()).isEqualTo(1);
  }

  @Test
  void interruptedWhileWaiting_failsWithoutTakingAPermit() throws Exception {
    registry.stubFor(get(BLOB_PATH).willReturn(aResponse().withBody(BLOB)));
    OkHttpUpstream upstream = upstream(1);
    ConnectionLimit limit = upstream.connectionLimit();
    BlobStream holder = upstream.fetchBlob(REPO, BLOB_DIGEST, 0);

    Future<?> waiter = callers.submit(() -> upstream.fetchManifest(REPO, TAG, List.of()));
    await("the call waiting", () -> limit.waiting() == 1, () -> "done " + waiter.isDone());
    waiter.cancel(true);
    await("the call gone", () -> limit.waiting() == 0, () -> "waiting " + limit.waiting());
    holder.close();

    assertThat(limit.available()).isEqualTo(1);
    registry.verify(0, getRequestedFor(urlEqualTo("/v2/team/app/manifests/1.0")));
  }

  @Test
  void permitsAreFair_aNewcomerDoesNotOvertakeAWaitingCall() throws Exception {
    registry.stubFor(get(BLOB_PATH).willReturn(aResponse().withBody(BLOB)));
    OkHttpUpstream upstream = upstream(1);
    ConnectionLimit limit = upstream.connectionLimit();
    BlobStream holder = upstream.fetchBlob(REPO, BLOB_DIGEST, 0);
    List<String> order = new CopyOnWriteArrayList<>();
    Future<?> waiter =
        callers.submit(
            () -> {
              try (BlobStream stream = upstream.fetchBlob(REPO, BLOB_DIGEST, 0)) {
                order.add("waiter");
              }
              return null;
            });
    await("the waiter queued", () -> limit.waiting() == 1, () -> "" + order);

    // The permit goes back and this thread asks again at once, before the waiter wakes: an unfair
    // semaphore would usually let it barge in.
    holder.close();
    try (BlobStream stream = upstream.fetchBlob(REPO, BLOB_DIGEST, 0)) {
      order.add("newcomer");
    }
    waiter.get(10, TimeUnit.SECONDS);

    assertThat(order).containsExactly("waiter", "newcomer");
  }
}
