package io.stevedore.cache;

import java.time.Duration;

/**
 * How hard a fill tries when the upstream connection breaks mid-blob.
 *
 * @param maxResumes how many times a fill resumes with a Range request before it gives up
 * @param backoff the wait before the first resume; doubled for each further one
 */
public record FillPolicy(int maxResumes, Duration backoff) {
  public static final FillPolicy DEFAULT = new FillPolicy(5, Duration.ofMillis(500));

  public FillPolicy {
    if (maxResumes < 0) {
      throw new IllegalArgumentException("max resumes must not be negative, got " + maxResumes);
    }
  }

  Duration backoffBefore(int resume) {
    return backoff.multipliedBy(1L << Math.min(resume - 1, 10));
  }
}
