package io.stevedore.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stevedore.config.AccessLogConfig;
import io.stevedore.config.AdminConfig;
import io.stevedore.config.UpstreamConfig;
import io.stevedore.oci.Json;
import io.stevedore.testing.MutableClock;
import io.stevedore.testing.TestMirrors;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a platform team's tooling reaches: health and readiness probes, the metrics endpoint, the
 * admin listener apart from the registry port (guarded by a token when one is set), and the access
 * log. The upstream is a closed port: none of this needs one.
 */
class OperationsHttpTest {
  private static final URI NOWHERE = URI.create("http://127.0.0.1:9");

  @TempDir Path dir;

  private final MutableClock clock = new MutableClock(Instant.parse("2026-12-06T12:00:00Z"));
  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void probes_answerWithoutAnUpstream_andVerboseReadinessListsIt() throws Exception {
    try (Stevedore mirror = start(AdminConfig.LOOPBACK_ANY_PORT, AccessLogConfig.OFF)) {
      assertThat(get(mirror.port(), "/healthz", null).statusCode()).isEqualTo(200);
      HttpResponse<String> ready = get(mirror.port(), "/readyz", null);
      assertThat(ready.statusCode()).isEqualTo(200);
      assertThat(Json.parse(ready.body())).isEqualTo(Map.of("status", "ready"));
      HttpResponse<String> verbose = get(mirror.port(), "/readyz?verbose", null);
      assertThat(verbose.statusCode()).isEqualTo(200);
      assertThat(verbose.body()).contains("\"name\":\"lab\"").contains("\"reachable\":true");
    }
  }

  @Test
  void metrics_speakPrometheusText_orOpenMetricsWhenAsked() throws Exception {
    try (Stevedore mirror = start(AdminConfig.LOOPBACK_ANY_PORT, AccessLogConfig.OFF)) {
      get(mirror.port(), "/v2/", null);
      HttpResponse<String> text = get(mirror.port(), "/metrics", null);
      assertThat(text.headers().firstValue("Content-Type"))
          .hasValueSatisfying(type -> assertThat(type).startsWith("text/plain; version=0.0.4"));
      assertThat(text.body())
          .containsPattern(
              "(?m)^stevedore_http_requests_total\\{method=\"GET\",route=\"base\","
                  + "status=\"2xx\"\\} 1(\\.0)?$")
          .contains("stevedore_store_quota_bytes ")
          .containsPattern("(?m)^stevedore_chunk_buffers\\{of=\"budget\"\\} [1-9]")
          .containsPattern("(?m)^stevedore_chunk_buffers\\{of=\"out\"\\} 0(\\.0)?$")
          .containsPattern("(?m)^stevedore_chunk_buffer_waits_total 0(\\.0)?$")
          .contains("process_resident_memory_bytes");

      HttpResponse<String> open =
          get(mirror.port(), "/metrics", "application/openmetrics-text; version=1.0.0");
      assertThat(open.headers().firstValue("Content-Type"))
          .hasValueSatisfying(type -> assertThat(type).startsWith("application/openmetrics-text"));
      assertThat(open.body()).endsWith("# EOF\n");
    }
  }

  @Test
  void adminChores_areOnTheAdminListenerOnly() throws Exception {
    try (Stevedore mirror = start(AdminConfig.LOOPBACK_ANY_PORT, AccessLogConfig.OFF)) {
      assertThat(post(mirror.port(), "/_stevedore/gc", null).statusCode())
          .as("the registry port offers no admin chore")
          .isEqualTo(404);
      HttpResponse<String> gc = post(mirror.adminPort(), "/_stevedore/gc", null);
      assertThat(gc.statusCode()).isEqualTo(200);
      assertThat(gc.body()).contains("gc done");
    }
  }

  @Test
  void adminToken_isRequired_whenConfigured() throws Exception {
    AdminConfig guarded = new AdminConfig("127.0.0.1", 0, Optional.of("s3cret-admin-token"));
    try (Stevedore mirror = start(guarded, AccessLogConfig.OFF)) {
      assertThat(post(mirror.adminPort(), "/_stevedore/gc", null).statusCode()).isEqualTo(401);
      assertThat(post(mirror.adminPort(), "/_stevedore/gc", "wrong").statusCode()).isEqualTo(401);
      HttpResponse<String> gc = post(mirror.adminPort(), "/_stevedore/gc", "s3cret-admin-token");
      assertThat(gc.statusCode()).isEqualTo(200);
      assertThat(gc.body()).contains("gc done");
    }
  }

  @Test
  void anAdminListenerReachableFromOtherMachines_needsAToken() {
    assertThatThrownBy(() -> new AdminConfig("0.0.0.0", 5001, Optional.empty()))
        .hasMessageContaining("admin.host")
        .hasMessageContaining("admin.token-file");
  }

  @Test
  void accessLog_hasOneJsonLinePerRequest() throws Exception {
    Path log = dir.resolve("access.log");
    List<String> paths = List.of("/v2/", "/v2/team/app/manifests/1.0", "/healthz", "/nowhere");
    try (Stevedore mirror =
        start(AdminConfig.LOOPBACK_ANY_PORT, new AccessLogConfig(true, Optional.of(log)))) {
      for (String path : paths) {
        get(mirror.port(), path + "?ns=127.0.0.1:9", null); // the upstream's own host:port
      }
    } // closing writes what is left
    List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
    assertThat(lines).hasSize(paths.size());
    for (int i = 0; i < paths.size(); i++) {
      Map<String, Object> line = object(lines.get(i));
      assertThat(line.get("path")).isEqualTo(paths.get(i));
      assertThat(line.get("ns")).isEqualTo("127.0.0.1:9");
      assertThat(line.get("method")).isEqualTo("GET");
      assertThat(line.get("client")).isEqualTo("127.0.0.1");
      assertThat(line).containsKeys("time", "status", "bytes", "duration_ms", "cache");
    }
    assertThat(object(lines.get(0)).get("status")).isEqualTo(200L);
    assertThat(object(lines.get(1)).get("upstream")).isEqualTo("lab");
    assertThat(object(lines.get(3)).get("status")).isEqualTo(404L);
  }

  @SuppressWarnings("unchecked") // an access log line is one JSON object
  private static Map<String, Object> object(String line) {
    return (Map<String, Object>) Json.parse(line);
  }

  private Stevedore start(AdminConfig admin, AccessLogConfig accessLog) {
    return TestMirrors.start(
        dir, clock, List.of(UpstreamConfig.of("lab", NOWHERE)), admin, accessLog);
  }

  private HttpResponse<String> get(int port, String path, String accept) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
    if (accept != null) {
      request.header("Accept", accept);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> post(int port, String path, String token) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .POST(HttpRequest.BodyPublishers.noBody());
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
