package io.stevedore.http;

import io.helidon.webserver.http.HttpRouting;
import io.stevedore.cache.Cache;
import io.stevedore.ops.Operator;
import io.stevedore.route.UpstreamRouter;

/** Everything Stevedore serves over HTTP, in one routing that the server and tests share. */
public final class HttpApi {
  private HttpApi() {}

  public static void routing(
      HttpRouting.Builder routing, UpstreamRouter router, Cache cache, Operator operator) {
    ErrorResponses.register(routing);
    routing.register("/_stevedore", new AdminService(operator));
    routing.register(
        new RegistryService(router, cache.manifests(), cache.blobs(), cache.referrers()));
  }
}
