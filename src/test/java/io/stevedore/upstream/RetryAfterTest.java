package io.stevedore.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RetryAfterTest {
  private static final Instant NOW = Instant.parse("2026-11-27T12:00:00Z");

  @Test
  void retryAfter_seconds() {
    assertThat(UpstreamErrors.retryAfter(" 120 ", NOW)).contains(Duration.ofSeconds(120));
  }

  @Test
  void retryAfter_httpDate() {
    assertThat(UpstreamErrors.retryAfter("Fri, 27 Nov 2026 12:01:30 GMT", NOW))
        .contains(Duration.ofSeconds(90));
  }

  @Test
  void retryAfter_pastDateMeansNow() {
    assertThat(UpstreamErrors.retryAfter("Fri, 27 Nov 2026 11:00:00 GMT", NOW))
        .contains(Duration.ZERO);
  }

  @Test
  void retryAfter_absentOrGarbage() {
    assertThat(UpstreamErrors.retryAfter(null, NOW)).isEmpty();
    assertThat(UpstreamErrors.retryAfter("soon", NOW)).isEmpty();
  }
}
