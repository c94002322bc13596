package io.stevedore.http;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.stevedore.observe.Health;
import io.stevedore.oci.Json;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * {@code GET /healthz}: the process answers (touches neither disk nor upstreams). {@code GET
 * /readyz}: the store can take new content; 503 with the reason otherwise. {@code ?verbose} adds
 * each upstream's state, which never makes the mirror unready.
 */
final class HealthService implements HttpService {
  private final Health health;

  HealthService(Health health) {
    this.health = health;
  }

  @Override
  public void routing(HttpRules rules) {
    rules.get("/healthz", (req, res) -> json(res, Status.OK_200, "{\"status\":\"ok\"}"));
    rules.get("/readyz", this::ready);
  }

  private void ready(ServerRequest request, ServerResponse response) {
    Optional<String> unready = health.unready();
    StringBuilder body = new StringBuilder("{\"status\":");
    body.append(
        unready.isEmpty() ? "\"ready\"" : "\"unready\",\"reason\":" + Json.quote(unready.get()));
    if (request.query().contains("verbose")) {
      body.append(",\"upstreams\":").append(health.upstreamsJson());
    }
    body.append('}');
    json(
        response,
        unready.isEmpty() ? Status.OK_200 : Status.SERVICE_UNAVAILABLE_503,
        body.toString());
  }

  private static void json(ServerResponse response, Status status, String body) {
    response.status(status);
    response.header(HeaderNames.CONTENT_TYPE, "application/json");
    response.send(body.getBytes(StandardCharsets.UTF_8));
  }
}
