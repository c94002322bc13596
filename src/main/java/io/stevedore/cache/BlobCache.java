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
      Fill running = fills.get(digest);
      if (running != null) {
        if (running.failedAndCleared()) {
          continue; // a failed fill is not joined: this request starts a new one
        }
        return follow(digest, running);
      }
      Fill mine = new Fill();
      if (fills.putIfAbsent(digest, mine) != null) {
        continue; // another request started a fill just now: follow that one
      }
      if (store.find(digest).isPresent()) {
        fills.remove(digest, mine); // the previous fill committed just now
        continue;
      }
      start(mine, upstream, repository, digest);
      // The request that started a fill sees its outcome, failure included.
      return follow(digest, mine);
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

  private BlobContent follow(Digest digest, Fill fill) {
    return new BlobContent(store, digest, fill.awaitSize(), fill);
  }

  private void start(Fill fill, Upstream upstream, RepositoryName repository, Digest digest) {
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
  }
}
