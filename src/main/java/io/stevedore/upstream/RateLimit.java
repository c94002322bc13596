package io.stevedore.upstream;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * An upstream's rate-limit budget as its last answer told it (Docker Hub's {@code ratelimit-limit}
 * / {@code ratelimit-remaining}, and {@code Retry-After} on a 429).
 *
 * @param limit requests allowed per window, -1 when not said
 * @param remaining requests left in the window, -1 when not said
 * @param retryAfter how long the upstream asked us to wait, if it did
 * @param observedAt when that answer came
 */
public record RateLimit(
    int limit, int remaining, Optional<Duration> retryAfter, Instant observedAt) {}
