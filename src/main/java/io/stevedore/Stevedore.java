package io.stevedore;

import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;
import io.stevedore.cache.BlobCache;
import io.stevedore.cache.CacheCounters;
import io.stevedore.cache.FillPolicy;
import io.stevedore.cache.ManifestCache;
import io.stevedore.cache.ReferrersCache;
import io.stevedore.config.StevedoreConfig;
import io.stevedore.config.UpstreamConfig;
import io.stevedore.http.HttpApi;
import io.stevedore.route.UpstreamRouter;
import io.stevedore.store.Store;
import io.stevedore.store.rocks.RocksStore;
import io.stevedore.upstream.OkHttpUpstream;
import io.stevedore.upstream.Upstream;
import java.time.Clock;
import java.util.List;
import java.util.function.Function;

/** One running mirror: the store, the upstreams, the caches and the HTTP server over them. */
public final class Stevedore implements AutoCloseable {
  private final Store store;
  private final WebServer server;

  private Stevedore(Store store, WebServer server) {
    this.store = store;
    this.server = server;
  }

  /** Opens the store and starts serving, with real upstreams. */
  public static Stevedore start(StevedoreConfig config, Clock clock) {
    return start(
        config,
        clock,
        FillPolicy.DEFAULT.withTimeout(config.fillTimeout()),
        c -> OkHttpUpstream.create(c, clock));
  }

  /** Starts with upstreams and fill policy of the caller's choosing; tests use it. */
  public static Stevedore start(
      StevedoreConfig config,
      Clock clock,
      FillPolicy fillPolicy,
      Function<UpstreamConfig, Upstream> upstreams) {
    Store store = RocksStore.open(config.storagePath());
    try {
      List<Upstream> clients = config.upstreams().stream().map(upstreams).toList();
      UpstreamRouter router = new UpstreamRouter(clients);
      CacheCounters counters = new CacheCounters();
      ManifestCache manifests =
          new ManifestCache(
              store.manifests(),
              store.tags(),
              store.links(),
              clock,
              config.manifestMemory(),
              counters);
      BlobCache blobs = new BlobCache(store.blobs(), store.links(), fillPolicy, clock);
      HttpRouting.Builder routing = HttpRouting.builder();
      ReferrersCache referrers =
          new ReferrersCache(store.manifests(), store.tags(), clock, counters);
      HttpApi.routing(routing, router, manifests, blobs, referrers);
      WebServer server =
          WebServer.builder()
              .host(config.host())
              .port(config.port())
              .routing(routing)
              .build()
              .start();
      return new Stevedore(store, server);
    } catch (RuntimeException e) {
      store.close();
      throw e;
    }
  }

  public int port() {
    return server.port();
  }

  @Override
  public void close() {
    server.stop();
    store.close();
  }
}
