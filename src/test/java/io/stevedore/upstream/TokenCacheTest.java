package io.stevedore.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class TokenCacheTest {
  private final FakeClock clock = new FakeClock();
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
