package io.stevedore.upstream;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** Bearer tokens of one upstream by scope, handed out only while they are still fresh. */
final class TokenCache {

  /** A token is dropped this long before it expires, so no request leaves with a dying token. */
  static final Duration EARLY_REFRESH = Duration.ofSeconds(5);

  private final Clock clock;
  private final Map<String, Token> tokens = new ConcurrentHashMap<>();

  TokenCache(Clock clock) {
    this.clock = clock;
  }

  /** The cached token for {@code scope}, unless it is about to expire. */
  Optional<Token> get(String scope) {
    Token token = tokens.get(scope);
    if (token == null) {
      return Optional.empty();
    }
    if (!clock.instant().isBefore(token.expiresAt().minus(EARLY_REFRESH))) {
      tokens.remove(scope, token);
      return Optional.empty();
    }
    return Optional.of(token);
  }

  void put(String scope, Token token) {
    tokens.put(scope, token);
  }
}
