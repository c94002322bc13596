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

  /**
   * Sends {@code error} as the answer. Filters call it themselves: an exception thrown from a
   * filter passes the filters before it (the observing one) before an error handler answers.
   */
  static void send(ServerResponse response, RegistryException error) {
    if (response.isSent() || response.bytesWritten() > 0) {
      throw new CloseConnectionException("response cut off: " + error.getMessage());
    }
    // Headers that described the body the failed answer would have had must not describe the
    // error; a 416 keeps its Content-Range, which tells the client the blob's real length.
    response.headers().remove(HeaderNames.CONTENT_LENGTH);
    response.headers().remove(RegistryService.CONTENT_DIGEST);
    response.headers().remove(HeaderNames.ACCEPT_RANGES);
    if (error.status() != Status.REQUESTED_RANGE_NOT_SATISFIABLE_416.code()) {
      response.headers().remove(HeaderNames.CONTENT_RANGE);
    }
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
