package io.stevedore.upstream;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.head;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stevedore.oci.ErrorCode;
import io.stevedore.oci.Reference;
import io.stevedore.oci.RegistryException;
import io.stevedore.oci.RepositoryName;
import io.stevedore.testing.LogCapture;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Docker Hub style rate-limit headers, remembered and logged. */
class RateLimitTrackerTest {
  private static final RepositoryName REPO = RepositoryName.parse("library/alpine");
  private static final Reference TAG = Reference.parse("3");
  private static final String MANIFEST_PATH = "/v2/library/alpine/manifests/3";

  @RegisterExtension final WireMockRegistry registry = new WireMockRegistry("hub");
  private Upstream upstream;
  private LogCapture log;

  @BeforeEach
  void start() {
    upstream = registry.upstream();
    log = new LogCapture(RateLimitTracker.class);
  }

  @AfterEach
  void stop() {
    log.close();
  }

  /** The next HEAD of the manifest answers with this budget. */
  private void budget(String limit, String remaining) {
    registry.stubFor(
        head(urlEqualTo(MANIFEST_PATH))
            .willReturn(
                aResponse()
                    .withHeader("Docker-Content-Digest", "sha256:" + "a".repeat(64))
                    .withHeader("Content-Length", "100")
                    .withHeader("ratelimit-limit", limit)
                    .withHeader("ratelimit-remaining", remaining)));
  }

  private void headManifest() {
    upstream.headManifest(REPO, TAG, List.of());
  }

  @Test
  void count_takesTheNumberBeforeTheWindow() {
    assertThat(RateLimitTracker.count("100;w=21600")).isEqualTo(100);
    assertThat(RateLimitTracker.count(" 76 ; w=21600")).isEqualTo(76);
    assertThat(RateLimitTracker.count("42")).isEqualTo(42);
    assertThat(RateLimitTracker.count(null)).isEqualTo(-1);
    assertThat(RateLimitTracker.count("lots;w=1")).isEqualTo(-1);
    assertThat(RateLimitTracker.count("-5")).isEqualTo(-1);
  }

  @Test
  void rateLimit_emptyUntilTheUpstreamSpeaksOfOne() {
    registry.stubFor(
        head(urlEqualTo(MANIFEST_PATH))
            .willReturn(
                aResponse()
                    .withHeader("Docker-Content-Digest", "sha256:" + "a".repeat(64))
                    .withHeader("Content-Length", "100")));

    headManifest();

    assertThat(upstream.rateLimit()).isEmpty();
  }

  @Test
  void rateLimit_latestAnswerWithItsTime() {
    budget("100;w=21600", "76;w=21600");
    headManifest();
    registry.clock().advance(Duration.ofMinutes(1));
    budget("100;w=21600", "75;w=21600");
    headManifest();

    assertThat(upstream.rateLimit())
        .contains(new RateLimit(100, 75, Optional.empty(), registry.clock().instant()));
  }

  @Test
  void rateLimit_answerWithoutHeadersKeepsTheLastBudget() {
    budget("100;w=21600", "76;w=21600");
    headManifest();
    RateLimit known = upstream.rateLimit().orElseThrow();
    registry.stubFor(get(urlEqualTo(MANIFEST_PATH)).willReturn(aResponse().withBody("{}")));

    registry.clock().advance(Duration.ofMinutes(1));
    upstream.fetchManifest(REPO, TAG, List.of());

    assertThat(upstream.rateLimit()).contains(known);
  }

  @Test
  void lowBudget_loggedOncePerCrossing() {
    budget("100;w=21600", "11;w=21600");
    headManifest();
    assertThat(log.messages(Level.INFO)).isEmpty();

    budget("100;w=21600", "10;w=21600");
    headManifest();
    budget("100;w=21600", "9;w=21600");
    headManifest();
    assertThat(log.messages(Level.INFO))
        .singleElement()
        .asString()
        .contains("hub")
        .contains("10 of 100");

    // The window reset: the next fall to 10 % is news again.
    budget("100;w=21600", "100;w=21600");
    headManifest();
    budget("100;w=21600", "3;w=21600");
    headManifest();
    assertThat(log.messages(Level.INFO)).hasSize(2).last().asString().contains("3 of 100");
  }

  @Test
  void tooManyRequests_rememberedWarnedAndStillMapped() {
    registry.stubFor(
        get(urlEqualTo(MANIFEST_PATH))
            .willReturn(
                aResponse()
                    .withStatus(429)
                    .withHeader("ratelimit-limit", "100;w=21600")
                    .withHeader("ratelimit-remaining", "0;w=21600")
                    .withHeader("Retry-After", "3600")));

    assertThatThrownBy(() -> upstream.fetchManifest(REPO, TAG, List.of()))
        .isInstanceOfSatisfying(
            RegistryException.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.TOOMANYREQUESTS);
              assertThat(e.retryAfter()).contains(Duration.ofHours(1));
            });
    assertThat(upstream.rateLimit())
        .contains(
            new RateLimit(100, 0, Optional.of(Duration.ofHours(1)), registry.clock().instant()));
    assertThat(log.messages(Level.WARNING))
        .singleElement()
        .asString()
        .contains("hub")
        .contains("429")
        .contains("PT1H");
  }

  @Test
  void tooManyRequests_withoutHeaders_stillRemembered() {
    registry.stubFor(get(urlEqualTo(MANIFEST_PATH)).willReturn(aResponse().withStatus(429)));

    assertThatThrownBy(() -> upstream.fetchManifest(REPO, TAG, List.of()))
        .isInstanceOf(RegistryException.class);

    assertThat(upstream.rateLimit())
        .contains(new RateLimit(-1, -1, Optional.empty(), registry.clock().instant()));
    assertThat(log.messages(Level.WARNING)).singleElement().asString().contains("hub");
  }

  @Test
  void tooManyRequestsWithRetryAfter_laterRequestsFailAtOnceUntilItPassed() {
    registry.stubFor(
        get(urlEqualTo(MANIFEST_PATH))
            .willReturn(aResponse().withStatus(429).withHeader("Retry-After", "30")));
    assertThatThrownBy(() -> upstream.fetchManifest(REPO, TAG, List.of()))
        .isInstanceOf(RegistryException.class);
    registry.stubFor(get(urlEqualTo(MANIFEST_PATH)).willReturn(aResponse().withBody("{}")));

    registry.clock().advance(Duration.ofMillis(10_500));
    assertThatThrownBy(() -> upstream.fetchManifest(REPO, TAG, List.of()))
        .isInstanceOfSatisfying(
            RegistryException.class,
            e -> {
              assertThat(e.status()).isEqualTo(429);
              assertThat(e.code()).isEqualTo(ErrorCode.TOOMANYREQUESTS);
              // 19.5 s left, rounded up: a client back after 19 s would be refused again.
              assertThat(e.retryAfter()).contains(Duration.ofSeconds(20));
              assertThat(e.getMessage()).contains("hub").contains("Retry-After");
            });
    assertThat(
            registry
                .countRequestsMatching(getRequestedFor(urlEqualTo(MANIFEST_PATH)).build())
                .getCount())
        .as("nothing sent while the upstream asked to wait")
        .isEqualTo(1);

    registry.clock().advance(Duration.ofMillis(19_500));
    assertThat(upstream.fetchManifest(REPO, TAG, List.of()).body()).asString().isEqualTo("{}");
    assertThat(
            registry
                .countRequestsMatching(getRequestedFor(urlEqualTo(MANIFEST_PATH)).build())
                .getCount())
        .isEqualTo(2);
  }

  @Test
  void tooManyRequestsWithoutRetryAfter_theNextRequestIsSent() {
    registry.stubFor(get(urlEqualTo(MANIFEST_PATH)).willReturn(aResponse().withStatus(429)));
    assertThatThrownBy(() -> upstream.fetchManifest(REPO, TAG, List.of()))
        .isInstanceOf(RegistryException.class);
    registry.stubFor(get(urlEqualTo(MANIFEST_PATH)).willReturn(aResponse().withBody("{}")));

    assertThat(upstream.fetchManifest(REPO, TAG, List.of()).body()).asString().isEqualTo("{}");
  }
}
