package io.stevedore;

import io.stevedore.bundle.Exporter;
import io.stevedore.bundle.Importer;
import io.stevedore.cache.AccessTracker;
import io.stevedore.cache.BlobCache;
import io.stevedore.cache.CacheCounters;
import io.stevedore.cache.Evictor;
import io.stevedore.cache.FillPolicy;
import io.stevedore.cache.Maintenance;
import io.stevedore.cache.ManifestCache;
import io.stevedore.cache.Prefetcher;
import io.stevedore.cache.ReferrersCache;
import io.stevedore.config.StevedoreConfig;
import io.stevedore.config.UpstreamConfig;
import io.stevedore.route.ImagePrefetch;
import io.stevedore.route.UpstreamRouter;
import io.stevedore.store.Store;
import io.stevedore.upstream.Upstream;
import java.time.Clock;
import java.util.List;
import java.util.function.Function;

/** Everything built on an open store: the caches, the router over the upstreams, maintenance. */
record Components(
    UpstreamRouter router,
    ManifestCache manifests,
    BlobCache blobs,
    ReferrersCache referrers,
    AccessTracker accesses,
    Maintenance maintenance,
    ImagePrefetch prefetch,
    Exporter exporter,
    Importer importer) {

  static Components build(
      Store store,
      StevedoreConfig config,
      Clock clock,
      FillPolicy fillPolicy,
      Function<UpstreamConfig, Upstream> upstreams) {
    List<Upstream> clients = config.upstreams().stream().map(upstreams).toList();
    CacheCounters counters = new CacheCounters();
    AccessTracker accesses = new AccessTracker(store.blobs(), clock);
    BlobCache blobs = new BlobCache(store.blobs(), store.links(), accesses, fillPolicy, clock);
    Evictor evictor = new Evictor(store.blobs(), blobs, accesses, store.pins(), config.maxSize());
    evictor.watch(blobs);
    UpstreamRouter router = new UpstreamRouter(clients);
    ManifestCache manifests =
        new ManifestCache(
            store.manifests(),
            store.tags(),
            store.links(),
            clock,
            config.manifestMemory(),
            counters);
    return new Components(
        router,
        manifests,
        blobs,
        new ReferrersCache(store.manifests(), store.tags(), clock, counters),
        accesses,
        new Maintenance(store, evictor, accesses),
        new ImagePrefetch(router, new Prefetcher(manifests, blobs, store.pins(), clock)),
        new Exporter(store, router),
        new Importer(store, router, clock));
  }
}
