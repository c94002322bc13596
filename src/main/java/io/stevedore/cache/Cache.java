package io.stevedore.cache;

import io.stevedore.store.Store;
import java.time.Clock;

/**
 * The cache over an open store, built once: the request path (blobs, manifests, referrers), what
 * operators do to it ({@link CacheContents}), and the listeners that hear about its blobs.
 */
public final class Cache {
  private final BlobCache blobs;
  private final ManifestCache manifests;
  private final ReferrersCache referrers;
  private final CacheContents contents;
  private final CacheCounters counters;
  private final BlobListeners listeners;

  private Cache(
      BlobCache blobs,
      ManifestCache manifests,
      ReferrersCache referrers,
      CacheContents contents,
      CacheCounters counters,
      BlobListeners listeners) {
    this.blobs = blobs;
    this.manifests = manifests;
    this.referrers = referrers;
    this.contents = contents;
    this.counters = counters;
    this.listeners = listeners;
  }

  /**
   * @param manifestMemory bytes of manifests kept in memory over the store
   */
  public static Cache over(Store store, Clock clock, FillPolicy policy, long manifestMemory) {
    CacheCounters counters = new CacheCounters();
    BlobListeners listeners = new BlobListeners();
    AccessTracker accesses = new AccessTracker(store.blobs(), clock);
    BlobCache blobs =
        new BlobCache(
            store.blobs(),
            store.links(),
            accesses,
            policy,
            clock,
            listeners,
            ChunkBuffers.forHeap(store.blobs().chunkSize(), Runtime.getRuntime().maxMemory()));
    ManifestCache manifests =
        new ManifestCache(
            store.manifests(), store.tags(), store.links(), clock, manifestMemory, counters);
    ReferrersCache referrers = new ReferrersCache(store.manifests(), store.tags(), clock, counters);
    CacheContents contents =
        new CacheContents(store, blobs, manifests, referrers, accesses, listeners, clock);
    return new Cache(blobs, manifests, referrers, contents, counters, listeners);
  }

  public BlobCache blobs() {
    return blobs;
  }

  public ManifestCache manifests() {
    return manifests;
  }

  public ReferrersCache referrers() {
    return referrers;
  }

  public CacheContents contents() {
    return contents;
  }

  public CacheCounters counters() {
    return counters;
  }

  /** Tells {@code listener} of every fill and eviction from now on. */
  public void listen(BlobListener listener) {
    listeners.add(listener);
  }
}
