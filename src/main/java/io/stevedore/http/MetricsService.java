package io.stevedore.http;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.stevedore.observe.Metrics;
import java.io.ByteArrayOutputStream;
import java.io.IOException;

/** {@code GET /metrics}: Prometheus text, or OpenMetrics when the scraper's Accept asks for it. */
final class MetricsService implements HttpService {
  private final Metrics metrics;

  MetricsService(Metrics metrics) {
    this.metrics = metrics;
  }

  @Override
  public void routing(HttpRules rules) {
    rules.get("/", this::scrape);
  }

  private void scrape(ServerRequest request, ServerResponse response) throws IOException {
    ByteArrayOutputStream body = new ByteArrayOutputStream(16 * 1024);
    String type = metrics.write(request.headers().first(HeaderNames.ACCEPT).orElse(""), body);
    response.header(HeaderNames.CONTENT_TYPE, type);
    response.send(body.toByteArray());
  }
}
