package io.stevedore.http;

import io.helidon.webserver.http.HttpRouting;
import io.stevedore.bundle.Exporter;
import io.stevedore.bundle.Importer;
import io.stevedore.cache.BlobCache;
import io.stevedore.cache.Maintenance;
import io.stevedore.cache.ManifestCache;
import io.stevedore.cache.ReferrersCache;
import io.stevedore.route.ImagePrefetch;
import io.stevedore.route.UpstreamRouter;

/** Everything Stevedore serves over HTTP, in one routing that the server and tests share. */
public final class HttpApi {
  private HttpApi() {}

  public static void routing(
      HttpRouting.Builder routing,
      UpstreamRouter router,
      ManifestCache manifests,
      BlobCache blobs,
      ReferrersCache referrers,
      Maintenance maintenance,
      ImagePrefetch prefetch,
      Exporter exporter,
      Importer importer) {
    ErrorResponses.register(routing);
    routing.register("/_stevedore", new AdminService(maintenance, prefetch, exporter, importer));
    routing.register(new RegistryService(router, manifests, blobs, referrers));
  }
}
