package io.stevedore.upstream;

import io.stevedore.config.UpstreamConfig;
import io.stevedore.oci.ErrorCode;
import io.stevedore.oci.RegistryException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import javax.net.ssl.SSLException;
import okhttp3.HttpUrl;
import okhttp3.Response;

/**
 * Turns what went wrong with one upstream into the {@link RegistryException} the mirror's client
 * should see. Messages name the upstream by its configured name and never hold a credential.
 */
final class UpstreamErrors {
  private final String name;
  private final Clock clock;

  UpstreamErrors(UpstreamConfig config, Clock clock) {
    this.name = config.name();
    this.clock = clock;
  }

  /**
   * An unsuccessful response. A 404 keeps the upstream's not-found code when it sent one, else
   * {@code notFound}; the body is read up to {@link UpstreamErrorBody#MAX_BYTES} only.
   */
  RegistryException fromResponse(Response response, ErrorCode notFound) {
    if (response.code() != 404) {
      return fromStatus(response);
    }
    ErrorCode code =
        UpstreamErrorBody.code(UpstreamErrorBody.read(response.body().byteStream()))
            .filter(upstreamCode -> upstreamCode.status() == 404)
            .orElse(notFound);
    return new RegistryException(code, 404, answered(response) + " " + code);
  }

  /** An unsuccessful response judged by its status alone. */
  RegistryException fromStatus(Response response) {
    int status = response.code();
    return switch (status) {
      case 401 -> new RegistryException(ErrorCode.UNAUTHORIZED, 401, answered(response));
      case 403 -> new RegistryException(ErrorCode.DENIED, 403, answered(response));
      case 416 -> new RegistryException(ErrorCode.RANGE_INVALID, 416, answered(response));
      case 429 ->
          new RegistryException(
              ErrorCode.TOOMANYREQUESTS,
              429,
              answered(response),
              retryAfter(response.header("Retry-After"), clock.instant()).orElse(null),
              null);
      default -> new RegistryException(ErrorCode.UNAVAILABLE, 502, answered(response));
    };
  }

  /** A failure to talk to the upstream at all. */
  RegistryException fromIo(IOException e) {
    if (e instanceof UpstreamFailure failure) {
      return failure.error();
    }
    if (e instanceof InterruptedIOException) { // SocketTimeoutException is one
      return new RegistryException(
          ErrorCode.UNAVAILABLE,
          504,
          "upstream " + name + " timed out: " + e.getMessage(),
          null,
          e);
    }
    if (e instanceof ConnectException
        || e instanceof UnknownHostException
        || e instanceof NoRouteToHostException) {
      return new RegistryException(
          ErrorCode.UNAVAILABLE, 503, "upstream " + name + " unreachable: " + e, null, e);
    }
    if (e instanceof SSLException) {
      // 502, not 503: the upstream was reached and answered, with a certificate (or host name) we
      // cannot accept. Retrying will not help until its CA is trusted (ca-file).
      return new RegistryException(
          ErrorCode.UNAVAILABLE, 502, "upstream " + name + " TLS failed: " + e, null, e);
    }
    return new RegistryException(
        ErrorCode.UNAVAILABLE, 502, "upstream " + name + " failed: " + e, null, e);
  }

  /** A response we cannot use although its status looked fine. */
  RegistryException badAnswer(String what) {
    return new RegistryException(ErrorCode.UNAVAILABLE, 502, "upstream " + name + " " + what);
  }

  /** {@code Retry-After} as delay-seconds or an HTTP date; a date in the past means now. */
  static Optional<Duration> retryAfter(String header, Instant now) {
    if (header == null || header.isBlank()) {
      return Optional.empty();
    }
    String value = header.strip();
    if (value.matches("\\d{1,9}")) {
      return Optional.of(Duration.ofSeconds(Long.parseLong(value)));
    }
    try {
      Instant at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
      return Optional.of(at.isAfter(now) ? Duration.between(now, at) : Duration.ZERO);
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }

  private String answered(Response response) {
    HttpUrl url = response.request().url();
    return "upstream "
        + name
        + " answered "
        + response.code()
        + " to "
        + response.request().method()
        + " "
        + url.host()
        + url.encodedPath();
  }
}
