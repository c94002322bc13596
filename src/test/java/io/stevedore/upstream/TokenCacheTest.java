package io.stevedore.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.stevedore.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class TokenCacheTest {
  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-27T12:00:00Z"));
  private final TokenCache cache = new TokenCache(clock);

  @Test
  void get_freshTokenForItsScopeOnly() {
    Token token = new Token("t", clock.instant().plusSeconds(60));
    cache.put("repository:a:pull", token);

    assertThat(cache.get("repository:a:pull")).contains(token);
    assertThat(cache.get("repository:b:pull")).isEmpty();
  }

  @Test
  void get_dropsTokenShortlyBeforeExpiry() {
    cache.put("s", new Token("t", clock.instant().plusSeconds(60)));

    clock.advance(Duration.ofSeconds(60).minus(TokenCache.EARLY_REFRESH).minusMillis(1));
    assertThat(cache.get("s")).isPresent();
    clock.advance(Duration.ofMillis(1));
    assertThat(cache.get("s")).isEmpty();
  }
}
