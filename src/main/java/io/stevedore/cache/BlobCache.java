package io.stevedore.cache;

import io.stevedore.oci.Digest;
import io.stevedore.oci.RepositoryName;
import io.stevedore.store.BlobInfo;
import io.stevedore.store.BlobStore;
import io.stevedore.upstream.Upstream;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Blobs served from the store, filled from upstream on a miss. At most one fill runs per digest:
 * every request for a digest that is being filled follows that fill (single flight). A fill runs on
 * its own virtual thread, so it completes into the cache even when the client that started it goes
 * away.
 */
public final class BlobCache {
  private final BlobStore store;
  private final FillPolicy policy;
  private final Clock clock;
  private final ConcurrentMap<Digest, Fill> fills = new ConcurrentHashMap<>();

  public BlobCache(BlobStore store, FillPolicy policy, Clock clock) {
    this.store = store;
    this.policy = policy;
    this.clock = clock;
  }

  /**
   * The blob, from the store or from a fill (started now, or already running).
   *
   * @throws io.stevedore.oci.RegistryException when the upstream does not have it or fails before
   *     sending its first byte
   */
  public BlobContent open(Upstream upstream, RepositoryName repository, Digest digest) {
    while (true) {
      Optional<BlobInfo> stored = store.find(digest);
      if (stored.isPresent()) {
        return new BlobContent(store, digest, stored.get().size(), Progress.STORED);
      }
      Fill fill = fills.computeIfAbsent(digest, d -> startFill(upstream, repository, d));
      if (fill != null) {
        return new BlobContent(store, digest, fill.awaitSize(), fill);
      }
      // The blob was committed between find() and computeIfAbsent(): read it from the store.
    }
  }

  /**
   * The blob's size without fetching it: from the store, a running fill, or an upstream HEAD. Empty
   * when the upstream does not have it.
   */
  public Optional<Long> size(Upstream upstream, RepositoryName repository, Digest digest) {
    Optional<BlobInfo> stored = store.find(digest);
    if (stored.isPresent()) {
      return Optional.of(stored.get().size());
    }
    Fill fill = fills.get(digest);
    if (fill != null) {
      return Optional.of(fill.awaitSize());
    }
    return upstream.headBlob(repository, digest);
  }

  private Fill startFill(Upstream upstream, RepositoryName repository, Digest digest) {
    if (store.find(digest).isPresent()) {
      return null;
    }
    Fill fill = new Fill();
    FillTask task =
        new FillTask(
            fill,
            store,
            upstream,
            repository,
            digest,
            policy,
            clock.instant().plus(policy.timeout()),
            clock,
            () -> fills.remove(digest, fill));
    Thread.ofVirtual().name("fill-" + digest.hex().substring(0, 12)).start(task);
    return fill;
  }
}
