package io.stevedore.e2e;

import static io.stevedore.e2e.MetricsText.sum;
import static org.assertj.core.api.Assertions.assertThat;

import io.stevedore.oci.Json;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What an operator sees of a cold and a warm skopeo pull through a mirror of a registry that needs
 * a password: {@code /metrics} passes {@code promtool check metrics}, and its counters equal what
 * the registry's own access log and the image say; the access log has a JSON line per request; and
 * no log line carries the upstream's password.
 */
class ObservabilityIT {
  private static final String USER = "robot";
  private static final String PASSWORD = "pa55-observability-" + System.nanoTime();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @RegisterExtension static final Lab lab = new Lab();
  private static RegistryProcess registry;
  private static StevedoreProcess mirror;
  private static OciImage small;

  @BeforeAll
  static void start() {
    registry = lab.registry("private", USER, PASSWORD);
    small = OciImages.shared().small();
    lab.push(registry, small, "e2e/small:1.0");
    mirror =
        lab.mirror(
            "mirror",
            config ->
                config.upstream(
                    MirrorUpstream.of("lab", registry.url())
                        .asDefault()
                        .credentials(USER, PASSWORD)));
  }

  @Test
  void coldAndWarmPulls_areCountedAsTheRegistryAndTheImageSay_andLoggedWithoutSecrets()
      throws Exception {
    RegistryProcess.Mark before = registry.mark();
    Skopeo skopeo = lab.skopeo();
    String ref = mirror.hostPort() + "/e2e/small:1.0";
    assertThat(skopeo.pullToOci(ref, lab.path("cold"))).isEqualTo(small.digest());
    assertThat(skopeo.pullToOci(ref, lab.path("warm"))).isEqualTo(small.digest());
    List<AccessLogEntry> upstream = registry.requestsSince(before);

    String text = scrape();
    Path file = lab.path("metrics.txt");
    Files.writeString(file, text);
    // promtool reads the metrics on its standard input; lint warnings make it exit non-zero.
    ExecResult promtool =
        Exec.run(List.of("sh", "-c", "promtool check metrics < " + file), Duration.ofSeconds(30));
    assertThat(promtool.exitCode()).as("promtool: %s", promtool).isZero();

    int blobs = small.blobDigests().size();
    assertThat(sum(text, "stevedore_upstream_requests_total", Map.of("method", "GET")))
        .as("upstream GETs, as the registry logged them: %s", upstream)
        .isEqualTo(upstream.stream().filter(e -> e.method().equals("GET")).count());
    assertThat(sum(text, "stevedore_upstream_response_bytes_total", Map.of()))
        .as("upstream body bytes")
        .isEqualTo(upstream.stream().mapToLong(AccessLogEntry::bytes).sum());
    assertThat(
            sum(text, "stevedore_cache_requests_total", Map.of("kind", "blob", "result", "miss")))
        .as("blob misses: each blob once, on the cold pull")
        .isEqualTo(blobs);
    assertThat(sum(text, "stevedore_cache_requests_total", Map.of("kind", "blob", "result", "hit")))
        .as("blob hits: each blob again, on the warm pull")
        .isEqualTo(blobs);
    assertThat(sum(text, "stevedore_fill_bytes_total", Map.of()))
        .as("bytes filled: the image's blobs")
        .isEqualTo(small.blobBytes());
    assertThat(
            sum(
                text,
                "stevedore_cache_requests_total",
                Map.of("kind", "manifest", "result", "miss")))
        .as("manifest misses: one upstream manifest GET each")
        .isEqualTo(
            registry.count("GET", ".*/manifests/.*") - unauthorized(upstream, "/manifests/"));

    List<Map<String, Object>> lines = accessLogLines(sumRegistryRequests(text));
    assertThat(lines)
        .allSatisfy(
            line ->
                assertThat(line.keySet())
                    .contains("time", "method", "path", "status", "bytes", "duration_ms", "cache"));
    assertThat(lines)
        .filteredOn(line -> String.valueOf(line.get("path")).contains("/blobs/"))
        .extracting(line -> (Object) line.get("cache"))
        .containsOnly((Object) "miss", "hit");

    String log = Files.readString(mirror.logFile());
    String basic =
        Base64.getEncoder()
            .encodeToString((USER + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8));
    assertThat(log).doesNotContain(PASSWORD).doesNotContain(basic);
  }

  /** Requests the registry refused for want of credentials (the first try of each kind). */
  private static long unauthorized(List<AccessLogEntry> requests, String pathPart) {
    return requests.stream()
        .filter(e -> e.method().equals("GET") && e.path().contains(pathPart) && e.status() == 401)
        .count();
  }

  private static String scrape() throws IOException, InterruptedException {
    HttpResponse<String> response =
        HTTP.send(
            HttpRequest.newBuilder(mirror.url().resolve("/metrics")).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type"))
        .hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
    return response.body();
  }

  /** The requests to the registry API the metrics counted, which the access log must have too. */
  private static long sumRegistryRequests(String text) {
    long all = sum(text, "stevedore_http_requests_total", Map.of());
    return all
        - sum(text, "stevedore_http_requests_total", Map.of("route", "metrics"))
        - sum(text, "stevedore_http_requests_total", Map.of("route", "health"));
  }

  /** The access log's JSON lines for the registry API, once as many as {@code expected} arrived. */
  private static List<Map<String, Object>> accessLogLines(long expected) throws Exception {
    Instant deadline = Instant.now().plusSeconds(10);
    List<Map<String, Object>> lines;
    do {
      lines =
          Files.readAllLines(mirror.logFile()).stream()
              .filter(line -> line.startsWith("{\"time\""))
              .map(ObservabilityIT::object)
              .filter(line -> String.valueOf(line.get("path")).startsWith("/v2"))
              .toList();
      if (lines.size() >= expected) {
        break;
      }
      Thread.sleep(100); // the access log is written out once a second
    } while (Instant.now().isBefore(deadline));
    assertThat(lines).as("one access log line per request").hasSize((int) expected);
    return lines;
  }

  @SuppressWarnings("unchecked") // an access log line is one JSON object
  private static Map<String, Object> object(String line) {
    return (Map<String, Object>) Json.parse(line.getBytes(StandardCharsets.UTF_8));
  }
}
