package io.stevedore.cache;

import java.time.Duration;

/**
 * How hard a fill tries when the upstream connection breaks mid-blob.
 *
 * @param maxResumes how many times a fill resumes with a Range request before it gives up
 * @param backoff the wait before the first resume; doubled for each further one
 * @param timeout the longest a fill may take; it outlives its clients, but not forever
 */
public record FillPolicy(int maxResumes, Duration backoff, Duration timeout) {
  public static final Duration DEFAULT_TIMEOUT = Duration.ofHours(1);
  public static final FillPolicy DEFAULT =
      new FillPolicy(5, Duration.ofMillis(500), DEFAULT_TIMEOUT);

  public FillPolicy {
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("fill timeout must be positive, got " + timeout);
    }
    if (maxResumes < 0) {
      throw new IllegalArgumentException("max resumes must not be negative, got " + maxResumes);
    }
  }

  public FillPolicy withTimeout(Duration newTimeout) {
    return new FillPolicy(maxResumes, backoff, newTimeout);
  }

  Duration backoffBefore(int resume) {
    return backoff.multipliedBy(1L << Math.min(resume - 1, 10));
  }
}
