package io.stevedore.http;

import io.helidon.webserver.http.HttpRouting;
import io.stevedore.config.AuthMode;
import java.util.Optional;

/**
 * Everything Stevedore serves over HTTP, in the routings that the server and tests share: the
 * registry port (pull API, metrics, health) and the admin port (operator chores).
 */
public final class HttpApi {
  private HttpApi() {}

  /** The registry port: what clients, scrapers and probes reach. */
  public static void registry(HttpRouting.Builder routing, Served served) {
    ErrorResponses.register(routing);
    // Observed first, so refused requests are counted and logged too.
    routing.addFilter(new ObservingFilter(served.observers(), served.clock()));
    routing.addFilter(new PeerGate(served.peerHop()));
    if (served.auth().mode() != AuthMode.NONE) {
      routing.addFilter(new ClientGate(served.auth(), served.router()));
    }
    if (served.auth().mode() == AuthMode.TOKEN) {
      routing.register("/token", new TokenService(served.auth()));
    }
    routing.register("/metrics", new MetricsService(served.metrics()));
    routing.register(new HealthService(served.health()));
    routing.register(
        new RegistryService(
            served.router(),
            served.cache().manifests(),
            served.cache().blobs(),
            served.cache().referrers(),
            served.metrics()));
  }

  /**
   * The admin port: the status page, and gc, verify, prefetch, export and import.
   *
   * @param token the bearer token every admin request must carry; when empty, only callers on this
   *     machine are served
   */
  public static void admin(HttpRouting.Builder routing, Served served, Optional<String> token) {
    ErrorResponses.register(routing);
    routing.addFilter(new ObservingFilter(served.observers(), served.clock()));
    AdminAccess access = new AdminAccess(token);
    routing.register("/_stevedore", new StatusService(served.status(), access));
    routing.register("/_stevedore", new AdminService(served.operator(), access));
  }
}
