package io.stevedore.http;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.stevedore.oci.ErrorBody;
import io.stevedore.oci.ErrorCode;
import io.stevedore.oci.RegistryException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Turns every failure into the OCI error JSON with the right status. A failure after the body
 * started (a fill that failed verification, a broken upstream) closes the connection instead, so
 * the client sees a cut-off body rather than a clean end of wrong bytes.
 */
final class ErrorResponses {
  private static final Logger LOG = Logger.getLogger(ErrorResponses.class.getName());

  private ErrorResponses() {}

  static void register(HttpRouting.Builder routing) {
    routing.error(RegistryException.class, ErrorResponses::registryError);
    routing.error(RuntimeException.class, ErrorResponses::unexpected);
  }

  private static void registryError(
      ServerRequest request, ServerResponse response, RegistryException error) {
    if (error.status() >= 500) {
      LOG.warning(() -> describe(request) + " failed: " + error.getMessage());
    }
    send(response, error);
  }

  private static void unexpected(
      ServerRequest request, ServerResponse response, RuntimeException error) {
    LOG.log(Level.WARNING, describe(request) + " failed", error);
    send(response, new RegistryException(ErrorCode.UNKNOWN, 500, "internal error: " + error));
  }

  private static void send(ServerResponse response, RegistryException error) {
    if (response.isSent() || response.bytesWritten() > 0) {
      throw new CloseConnectionException("response cut off: " + error.getMessage());
    }
    // A 416 keeps the "bytes */<length>" Content-Range that was set for it (RFC 9110).
    Optional<String> unsatisfiedRange =
        error.status() == 416
            ? response.headers().first(HeaderNames.CONTENT_RANGE)
            : Optional.empty();
    // Headers set for the answer that failed (Content-Range, digest, length) must not leak into
    // the error.
    response.headers().clear();
    unsatisfiedRange.ifPresent(value -> response.header(HeaderNames.CONTENT_RANGE, value));
    response.header(RegistryService.API_VERSION, "registry/2.0");
    response.status(Status.create(error.status()));
    response.header(HeaderNames.CONTENT_TYPE, "application/json");
    error
        .retryAfter()
        .ifPresent(
            after -> response.header(HeaderNames.RETRY_AFTER, String.valueOf(after.toSeconds())));
    response.send(ErrorBody.json(error).getBytes(StandardCharsets.UTF_8));
  }

  private static String describe(ServerRequest request) {
    return request.prologue().method().text() + " " + request.path().path();
  }
}
