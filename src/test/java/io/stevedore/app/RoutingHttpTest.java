package io.stevedore.app;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.head;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.stevedore.config.UpstreamConfig;
import io.stevedore.oci.Digest;
import io.stevedore.oci.MediaType;
import io.stevedore.testing.MutableClock;
import io.stevedore.testing.TestMirrors;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * One mirror for two registries: which upstream each request reaches (ns, prefix, Host, default),
 * what is refused before any upstream call, and what a dead or rate-limiting upstream leaves
 * clients with.
 */
class RoutingHttpTest {
  private static final byte[] MANIFEST =
      ("{\"schemaVersion\":2,\"mediaType\":\"" + MediaType.OCI_MANIFEST + "\",\"layers\":[]}")
          .getBytes(StandardCharsets.UTF_8);

  @TempDir Path dir;

  private final WireMockServer hub =
      new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
  private final WireMockServer ghcr =
      new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-27T12:00:00Z"));
  private Stevedore mirror;

  @BeforeEach
  void start() {
    hub.start();
    ghcr.start();
    for (WireMockServer registry : List.of(hub, ghcr)) {
      registry.stubFor(
          get(urlPathMatching("/v2/.*/manifests/.*"))
              .willReturn(
                  aResponse()
                      .withHeader("Content-Type", MediaType.OCI_MANIFEST)
                      .withBody(MANIFEST)));
      registry.stubFor(
          head(urlPathMatching("/v2/.*/manifests/.*"))
              .willReturn(
                  aResponse()
                      .withHeader("Content-Type", MediaType.OCI_MANIFEST)
                      .withHeader("Docker-Content-Digest", Digest.sha256(MANIFEST).toString())
                      .withHeader("Content-Length", String.valueOf(MANIFEST.length))));
    }
    mirror =
        TestMirrors.start(
            dir,
            clock,
            List.of(
                UpstreamConfig.builder("hub", URI.create("http://127.0.0.1:" + hub.port()))
                    .aliases(List.of("docker.io", "hub.mirror.example"))
                    .isDefault(true)
                    .build(),
                UpstreamConfig.builder("ghcr", URI.create("http://127.0.0.1:" + ghcr.port()))
                    .aliases(List.of("ghcr.io"))
                    .isDefault(false)
                    .deny(List.of("secret/**"))
                    .build()));
  }

  @AfterEach
  void stop() {
    mirror.close();
    hub.stop();
    ghcr.stop();
  }

  @ParameterizedTest(name = "{0} with ns={1}, Host={2} -> {3} {4}")
  @CsvSource({
    "/v2/org/app/manifests/1.0?ns=ghcr.io, , ghcr, /v2/org/app/manifests/1.0",
    "/v2/ghcr.io/org/app/manifests/1.0, , ghcr, /v2/org/app/manifests/1.0",
    "/v2/org/app/manifests/1.0, ghcr.io, ghcr, /v2/org/app/manifests/1.0",
    "/v2/org/app/manifests/1.0, hub.mirror.example:5000, hub, /v2/org/app/manifests/1.0",
    "/v2/org/app/manifests/1.0, , hub, /v2/org/app/manifests/1.0",
    "/v2/alpine/manifests/3.20, , hub, /v2/library/alpine/manifests/3.20",
    "/v2/docker.io/alpine/manifests/3.20, , hub, /v2/library/alpine/manifests/3.20",
    "/v2/alpine/manifests/3.20?ns=docker.io, , hub, /v2/library/alpine/manifests/3.20",
  })
  void routingTable(String path, String host, String expected, String upstreamPath)
      throws Exception {
    Answer response = send(path, host);

    assertThat(response.statusCode()).isEqualTo(200);
    WireMockServer chosen = expected.equals("hub") ? hub : ghcr;
    WireMockServer other = expected.equals("hub") ? ghcr : hub;
    assertThat(chosen.findAll(getRequestedFor(urlPathEqualTo(upstreamPath)))).hasSize(1);
    assertThat(other.findAll(anyRequestedFor(anyUrl()))).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "/v2/org/app/manifests/1.0?ns=quay.io, NAME_UNKNOWN, 404",
    "/v2/quay.io/org/app/manifests/1.0, NAME_UNKNOWN, 404",
    "/v2/secret/app/manifests/1.0?ns=ghcr.io, DENIED, 403",
    "/v2/ghcr.io/secret/app/blobs/sha256:0000000000000000000000000000000000000000000000000000000000000000, DENIED, 403",
    "/v2/ghcr.io/secret/app/tags/list, DENIED, 403",
  })
  void refusedRequests_neverReachAnUpstream(String path, String code, int status) throws Exception {
    Answer response = send(path, null);

    assertThat(response.statusCode()).isEqualTo(status);
    assertThat(response.body()).contains("\"code\":\"" + code + "\"");
    assertThat(hub.findAll(anyRequestedFor(anyUrl()))).isEmpty();
    assertThat(ghcr.findAll(anyRequestedFor(anyUrl()))).isEmpty();
  }

  @Test
  void deadUpstream_pastFreshness_servesTheLastKnownTag_markedStale() throws Exception {
    assertThat(send("/v2/org/app/manifests/1.0", null).statusCode()).isEqualTo(200);
    hub.stop();

    clock.advance(Duration.ofHours(2));
    Answer response = send("/v2/org/app/manifests/1.0", null);

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body().getBytes(StandardCharsets.UTF_8)).isEqualTo(MANIFEST);
    assertThat(response.header("X-Stevedore-Stale")).contains("true");
    hub.start(); // so that stop() can stop it again
  }

  @Test
  void rateLimitedUpstream_withNothingCached_is429WithRetryAfter() throws Exception {
    hub.stubFor(
        get(urlPathEqualTo("/v2/org/limited/manifests/1.0"))
            .willReturn(aResponse().withStatus(429).withHeader("Retry-After", "42")));

    Answer response = send("/v2/org/limited/manifests/1.0", null);

    assertThat(response.statusCode()).isEqualTo(429);
    assertThat(response.header("Retry-After")).contains("42");
    assertThat(response.body()).contains("\"code\":\"TOOMANYREQUESTS\"");
  }

  @Test
  void rateLimitedUpstream_withTheTagCached_servesItStale() throws Exception {
    send("/v2/org/app/manifests/1.0", null);
    hub.stubFor(
        head(urlPathEqualTo("/v2/org/app/manifests/1.0"))
            .willReturn(aResponse().withStatus(429).withHeader("Retry-After", "42")));

    clock.advance(Duration.ofMinutes(10));
    Answer response = send("/v2/org/app/manifests/1.0", null);

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.header("X-Stevedore-Stale")).contains("true");
  }

  /** A plain HTTP/1.1 exchange, since the JDK client refuses to set a Host header. */
  private Answer send(String path, String host) throws Exception {
    try (Socket socket = new Socket("127.0.0.1", mirror.port())) {
      socket.setSoTimeout(20_000);
      String request =
          "GET "
              + path
              + " HTTP/1.1\r\nHost: "
              + (host == null ? "127.0.0.1:" + mirror.port() : host)
              + "\r\nConnection: close\r\n\r\n";
      socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
      InputStream in = socket.getInputStream();
      StringBuilder head = new StringBuilder();
      while (!head.toString().endsWith("\r\n\r\n")) {
        int c = in.read();
        if (c < 0) {
          throw new java.io.EOFException("connection closed in the headers: " + head);
        }
        head.append((char) c);
      }
      String[] lines = head.toString().strip().split("\r\n");
      Map<String, String> headers = new HashMap<>();
      for (int i = 1; i < lines.length; i++) {
        int colon = lines[i].indexOf(':');
        headers.put(
            lines[i].substring(0, colon).toLowerCase(Locale.ROOT),
            lines[i].substring(colon + 1).strip());
      }
      int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
      String body = new String(in.readNBytes(length), StandardCharsets.UTF_8);
      return new Answer(Integer.parseInt(lines[0].split(" ")[1]), headers, body);
    }
  }

  private record Answer(int statusCode, Map<String, String> headerMap, String body) {
    Optional<String> header(String name) {
      return Optional.ofNullable(headerMap.get(name.toLowerCase(Locale.ROOT)));
    }
  }
}
