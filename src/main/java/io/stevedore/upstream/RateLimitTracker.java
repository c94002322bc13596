package io.stevedore.upstream;

import io.stevedore.oci.ErrorCode;
import io.stevedore.oci.RegistryException;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Level;
import java.util.logging.Logger;
import okhttp3.Interceptor;
import okhttp3.Response;

/**
 * Remembers the rate-limit budget of one upstream from its answers ({@code ratelimit-limit}, {@code
 * ratelimit-remaining}, and {@code Retry-After} on a 429), and tells the operator when the budget
 * runs low or out. Answers that say nothing of a limit leave the last known budget as it was.
 *
 * <p>A 429 with a {@code Retry-After} is honoured: until that time has passed, requests to the
 * upstream fail at once with 429 and the time left, without being sent. Asking sooner would only
 * earn more 429s (and a fill resuming after one would burn its retries on them).
 */
final class RateLimitTracker implements Interceptor {

  private static final Logger LOG = Logger.getLogger(RateLimitTracker.class.getName());

  private final String name;
  private final Clock clock;
  private final AtomicReference<RateLimit> latest = new AtomicReference<>();
  // Until when the upstream asked not to be asked again: the last 429's Retry-After, or the epoch.
  private final AtomicReference<Instant> quietUntil = new AtomicReference<>(Instant.EPOCH);
  // Whether the last budget was at or under 10 %: logging on the crossing, not on every request,
  // keeps a busy mirror's log readable while it burns the rest of its budget.
  private final AtomicBoolean low = new AtomicBoolean();

  RateLimitTracker(String name, Clock clock) {
    this.name = name;
    this.clock = clock;
  }

  @Override
  public Response intercept(Chain chain) throws IOException {
    Instant now = clock.instant();
    Instant until = quietUntil.get();
    if (now.isBefore(until)) {
      throw new UpstreamFailure(
          new RegistryException(
              ErrorCode.TOOMANYREQUESTS,
              429,
              "upstream "
                  + name
                  + " asked not to be asked again before "
                  + until
                  + " (Retry-After of a 429)",
              wholeSeconds(Duration.between(now, until)),
              null));
    }
    Response response = chain.proceed(chain.request());
    observe(response);
    return response;
  }

  /** What the upstream last said of its rate limit, if it ever did. */
  Optional<RateLimit> latest() {
    return Optional.ofNullable(latest.get());
  }

  private void observe(Response response) {
    int limit = count(response.header("ratelimit-limit"));
    int remaining = count(response.header("ratelimit-remaining"));
    boolean refused = response.code() == 429;
    if (limit < 0 && remaining < 0 && !refused) {
      return;
    }
    Optional<Duration> retryAfter =
        refused
            ? UpstreamErrors.retryAfter(response.header("Retry-After"), clock.instant())
            : Optional.empty();
    Instant now = clock.instant();
    latest.set(new RateLimit(limit, remaining, retryAfter, now));
    retryAfter.ifPresent(wait -> quietUntil.set(now.plus(wait)));
    if (refused) {
      LOG.warning(
          () ->
              "upstream "
                  + name
                  + " refused a request with 429 (rate limit), retry after "
                  + retryAfter.map(Duration::toString).orElse("an unstated time"));
    }
    if (limit > 0 && remaining >= 0) {
      boolean isLow = remaining * 10L <= limit;
      boolean wasLow = low.getAndSet(isLow);
      if (isLow && !wasLow) {
        LOG.log(
            Level.INFO,
            "upstream {0} rate limit running low: {1} of {2} requests left",
            new Object[] {name, remaining, limit});
      }
    }
  }

  /** Rounded up: a client told the seconds left must not come back a moment too early. */
  private static Duration wholeSeconds(Duration wait) {
    Duration seconds = Duration.ofSeconds(wait.toSeconds());
    return seconds.equals(wait) ? seconds : seconds.plusSeconds(1);
  }

  /**
   * The count of a rate-limit header; Docker Hub appends the window ({@code 100;w=21600}). -1 when
   * absent or unparsable.
   */
  static int count(String header) {
    if (header == null) {
      return -1;
    }
    int semicolon = header.indexOf(';');
    String number = (semicolon < 0 ? header : header.substring(0, semicolon)).strip();
    try {
      int value = Integer.parseInt(number);
      return value < 0 ? -1 : value;
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
