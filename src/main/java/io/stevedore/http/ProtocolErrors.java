package io.stevedore.http;

import io.helidon.http.DirectHandler;
import io.helidon.http.HeaderNames;
import io.helidon.http.ServerResponseHeaders;
import io.helidon.http.Status;
import io.stevedore.oci.ErrorBody;
import io.stevedore.oci.ErrorCode;
import io.stevedore.oci.RegistryException;
import java.nio.charset.StandardCharsets;

/**
 * The answer to a request the server refuses before any route sees it (a request line or headers
 * over the limits, a malformed request line, a bad header): the OCI error JSON, like every other
 * error, with the status the server chose. The connection is closed when the server says so.
 */
final class ProtocolErrors implements DirectHandler {
  @Override
  public TransportResponse handle(
      TransportRequest request,
      EventType event,
      Status status,
      ServerResponseHeaders headers,
      String message) {
    ErrorCode code = status.code() >= 500 ? ErrorCode.UNKNOWN : ErrorCode.UNSUPPORTED;
    String text = message == null || message.isBlank() ? status.reasonPhrase() : message;
    // The message may quote the refused input: a 10 MB header has no place in the answer.
    RegistryException error =
        new RegistryException(
            code, status.code(), text.length() <= 200 ? text : text.substring(0, 200) + "...");
    headers.set(HeaderNames.CONTENT_TYPE, "application/json");
    return TransportResponse.builder()
        .status(status)
        .headers(headers)
        .keepAlive(event.keepAlive())
        .entity(ErrorBody.json(error).getBytes(StandardCharsets.UTF_8))
        .build();
  }
}
