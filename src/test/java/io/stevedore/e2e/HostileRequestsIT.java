package io.stevedore.e2e;

import static io.stevedore.e2e.RegistryHttp.header;
import static io.stevedore.e2e.RegistryHttp.send;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * One running mirror against a corpus of malformed and hostile requests (generated: categories
 * times variants), over raw sockets so that nothing is cleaned up on the way. Every one is refused
 * with a 4xx and the OCI error JSON (or, where HTTP leaves no room, a closed connection), none is a
 * 5xx, none reaches the upstream (its access log is the witness), and afterwards the mirror still
 * serves a correct pull. Then what a well-formed request for missing content costs upstream (once,
 * thanks to the negative cache), and, with the upstream gone, a tag cached for one client's Accept
 * list served to other clients.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HostileRequestsIT {
  private static final String OCI_MANIFEST = OciImage.MANIFEST;
  private static final Duration HEADER_TIMEOUT = Duration.ofSeconds(2);
  private static final Duration IDLE_TIMEOUT = Duration.ofSeconds(3);
  private static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(30);
  private static final Pattern OCI_ERROR =
      Pattern.compile(
          "\\{\"errors\":\\[\\{\"code\":\"[A-Z_]+\",\"message\":\".*\"}]}", Pattern.DOTALL);
  private static final String ZERO_DIGEST = "sha256:" + "0".repeat(64);

  @RegisterExtension static final Lab lab = new Lab();
  private static RegistryProcess registry;
  private static StevedoreProcess mirror;
  private static OciImage image;
  private static OciImage.Blob layer;
  private static byte[] layerBytes;

  /** What a case must get. */
  private enum Expect {
    /** A 4xx with the OCI error JSON (no body for HEAD). */
    REFUSED,
    /** As {@link #REFUSED}, or the connection closed: the request is too large to answer. */
    REFUSED_OR_CLOSED,
    /** Valid HTTP after all, which RFC 9110 answers with the whole blob: 200. */
    WHOLE_BLOB,
    /** A suffix range longer than the blob: 206 with every byte. */
    WHOLE_BLOB_AS_RANGE
  }

  private record Case(String category, String label, byte[] request, boolean head, Expect expect) {
    @Override
    public String toString() {
      return category + ": " + label;
    }
  }

  @BeforeAll
  static void pushAndWarm() {
    registry = lab.registry();
    image = OciImages.shared().small();
    lab.push(image, "lab/small:latest");
    lab.push(image, "lab/stale:1.0");
    mirror =
        lab.mirror(
            "stevedore",
            config ->
                config
                    .upstream(lab.upstream().aliases("lab.example"))
                    .serverYaml(
                        "header-timeout: %ds\nidle-timeout: %ds\n"
                            .formatted(HEADER_TIMEOUT.toSeconds(), IDLE_TIMEOUT.toSeconds())));
    String pulled =
        lab.skopeo().pullToOci(mirror.hostPort() + "/lab/small:latest", lab.path("warm"));
    assertThat(pulled).isEqualTo(image.digest());
    layer = image.manifests().getFirst().layers().getFirst().blob();
    HttpResponse<byte[]> blob =
        send("GET", mirror.url().resolve("/v2/lab/small/blobs/" + layer.digest()), null);
    assertThat(Skopeo.sha256(blob.body())).isEqualTo(layer.digest());
    layerBytes = blob.body();
  }

  // ------------------------------------------------------------------------------ the corpus

  @Test
  @Order(10)
  void everyHostileRequest_isRefusedWithoutAServerError_andNoneReachesTheUpstream() {
    List<Case> corpus = corpus();
    assertThat(corpus).hasSizeGreaterThanOrEqualTo(200);
    registry.clearCount();

    List<String> failures = new ArrayList<>();
    Map<Integer, Long> statuses =
        corpus.stream()
            .collect(
                Collectors.groupingBy(
                    c -> {
                      RawHttp.Answer answer =
                          RawHttp.exchange(mirror.port(), c.request(), c.head(), ANSWER_TIMEOUT);
                      check(c, answer).ifPresent(failures::add);
                      return answer.status();
                    },
                    Collectors.counting()));

    assertThat(failures).as("cases answered wrongly, of %d", corpus.size()).isEmpty();
    assertThat(statuses.keySet()).as("statuses").allMatch(s -> s < 500);
    assertThat(registry.requests()).as("requests that reached the upstream").isEmpty();
    assertThat(mirror.logTail()).doesNotContain("internal error");
    System.out.printf("hostile corpus: %d cases, statuses %s%n", corpus.size(), statuses);
  }

  @Test
  @Order(11)
  void slowLorisClients_areCutOff_whileOthersAreServed() throws Exception {
    registry.clearCount();
    byte[] line = "GET /v2/ HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII);
    byte[] headers =
        ("Host: 127.0.0.1\r\nX-Slow: " + "a".repeat(200) + "\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII);
    List<CompletableFuture<Duration>> slow =
        List.of(
            // The request line at once, then the headers a byte at a time.
            dribble(line, headers),
            // The request line itself a byte at a time.
            dribble(new byte[0], concat(line, headers)),
            // The headers after a quick first one, each of them late.
            dribble(concat(line, "Host: x\r\n".getBytes(StandardCharsets.US_ASCII)), headers),
            // One byte, then nothing.
            dribble("G".getBytes(StandardCharsets.US_ASCII), new byte[0]));

    // Meanwhile everyone else is served as usual.
    for (int i = 0; i < 5; i++) {
      assertThat(send("GET", mirror.url().resolve("/v2/"), null).statusCode()).isEqualTo(200);
    }
    for (CompletableFuture<Duration> client : slow) {
      Duration cutAfter = client.get();
      System.out.println("slow client cut off after " + cutAfter);
      assertThat(cutAfter)
          .as("a slow client is cut off by the header or idle timeout, not sooner")
          .isGreaterThanOrEqualTo(HEADER_TIMEOUT.minusMillis(100))
          .isLessThan(IDLE_TIMEOUT.plusSeconds(10));
    }
    assertThat(registry.requests()).isEmpty();
  }

  @Test
  @Order(20)
  void afterwards_theMirrorStillServesACorrectPull() {
    Path pulled = lab.path("after");
    assertThat(lab.skopeo().pullToOci(mirror.hostPort() + "/lab/small:latest", pulled))
        .isEqualTo(image.digest());
    for (String digest : image.blobDigests()) {
      HttpResponse<byte[]> blob =
          send("GET", mirror.url().resolve("/v2/lab/small/blobs/" + digest), null);
      assertThat(blob.statusCode()).isEqualTo(200);
      assertThat(Skopeo.sha256(blob.body())).isEqualTo(digest);
    }
  }

  // ------------------------------------------------------------------ well-formed but missing

  @Test
  @Order(30)
  void aBlobTheUpstreamLacks_isAskedUpstreamOnce_rangedOrNot_getOrHead() {
    registry.clearCount();
    String path = "/v2/lab/small/blobs/" + ZERO_DIGEST;
    List<String> ranges = List.of("", "bytes=0-", "bytes=10-20", "bytes=-5", "bytes=100-");
    for (String range : ranges) {
      byte[] request =
          range.isEmpty()
              ? RawHttp.request("GET", path, mirror.port())
              : RawHttp.request("GET", path, mirror.port(), "Range: " + range);
      RawHttp.Answer answer = RawHttp.exchange(mirror.port(), request, false, ANSWER_TIMEOUT);
      assertThat(answer.status()).as("GET %s %s", path, range).isEqualTo(404);
      assertThat(answer.bodyText()).contains("BLOB_UNKNOWN");
    }
    RawHttp.Answer head =
        RawHttp.exchange(
            mirror.port(), RawHttp.request("HEAD", path, mirror.port()), true, ANSWER_TIMEOUT);
    assertThat(head.status()).isEqualTo(404);

    assertThat(upstreamRequests(path))
        .as("upstream requests for a blob it lacks, asked %d times", ranges.size() + 1)
        .isEqualTo(1);
    assertThat(registry.requests()).hasSize(1);
  }

  @Test
  @Order(31)
  void sha512Digests_areValid_andAskedUpstream() {
    registry.clearCount();
    String path = "/v2/lab/small/blobs/sha512:" + "0".repeat(128);
    for (String method : List.of("GET", "HEAD", "GET")) {
      RawHttp.Answer answer =
          RawHttp.exchange(
              mirror.port(),
              RawHttp.request(method, path, mirror.port()),
              method.equals("HEAD"),
              ANSWER_TIMEOUT);
      assertThat(answer.status())
          .as("%s of a sha512 digest the upstream lacks", method)
          .isEqualTo(404);
    }
    assertThat(upstreamRequests(path)).isEqualTo(1);
  }

  private static long upstreamRequests(String path) {
    return registry.count("GET", Pattern.quote(path)) + registry.count("HEAD", Pattern.quote(path));
  }

  // ------------------------------------------------------------- stale manifests, every client

  @Test
  @Order(40)
  void aTagCachedForOneAcceptList_servesEveryClientThatTakesIt_alsoWithTheUpstreamGone() {
    // lab/small:latest was cached by skopeo (every manifest type): a client that takes only
    // OCI manifests is answered from that entry while it is fresh.
    registry.clearCount();
    HttpResponse<byte[]> fresh =
        send("GET", mirror.url().resolve("/v2/lab/small/manifests/latest"), OCI_MANIFEST);
    assertThat(fresh.statusCode()).isEqualTo(200);
    assertThat(header(fresh, "Docker-Content-Digest")).isEqualTo(image.digest());
    assertThat(registry.manifestRequests()).as("upstream manifest requests").isZero();
    // lab/stale:1.0 is cached for a client that takes OCI manifests only.
    HttpResponse<byte[]> narrow =
        send("GET", mirror.url().resolve("/v2/lab/stale/manifests/1.0"), OCI_MANIFEST);
    assertThat(narrow.statusCode()).isEqualTo(200);

    registry.stop();

    HttpResponse<byte[]> small =
        send("GET", mirror.url().resolve("/v2/lab/small/manifests/latest"), OCI_MANIFEST);
    assertThat(small.statusCode()).as(RegistryHttp.describe(small)).isEqualTo(200);
    assertThat(Skopeo.sha256(small.body())).isEqualTo(image.digest());
    // A client accepting every type, which the upstream might have answered with an index: served
    // stale rather than not at all.
    HttpResponse<byte[]> any =
        send("GET", mirror.url().resolve("/v2/lab/stale/manifests/1.0"), null);
    assertThat(any.statusCode()).as(RegistryHttp.describe(any)).isEqualTo(200);
    assertThat(header(any, "X-Stevedore-Stale")).isEqualTo("true");
    assertThat(Skopeo.sha256(any.body())).isEqualTo(image.digest());
    // Real clients, each with its own Accept list.
    assertThat(lab.skopeo().pullToOci(mirror.hostPort() + "/lab/stale:1.0", lab.path("stale")))
        .isEqualTo(image.digest());
    if (Containerd.canRun()) {
      Path hosts = lab.hostsDir("lab.example", mirror.url());
      assertThat(lab.containerd().pull(hosts, "lab.example/lab/stale:1.0").digest())
          .isEqualTo(image.digest());
    }
  }

  // ------------------------------------------------------------------------- building the corpus

  private static List<Case> corpus() {
    List<Case> cases = new ArrayList<>();
    badDigests(cases);
    pathTraversal(cases);
    longNames(cases);
    badTags(cases);
    ranges(cases);
    headers(cases);
    namespaces(cases);
    methods(cases);
    malformedRequestLines(cases);
    return cases;
  }

  private static void badDigests(List<Case> cases) {
    String hex = layer.hex();
    List<String> digests =
        List.of(
            "md5:" + hex.substring(0, 32),
            "sha1:" + hex.substring(0, 40),
            "sha384:" + hex + hex.substring(0, 32),
            "SHA256:" + hex,
            "sha256:" + hex.toUpperCase(java.util.Locale.ROOT),
            "sha256:" + hex.substring(0, 63),
            "sha256:" + hex + "0",
            "sha256:",
            ":" + hex,
            "sha256:" + hex.substring(0, 63) + "g",
            "sha256:" + hex + ":" + hex,
            "sha256:-" + hex.substring(1),
            "sha512:" + hex,
            "sha512:" + hex + hex.substring(0, 63) + "Z");
    for (String digest : digests) {
      for (String method : List.of("GET", "HEAD")) {
        cases.add(get("bad digest", method, "/v2/lab/small/blobs/" + digest, Expect.REFUSED));
        cases.add(get("bad digest", method, "/v2/lab/small/manifests/" + digest, Expect.REFUSED));
      }
      cases.add(get("bad digest", "GET", "/v2/lab/small/referrers/" + digest, Expect.REFUSED));
    }
    cases.add(get("bad digest", "GET", "/v2/lab/small/blobs/sha256", Expect.REFUSED));
    String huge = "sha256:" + "a".repeat(10 * 1024 * 1024);
    for (String kind : List.of("blobs", "manifests")) {
      cases.add(
          get("bad digest", "GET", "/v2/lab/small/" + kind + "/" + huge, Expect.REFUSED_OR_CLOSED));
    }
  }

  private static void pathTraversal(List<Case> cases) {
    List<String> names =
        List.of(
            "lab/../small",
            "lab/small/..",
            "../lab/small",
            "lab/%2e%2e/small",
            "lab/%2E%2E/small",
            "lab/.%2e/small",
            "lab/./small",
            "lab%2fsmall",
            "lab%2Fsmall",
            "lab%5csmall",
            "lab/small%00",
            "lab%00/small",
            "lab/small;x=y",
            "lab//small",
            "lab/%252e%252e/small",
            "lab/sm%20all",
            "lab/small%2f..%2f..%2fetc");
    List<Function<String, String>> targets =
        List.of(
            name -> "/v2/" + name + "/manifests/latest",
            name -> "/v2/" + name + "/blobs/" + layer.digest(),
            name -> "/v2/" + name + "/tags/list");
    for (String name : names) {
      for (Function<String, String> target : targets) {
        cases.add(get("path traversal", "GET", target.apply(name), Expect.REFUSED));
      }
    }
    for (String path :
        List.of(
            "/v2/../../etc/passwd",
            "/v2/%2e%2e/%2e%2e/etc/passwd",
            "/v2/lab/small/manifests/..",
            "/v2/lab/small/manifests/%2e%2e",
            "/v2/lab/small/blobs/..%2f" + layer.digest())) {
      cases.add(get("path traversal", "GET", path, Expect.REFUSED));
    }
  }

  private static void longNames(List<Case> cases) {
    for (int length : List.of(256, 300, 1000, 3000)) {
      String name = "lab/" + "a".repeat(length - 4);
      cases.add(get("long name", "GET", "/v2/" + name + "/manifests/latest", Expect.REFUSED));
      cases.add(get("long name", "HEAD", "/v2/" + name + "/manifests/latest", Expect.REFUSED));
      cases.add(
          get("long name", "GET", "/v2/" + name + "/blobs/" + layer.digest(), Expect.REFUSED));
      cases.add(get("long name", "GET", "/v2/" + name + "/tags/list", Expect.REFUSED));
    }
    // Longer than the request line may be.
    String name = "lab/" + "a".repeat(20_000);
    cases.add(
        get("long name", "GET", "/v2/" + name + "/manifests/latest", Expect.REFUSED_OR_CLOSED));
  }

  private static void badTags(List<Case> cases) {
    for (String tag :
        List.of("-latest", ".latest", "a".repeat(129), "lat%20est", "lat+est", "lat=est", "")) {
      cases.add(get("bad tag", "GET", "/v2/lab/small/manifests/" + tag, Expect.REFUSED));
      cases.add(get("bad tag", "HEAD", "/v2/lab/small/manifests/" + tag, Expect.REFUSED));
    }
  }

  private static void ranges(List<Case> cases) {
    String blob = "/v2/lab/small/blobs/" + layer.digest();
    long size = layer.size();
    List<String> unsatisfiable =
        List.of(
            "bytes=-0",
            "bytes=" + size + "-",
            "bytes=" + size + "-" + (size + 10),
            "bytes=99999999999999999999999-",
            "bytes=5-1",
            "bytes=abc",
            "bytes=",
            "bytes=-",
            "bytes=1-2-3",
            "bytes=--1",
            "bytes=0x10-",
            "bytes=1.5-2",
            "bytes= , ,",
            "bytes",
            "BYTES=-0");
    for (String range : unsatisfiable) {
      cases.add(get("range", "GET", blob, Expect.REFUSED, "Range: " + range));
    }
    // Odd but valid: RFC 9110 has the server send every byte.
    String many = "bytes=" + "0-0,".repeat(500) + "0-0";
    for (String range : List.of("bytes=0-1,5-6", "bytes=0-0,-1", many, "items=0-1", "garbage")) {
      cases.add(get("range", "GET", blob, Expect.WHOLE_BLOB, "Range: " + range));
    }
    for (String range : List.of("bytes=-" + (size + 1), "bytes=-999999999999999999999")) {
      cases.add(get("range", "GET", blob, Expect.WHOLE_BLOB_AS_RANGE, "Range: " + range));
    }
  }

  private static void headers(List<Case> cases) {
    String manifest = "/v2/lab/small/manifests/latest";
    String blob = "/v2/lab/small/blobs/" + layer.digest();
    for (String path : List.of(manifest, blob, "/v2/")) {
      cases.add(
          get(
              "huge header",
              "GET",
              path,
              Expect.REFUSED_OR_CLOSED,
              "Accept: " + "a".repeat(10 * 1024 * 1024)));
      cases.add(
          get(
              "huge header",
              "GET",
              path,
              Expect.REFUSED_OR_CLOSED,
              "X-Big: " + "b".repeat(20_000)));
      cases.add(
          get(
              "huge header",
              "GET",
              path,
              Expect.REFUSED_OR_CLOSED,
              repeated("X-Repeat: r", 5_000)));
      cases.add(
          get(
              "huge header",
              "GET",
              path,
              Expect.REFUSED_OR_CLOSED,
              repeated("Accept: " + OCI_MANIFEST, 2_000)));
      cases.add(get("bad header", "GET", path, Expect.REFUSED, "Host: elsewhere"));
      cases.add(get("bad header", "GET", path, Expect.REFUSED, "Content-Length: abc"));
      cases.add(get("bad header", "GET", path, Expect.REFUSED, "Content-Length: -1"));
      cases.add(get("bad header", "GET", path, Expect.REFUSED, "Bad Header: x"));
    }
  }

  private static void namespaces(List<Case> cases) {
    List<String> values =
        List.of(
            "evil.example",
            "127.0.0.1:1",
            "localhost",
            "%00",
            "lab.example%00",
            "lab.example%2f..",
            "..%2f..",
            "x".repeat(300),
            "docker.io",
            "lab.example.",
            "LAB.EXAMPLE.evil");
    for (String ns : values) {
      cases.add(get("bad ns", "GET", "/v2/lab/small/manifests/latest?ns=" + ns, Expect.REFUSED));
      cases.add(
          get(
              "bad ns",
              "HEAD",
              "/v2/lab/small/blobs/" + layer.digest() + "?ns=" + ns,
              Expect.REFUSED));
    }
  }

  private static void methods(List<Case> cases) {
    List<String> paths =
        List.of(
            "/v2/",
            "/v2/lab/small/manifests/latest",
            "/v2/lab/small/blobs/" + layer.digest(),
            "/v2/lab/small/blobs/uploads/",
            "/v2/lab/small/tags/list",
            "/v2/_catalog");
    for (String method : List.of("PUT", "POST", "DELETE", "PATCH")) {
      for (String path : paths) {
        cases.add(get("method", method, path, Expect.REFUSED, "Content-Length: 0"));
      }
    }
    for (String method : List.of("TRACE", "OPTIONS", "PROPFIND", "FOO")) {
      cases.add(get("method", method, "/v2/lab/small/manifests/latest", Expect.REFUSED));
    }
    cases.add(
        raw(
            "method",
            "CONNECT",
            "CONNECT 127.0.0.1:443 HTTP/1.1\r\nHost: 127.0.0.1:443\r\n\r\n",
            Expect.REFUSED_OR_CLOSED));
    cases.add(
        raw(
            "method",
            "CONNECT upstream",
            "CONNECT "
                + registry.hostPort()
                + " HTTP/1.1\r\nHost: "
                + registry.hostPort()
                + "\r\n\r\n",
            Expect.REFUSED_OR_CLOSED));
  }

  private static void malformedRequestLines(List<Case> cases) {
    List<String> lines =
        List.of(
            "GARBAGE\r\n\r\n",
            "GET /v2/\r\n\r\n",
            "GET /v2/ HTTP/9.9\r\nHost: x\r\n\r\n",
            "GET v2/ HTTP/1.1\r\nHost: x\r\n\r\n",
            "GET /v2/ HTTP/1.1 extra\r\nHost: x\r\n\r\n",
            "GET  /v2/  HTTP/1.1\r\nHost: x\r\n\r\n",
            "GET /v2/\u0000 HTTP/1.1\r\nHost: x\r\n\r\n",
            "GET /v2/lab/small/manifests/latest\tHTTP/1.1\r\nHost: x\r\n\r\n",
            "\r\n\r\n\r\n\r\n",
            "GET /v2/ HTTP/1.1\nHost: x\n\n",
            "GET /v2/lab/sm\u00e4ll/manifests/latest HTTP/1.1\r\nHost: x\r\n\r\n",
            "GET /v2/lab/small/manifests/latest HTTP/1.1\r\nHost: x\r\nX-Folded: a\r\n b\r\n\r\n");
    for (int i = 0; i < lines.size(); i++) {
      cases.add(raw("request line", "#" + i, lines.get(i), Expect.REFUSED_OR_CLOSED));
    }
  }

  private static Case get(
      String category, String method, String target, Expect expect, String... headers) {
    String label =
        method
            + " "
            + (target.length() <= 120 ? target : target.substring(0, 120) + "...")
            + (headers.length == 0
                ? ""
                : " + "
                    + (headers[0].length() <= 60
                        ? headers[0]
                        : headers[0].substring(0, 60) + "..."));
    return new Case(
        category,
        label,
        RawHttp.request(method, target, mirror.port(), headers),
        method.equals("HEAD"),
        expect);
  }

  private static Case raw(String category, String label, String request, Expect expect) {
    return new Case(category, label, request.getBytes(StandardCharsets.ISO_8859_1), false, expect);
  }

  private static String repeated(String line, int times) {
    return String.join("\r\n", java.util.Collections.nCopies(times, line));
  }

  /** Why {@code answer} is wrong for {@code c}, if it is. */
  private static java.util.Optional<String> check(Case c, RawHttp.Answer answer) {
    boolean right =
        switch (c.expect()) {
          case REFUSED -> refusedWithJson(c, answer);
          case REFUSED_OR_CLOSED -> answer.closedWithoutAnswer() || refusedWithJson(c, answer);
          case WHOLE_BLOB -> answer.status() == 200 && Arrays.equals(answer.body(), layerBytes);
          case WHOLE_BLOB_AS_RANGE ->
              answer.status() == 206
                  && Arrays.equals(answer.body(), layerBytes)
                  && ("bytes 0-" + (layerBytes.length - 1) + "/" + layerBytes.length)
                      .equals(answer.header("Content-Range"));
        };
    return right
        ? java.util.Optional.empty()
        : java.util.Optional.of(c + " (expected " + c.expect() + ") -> " + answer);
  }

  private static boolean refusedWithJson(Case c, RawHttp.Answer answer) {
    if (answer.status() < 400 || answer.status() > 499) {
      return false;
    }
    if (c.head()) {
      return true;
    }
    return String.valueOf(answer.header("Content-Type")).startsWith("application/json")
        && OCI_ERROR.matcher(answer.bodyText()).matches();
  }

  // ------------------------------------------------------------------------------- slow clients

  /**
   * Sends {@code first} at once, then {@code rest} a byte every 200 ms, and completes with how long
   * after connecting the server closed the connection; it fails if the server answered instead.
   */
  private static CompletableFuture<Duration> dribble(byte[] first, byte[] rest) {
    CompletableFuture<Duration> cut = new CompletableFuture<>();
    Thread.ofVirtual()
        .start(
            () -> {
              ScheduledExecutorService pace = Executors.newSingleThreadScheduledExecutor();
              try (Socket socket = new Socket("127.0.0.1", mirror.port())) {
                socket.setSoTimeout(30_000);
                long start = System.nanoTime();
                OutputStream out = socket.getOutputStream();
                out.write(first);
                out.flush();
                AtomicInteger next = new AtomicInteger();
                pace.scheduleAtFixedRate(
                    () -> {
                      int at = next.getAndIncrement();
                      if (at >= rest.length) {
                        throw new IllegalStateException("all sent"); // ends the schedule
                      }
                      try {
                        out.write(rest[at]);
                        out.flush();
                      } catch (IOException closed) {
                        throw new IllegalStateException("closed by the server", closed);
                      }
                    },
                    200,
                    200,
                    TimeUnit.MILLISECONDS);
                int answer;
                try {
                  answer = socket.getInputStream().read();
                } catch (IOException reset) {
                  answer = -1;
                }
                if (answer >= 0) {
                  cut.completeExceptionally(
                      new AssertionError("a slow client was answered instead of cut off"));
                } else {
                  cut.complete(Duration.ofNanos(System.nanoTime() - start));
                }
              } catch (IOException | RuntimeException e) {
                cut.completeExceptionally(e);
              } finally {
                pace.shutdownNow();
              }
            });
    return cut;
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] both = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, both, a.length, b.length);
    return both;
  }
}
