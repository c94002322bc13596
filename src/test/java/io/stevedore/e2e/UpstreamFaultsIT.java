package io.stevedore.e2e;

import static io.stevedore.e2e.FaultyUpstream.Face.BLOB_HOST;
import static io.stevedore.e2e.FaultyUpstream.Face.REGISTRY;
import static org.assertj.core.api.Assertions.assertThat;

import io.stevedore.e2e.FaultyUpstream.Seen;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The upstream fault catalogue (issue 16) thrown at one running mirror, in front of a real registry
 * through a {@link FaultyUpstream} that demands Bearer tokens as Docker Hub does. Each test takes a
 * blob nobody fetched yet, breaks its fetch in one way, and checks the promises: every client gets
 * the right bytes or an aborted answer (an error status, or a body cut off; never a clean end of
 * wrong bytes), the next request after the fault gets the right bytes, the fault shows in the
 * mirror's log and metrics, and the proxy's record of requests counts what went upstream. The last
 * test reads every blob again and runs {@code stevedore verify}: nothing wrong was kept.
 *
 * <p>The mirror's read timeout is 2 s, so a stalled upstream costs seconds, not minutes.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class UpstreamFaultsIT {
  private static final String REPOSITORY = "faults/blobs";
  private static final Duration READ_TIMEOUT = Duration.ofSeconds(2);
  // Three whole 1 MiB chunks and a part: faults land inside the blob, away from its edges.
  private static final int BLOB_BYTES = 3 * 1024 * 1024 + 4321;
  private static final long MIDDLE = 1024 * 1024 + 777;
  private static final SplittableRandom RANDOM = new SplittableRandom(16);
  private static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  @RegisterExtension static final Lab lab = new Lab();
  private static final List<Blob> served = new CopyOnWriteArrayList<>();
  private static FaultyUpstream upstream;
  private static StevedoreProcess mirror;

  @BeforeAll
  static void start() throws IOException {
    upstream = lab.own(new FaultyUpstream(lab.registry().url()));
    upstream.requireTokens();
    mirror =
        lab.mirror(
            "stevedore",
            config ->
                config.upstream(
                    MirrorUpstream.of("lab", upstream.url())
                        .asDefault()
                        .extraYaml("read-timeout: " + READ_TIMEOUT.toSeconds() + "s")));
    // The first fetch gets the token (a 401 first), so the tests count only what their fault did.
    Blob first = fresh(BLOB_BYTES);
    assertNextRequestRight(first, 2);
    assertThat(gets(first)).extracting(Seen::status).containsExactly(401, 200);
  }

  @Test
  @Order(1)
  void connectionResetAtARandomOffset_isResumedAndEveryClientGetsTheBlob() {
    Blob blob = fresh(BLOB_BYTES);
    long at = RANDOM.nextLong(1, BLOB_BYTES - 1);
    Before before = before();
    upstream.inject(REGISTRY, blob.digest(), Fault.reset(at));

    List<Outcome> outcomes = clients(blob);

    assertThat(outcomes).as("reset at %d", at).allMatch(Outcome::right);
    assertThat(gets(blob)).as("the broken GET and its resume").hasSize(2);
    assertNextRequestRight(blob);
    before.assertLogged(blob.digest() + " from lab broke at byte");
    before.assertMetric("stevedore_fill_resumes_total", Map.of(), 1);
  }

  @Test
  @Order(2)
  void stallLongerThanTheReadTimeout_isResumedAfterTheTimeout() {
    Blob blob = fresh(BLOB_BYTES);
    Before before = before();
    upstream.inject(REGISTRY, blob.digest(), Fault.stall(MIDDLE));

    List<Outcome> outcomes = clients(blob);

    assertThat(outcomes).allMatch(Outcome::right);
    List<Seen> gets = gets(blob);
    assertThat(gets).extracting(Seen::status).containsExactly(200, 206);
    assertThat(Duration.between(gets.get(0).at(), gets.get(1).at()))
        .as("the resume waited for the read timeout")
        .isGreaterThanOrEqualTo(READ_TIMEOUT);
    assertNextRequestRight(blob);
    before.assertLogged(blob.digest() + " from lab broke at byte");
    before.assertMetric("stevedore_fill_resumes_total", Map.of(), 1);
  }

  @Test
  @Order(3)
  void bodyCutShortOfItsContentLength_isResumed() {
    Blob blob = fresh(BLOB_BYTES);
    Before before = before();
    upstream.inject(REGISTRY, blob.digest(), Fault.truncate(MIDDLE));

    List<Outcome> outcomes = clients(blob);

    assertThat(outcomes).allMatch(Outcome::right);
    assertThat(gets(blob)).extracting(Seen::status).containsExactly(200, 206);
    assertNextRequestRight(blob);
    before.assertLogged(blob.digest() + " from lab broke at byte");
    before.assertMetric("stevedore_fill_resumes_total", Map.of(), 1);
  }

  @Test
  @Order(4)
  void slowDripUnderTheReadTimeout_isOneFetchWithoutResumes() {
    Blob blob = fresh(4_000);
    Before before = before();
    // 1 KB/s in 256-byte pieces: slow, but never silent for as long as the read timeout.
    upstream.inject(REGISTRY, blob.digest(), Fault.drip(1_000));
    Instant start = Instant.now();

    List<Outcome> outcomes = clients(blob);

    assertThat(Duration.between(start, Instant.now())).isGreaterThan(Duration.ofSeconds(3));
    assertThat(outcomes).allMatch(Outcome::right);
    assertThat(gets(blob)).as("one fetch, no resume").hasSize(1);
    assertNextRequestRight(blob);
    before.assertMetric("stevedore_fill_resumes_total", Map.of(), 0);
    before.assertMetric("stevedore_fills_total", Map.of("result", "committed"), 1);
  }

  @Test
  @Order(5)
  void wrongBytesOfTheRightLength_abortEveryClientAndAreNotKept() {
    Blob blob = fresh(BLOB_BYTES);
    Before before = before();
    // In the first chunk, which waiters read before the digest can be known.
    upstream.inject(REGISTRY, blob.digest(), Fault.corrupt(100));

    assertMismatchRefused(blob, before, "with digest sha256:");
  }

  @Test
  @Order(6)
  void bodyLongerThanTheBlob_withAContentLengthThatCountsIt_isRefused() {
    Blob blob = fresh(BLOB_BYTES);
    Before before = before();
    upstream.inject(REGISTRY, blob.digest(), Fault.extend(1_000));

    assertMismatchRefused(blob, before, "with digest sha256:");
  }

  @Test
  @Order(7)
  void bodyLongerThanTheBlob_chunkedWithNoLength_isRefused() {
    Blob blob = fresh(BLOB_BYTES);
    Before before = before();
    upstream.inject(REGISTRY, blob.digest(), Fault.extendChunked(1_000));

    assertMismatchRefused(blob, before, "with more than the " + BLOB_BYTES + " bytes");
  }

  @Test
  @Order(8)
  void serverErrorBurstBeforeTheFirstByte_failsThoseRequestsOnly() {
    Blob blob = fresh(BLOB_BYTES);
    Before before = before();
    upstream.inject(
        REGISTRY, blob.digest(), Fault.status(500), Fault.status(502), Fault.status(503));

    List<Outcome> refused = List.of(get(blob, 0), get(blob, 0), get(blob, 0));

    assertThat(refused)
        .allSatisfy(o -> assertThat(o.error(502, "UNAVAILABLE")).as(o.toString()).isTrue());
    assertThat(gets(blob)).hasSize(3);
    assertNextRequestRight(blob, 1);
    before.assertLogged("fill of " + blob.digest() + " from lab failed: upstream lab answered 503");
    for (String status : List.of("500", "502", "503")) {
      before.assertMetric("stevedore_upstream_requests_total", Map.of("status", status), 1);
    }
    before.assertMetric("stevedore_fills_total", Map.of("result", "failed"), 3);
  }

  @Test
  @Order(9)
  void serverErrorBurstInTheMiddleOfAFill_isRiddenOutByResumes() {
    Blob blob = fresh(BLOB_BYTES);
    Before before = before();
    upstream.inject(
        REGISTRY, blob.digest(), Fault.truncate(MIDDLE), Fault.status(503), Fault.status(500));

    List<Outcome> outcomes = clients(blob);

    assertThat(outcomes).allMatch(Outcome::right);
    assertThat(gets(blob)).extracting(Seen::status).containsExactly(200, 503, 500, 206);
    assertNextRequestRight(blob);
    before.assertLogged(blob.digest() + " from lab broke at byte");
    before.assertMetric("stevedore_fill_resumes_total", Map.of(), 3);
  }

  @Test
  @Order(10)
  void tooManyRequestsWithRetryAfter_isPassedOnAndHonoured() {
    Blob blob = fresh(BLOB_BYTES);
    Before before = before();
    upstream.inject(REGISTRY, blob.digest(), Fault.status(429, Map.of("Retry-After", "2")));

    Outcome limited = get(blob, 0);

    assertThat(limited.error(429, "TOOMANYREQUESTS")).as(limited.toString()).isTrue();
    assertThat(limited.retryAfter()).as(limited.toString()).isEqualTo("2");
    Daemons.await(
        "the blob once the upstream's Retry-After passed",
        Duration.ofSeconds(30),
        mirror::isRunning,
        mirror::logTail,
        () -> get(blob, 0).right());
    List<Seen> gets = gets(blob);
    assertThat(gets).extracting(Seen::status).containsExactly(429, 200);
    assertThat(Duration.between(gets.get(0).at(), gets.get(1).at()))
        .as("no upstream request before the Retry-After passed")
        .isGreaterThanOrEqualTo(Duration.ofSeconds(2));
    before.assertLogged("upstream lab refused a request with 429 (rate limit), retry after PT2S");
    before.assertMetric("stevedore_upstream_requests_total", Map.of("status", "429"), 1);
  }

  @Test
  @Order(11)
  void tooManyRequestsWithoutRetryAfter_isPassedOnAndTheNextRequestAsksAgain() {
    Blob blob = fresh(BLOB_BYTES);
    Before before = before();
    upstream.inject(REGISTRY, blob.digest(), Fault.status(429));

    Outcome limited = get(blob, 0);

    assertThat(limited.error(429, "TOOMANYREQUESTS")).as(limited.toString()).isTrue();
    assertThat(limited.retryAfter()).isNull();
    assertNextRequestRight(blob, 1);
    assertThat(gets(blob)).extracting(Seen::status).containsExactly(429, 200);
    before.assertLogged("upstream lab refused a request with 429 (rate limit), retry after an");
    before.assertMetric("stevedore_upstream_requests_total", Map.of("status", "429"), 1);
  }

  @Test
  @Order(12)
  void tooManyRequestsInTheMiddleOfAFill_resumesOnlyAfterRetryAfter() {
    Blob blob = fresh(BLOB_BYTES);
    Before before = before();
    upstream.inject(
        REGISTRY,
        blob.digest(),
        Fault.truncate(MIDDLE),
        Fault.status(429, Map.of("Retry-After", "3")));

    List<Outcome> outcomes = clients(blob);

    assertThat(outcomes).allMatch(Outcome::right);
    List<Seen> gets = gets(blob);
    assertThat(gets).extracting(Seen::status).containsExactly(200, 429, 206);
    assertThat(Duration.between(gets.get(1).at(), gets.get(2).at()))
        .as("the resume after a 429 waited for its Retry-After")
        .isGreaterThanOrEqualTo(Duration.ofSeconds(3));
    assertNextRequestRight(blob);
    before.assertMetric("stevedore_upstream_requests_total", Map.of("status", "429"), 1);
  }

  @Test
  @Order(13)
  void tokenExpiringInTheMiddleOfAFill_isRenewedAndTheFillGoesOn() {
    Blob blob = fresh(BLOB_BYTES);
    Before before = before();
    int tokens = upstream.tokensIssued();
    upstream.inject(REGISTRY, blob.digest(), Fault.truncate(MIDDLE).then(upstream::expireTokens));

    List<Outcome> outcomes = clients(blob);

    assertThat(outcomes).allMatch(Outcome::right);
    assertThat(gets(blob)).extracting(Seen::status).containsExactly(200, 401, 206);
    assertThat(upstream.tokensIssued()).as("one fresh token").isEqualTo(tokens + 1);
    assertNextRequestRight(blob);
    before.assertLogged(blob.digest() + " from lab broke at byte");
    before.assertMetric("stevedore_upstream_requests_total", Map.of("status", "401"), 1);
  }

  @Test
  @Order(14)
  void blobHostBehindARedirect_failingThenWorking_getsNoTokenAndServesTheBlob() {
    Blob blob = fresh(BLOB_BYTES);
    Before before = before();
    upstream.redirectBlobs(blob.digest());
    upstream.inject(
        BLOB_HOST, blob.digest(), Fault.status(500), Fault.reset(MIDDLE), Fault.status(503));

    Outcome failed = get(blob, 0);
    List<Outcome> outcomes = clients(blob);

    assertThat(failed.error(502, "UNAVAILABLE")).as(failed.toString()).isTrue();
    assertThat(outcomes).allMatch(Outcome::right);
    List<Seen> gets = gets(blob);
    List<Seen> atRegistry = gets.stream().filter(s -> s.face() == REGISTRY).toList();
    List<Seen> atBlobHost = gets.stream().filter(s -> s.face() == BLOB_HOST).toList();
    assertThat(atRegistry).extracting(Seen::status).containsOnly(307).hasSize(4);
    assertThat(atRegistry).allMatch(s -> s.authorization().startsWith("Bearer "));
    // A reset loses what the mirror had not read yet: it resumes from its last whole chunk, or
    // from the start when that was the first.
    assertThat(atBlobHost).extracting(Seen::status).hasSize(4).startsWith(500, 200, 503);
    assertThat(atBlobHost.getLast().status()).isIn(200, 206);
    assertThat(atBlobHost)
        .as("the token stays with the registry")
        .allMatch(s -> s.authorization() == null);
    assertNextRequestRight(blob);
    before.assertLogged(blob.digest() + " from lab broke at byte");
    before.assertMetric("stevedore_fill_resumes_total", Map.of(), 2);
    // Counted as the answer to the blob request: OkHttp followed the redirect below the listener.
    before.assertMetric("stevedore_upstream_requests_total", Map.of("status", "500"), 1);
    before.assertMetric("stevedore_upstream_requests_total", Map.of("status", "503"), 1);
  }

  @Test
  @Order(15)
  void bodyBreakingOffAgainAndAgain_theFillGivesUpAfterItsResumes() {
    Blob blob = fresh(BLOB_BYTES);
    Before before = before();
    // Less than a chunk each time: no resume gets further than the first.
    Fault[] breaks = new Fault[6];
    Arrays.fill(breaks, Fault.truncate(1_000));
    upstream.inject(REGISTRY, blob.digest(), breaks);

    List<Outcome> outcomes = clients(blob);

    assertThat(outcomes).allSatisfy(o -> assertThat(o.safe()).as(o.toString()).isTrue());
    assertThat(outcomes).noneMatch(Outcome::right);
    assertThat(gets(blob)).as("the first GET and five resumes").hasSize(6);
    assertNextRequestRight(blob, 1);
    before.assertLogged("kept breaking off blob " + blob.digest() + "; gave up after 5 resumes");
    before.assertMetric("stevedore_fill_resumes_total", Map.of(), 5);
    before.assertMetric("stevedore_fills_total", Map.of("result", "failed"), 1);
  }

  @Test
  @Order(16)
  void manifestWithWrongBytesOrCutShort_isRefusedAndNotKept() {
    OciImage image = OciImages.shared().small();
    lab.push(image, "faults/image:1.0");
    String path = "/v2/faults/image/manifests/1.0";
    Before before = before();
    upstream.inject(REGISTRY, path, Fault.corrupt(10), Fault.truncate(10));

    List<HttpResponse<byte[]>> answers =
        List.of(manifest(path), manifest(path), manifest(path), manifest(path));

    RegistryHttp.assertError(answers.get(0), 502, "UNAVAILABLE");
    RegistryHttp.assertError(answers.get(1), 502, "UNAVAILABLE");
    for (HttpResponse<byte[]> right : answers.subList(2, 4)) {
      assertThat(right.statusCode()).isEqualTo(200);
      assertThat(RegistryHttp.header(right, "Docker-Content-Digest")).isEqualTo(image.digest());
      assertThat("sha256:" + HexFormat.of().formatHex(sha256().digest(right.body())))
          .isEqualTo(image.digest());
    }
    // After the 401 that gets a token for this repository.
    assertThat(upstream.seen(path).stream().filter(s -> s.status() != 401))
        .as("two broken GETs, one good one, then the cache")
        .allMatch(s -> s.method().equals("GET"))
        .extracting(Seen::fault)
        .containsExactly(Fault.corrupt(10), Fault.truncate(10), null);
    before.assertLogged("sent a manifest for faults/image:1.0 whose digest is");
    before.assertLogged("GET " + path + " failed: upstream lab failed");
    before.assertMetric(
        "stevedore_http_requests_total", Map.of("route", "manifest", "status", "5xx"), 2);
  }

  @Test
  @Order(100)
  void afterEveryFault_everyBlobIsServedRight_andVerifyFindsNothingCorrupt() {
    assertThat(upstream.pending()).as("every fault was done").isEmpty();
    for (Blob blob : served) {
      assertNextRequestRight(blob);
    }

    ExecResult verify = mirror.command(List.of(), "verify").requireSuccess();

    assertThat(verify.stdout())
        .contains("verified " + served.size() + " blobs")
        .contains("removed 0 blobs and 0 manifests");
  }

  /** Every client aborted or refused, or right from a later fill; no bytes kept from the fault. */
  private static void assertMismatchRefused(Blob blob, Before before, String logged) {
    List<Outcome> outcomes = clients(blob);

    // The client that started the fill waited on the faulty one: it cannot have the blob.
    assertThat(outcomes).anyMatch(o -> !o.right());
    assertThat(outcomes).allSatisfy(o -> assertThat(o.safe()).as(o.toString()).isTrue());
    assertThat(gets(blob).stream().filter(s -> s.fault() != null)).hasSize(1);
    // A client that came after the failed fill started a new one, which stored the blob.
    assertNextRequestRight(blob, outcomes.stream().anyMatch(Outcome::right) ? 0 : 1);
    before.assertLogged("sent blob " + blob.digest() + " " + logged);
    before.assertMetric("stevedore_fill_digest_mismatches_total", Map.of(), 1);
  }

  private static HttpResponse<byte[]> manifest(String path) {
    return RegistryHttp.send("GET", mirror.url().resolve(path), RegistryHttp.ACCEPT_ALL_MANIFESTS);
  }

  /** A new random blob in the registry, which neither the proxy nor the mirror has seen. */
  private static Blob fresh(int size) {
    byte[] content = new byte[size];
    RANDOM.nextBytes(content);
    Blob blob = new Blob(lab.registry().pushBlob(REPOSITORY, content), content);
    served.add(blob);
    return blob;
  }

  /** GETs of the blob the proxy saw, at either face, in order. */
  private static List<Seen> gets(Blob blob) {
    return upstream.seen(blob.digest()).stream().filter(s -> s.method().equals("GET")).toList();
  }

  private static void assertNextRequestRight(Blob blob) {
    assertNextRequestRight(blob, 0);
  }

  /** A GET now gets the right bytes, and asks the upstream {@code upstreamGets} times for them. */
  private static void assertNextRequestRight(Blob blob, int upstreamGets) {
    int seen = gets(blob).size();
    Outcome next = get(blob, 0);
    assertThat(next.right()).as(next.toString()).isTrue();
    assertThat(gets(blob).size() - seen).as("upstream GETs for " + next).isEqualTo(upstreamGets);
  }

  /** Two whole-blob clients and one from a third of the blob on, started together. */
  private static List<Outcome> clients(Blob blob) {
    long third = blob.content().length / 3;
    try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
      List<CompletableFuture<Outcome>> running =
          List.of(
              CompletableFuture.supplyAsync(() -> get(blob, 0), threads),
              CompletableFuture.supplyAsync(() -> get(blob, 0), threads),
              CompletableFuture.supplyAsync(() -> get(blob, third), threads));
      return running.stream().map(CompletableFuture::join).toList();
    }
  }

  /** GETs the blob through the mirror from {@code from} on, hashing what arrives. */
  private static Outcome get(Blob blob, long from) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(
                mirror.url().resolve("/v2/" + REPOSITORY + "/blobs/" + blob.digest()))
            .timeout(Duration.ofMinutes(1));
    if (from > 0) {
      request.header("Range", "bytes=" + from + "-");
    }
    byte[] expected = Arrays.copyOfRange(blob.content(), (int) from, blob.content().length);
    HttpResponse<InputStream> response;
    try {
      response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
    } catch (IOException e) {
      return new Outcome(from, -1, 0, false, e.toString(), "", null);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
    int status = response.statusCode();
    String retryAfter = response.headers().firstValue("Retry-After").orElse(null);
    MessageDigest sha256 = sha256();
    long received = 0;
    byte[] head = new byte[0];
    try (InputStream body = response.body()) {
      byte[] buffer = new byte[64 * 1024];
      int read;
      while ((read = body.read(buffer)) >= 0) {
        if (received < 4096) {
          // An answer may arrive in several reads: keep its start whole.
          int keep = (int) Math.min(4096 - received, read);
          head = Arrays.copyOf(head, head.length + keep);
          System.arraycopy(buffer, 0, head, head.length - keep, keep);
        }
        sha256.update(buffer, 0, read);
        received += read;
      }
    } catch (IOException e) {
      return new Outcome(from, status, received, false, e.toString(), "", retryAfter);
    }
    boolean right =
        status == (from > 0 ? 206 : 200)
            && received == expected.length
            && MessageDigest.isEqual(sha256.digest(), sha256().digest(expected));
    return new Outcome(
        from,
        status,
        received,
        right,
        null,
        status >= 400 ? new String(head, StandardCharsets.UTF_8) : "",
        retryAfter);
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  /** A blob in the upstream: its digest and bytes. */
  private record Blob(String digest, byte[] content) {}

  /**
   * What one client got.
   *
   * @param right the whole (ranged) body, hashing to what was asked
   * @param broken how the body broke off, or null when it ended cleanly
   * @param errorBody the start of an error answer's body
   */
  private record Outcome(
      long from,
      int status,
      long bytes,
      boolean right,
      String broken,
      String errorBody,
      String retryAfter) {

    /** An answer with this status and OCI error code, ended cleanly. */
    boolean error(int expectedStatus, String code) {
      return broken == null
          && status == expectedStatus
          && errorBody.startsWith("{\"errors\":[{\"code\":\"" + code + "\"");
    }

    /** The right bytes, an error answer, or a body broken off: never a clean end of wrong bytes. */
    boolean safe() {
      return right || broken != null || (status >= 400 && errorBody.contains("\"errors\""));
    }

    @Override
    public String toString() {
      return "GET from byte %d: status %d, %d bytes, %s%s"
          .formatted(
              from,
              status,
              bytes,
              right
                  ? "right"
                  : broken != null
                      ? "broken off (" + broken + ")"
                      : status >= 400 ? "error answer" : "CLEAN END OF WRONG BYTES",
              errorBody.isEmpty() ? "" : " " + errorBody);
    }
  }

  private static Before before() {
    return new Before(logSize(), scrape());
  }

  /** The mirror's log and metrics before a fault, to find what the fault added to them. */
  private record Before(long logBytes, String metrics) {
    /** The log gets {@code text} after this point (fills log as they end: waited for). */
    void assertLogged(String text) {
      Daemons.await(
          "the mirror's log to say \"" + text + "\"",
          Duration.ofSeconds(10),
          mirror::isRunning,
          mirror::logTail,
          () -> logSince(logBytes).contains(text));
    }

    /** The metric's samples with {@code labels} grew by {@code delta} since this point. */
    void assertMetric(String name, Map<String, String> labels, long delta) {
      long was = MetricsText.sum(metrics, name, labels);
      Daemons.await(
          name + labels + " to grow by " + delta,
          Duration.ofSeconds(10),
          mirror::isRunning,
          () -> "was " + was + ", is " + MetricsText.sum(scrape(), name, labels),
          () -> MetricsText.sum(scrape(), name, labels) - was >= delta);
      assertThat(MetricsText.sum(scrape(), name, labels) - was)
          .as("%s%s since the fault", name, labels)
          .isEqualTo(delta);
    }
  }

  private static long logSize() {
    try {
      return Files.size(mirror.logFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String logSince(long offset) {
    try {
      byte[] all = Files.readAllBytes(mirror.logFile());
      return new String(all, (int) offset, all.length - (int) offset, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String scrape() {
    return MetricsText.scrape(mirror);
  }
}
