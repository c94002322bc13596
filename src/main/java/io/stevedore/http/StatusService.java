package io.stevedore.http;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.stevedore.observe.Status;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The status page ({@code GET /_stevedore/}): one HTML file with no external assets, which reads
 * {@code /_stevedore/status.json} every second.
 */
final class StatusService implements HttpService {
  private static final byte[] PAGE = page();

  private final Status status;
  private final AdminAccess access;

  StatusService(Status status, AdminAccess access) {
    this.status = status;
    this.access = access;
  }

  @Override
  public void routing(HttpRules rules) {
    rules.get("/", this::page);
    rules.get("/status.json", this::json);
  }

  private void page(ServerRequest request, ServerResponse response) {
    access.require(request);
    response.header(HeaderNames.CONTENT_TYPE, "text/html; charset=utf-8");
    response.send(PAGE);
  }

  private void json(ServerRequest request, ServerResponse response) {
    access.require(request);
    response.header(HeaderNames.CONTENT_TYPE, "application/json");
    response.header(HeaderNames.CACHE_CONTROL, "no-store");
    response.send(status.json().getBytes(StandardCharsets.UTF_8));
  }

  private static byte[] page() {
    try (InputStream in = StatusService.class.getResourceAsStream("status.html")) {
      if (in == null) {
        throw new IllegalStateException("status.html is missing from the jar");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
