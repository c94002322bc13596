package io.stevedore.cache;

import io.stevedore.oci.Digest;
import io.stevedore.oci.RegistryException;
import io.stevedore.oci.RepositoryName;
import io.stevedore.store.BlobInfo;
import io.stevedore.store.BlobStore;
import io.stevedore.store.LinkStore;
import io.stevedore.upstream.Upstream;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Blobs served from the store, filled from upstream on a miss. At most one fill runs per digest
 * ({@link Fills}): every request for a digest that is being filled follows that fill (single
 * flight). A blob is served under a repository only when it is linked to it ({@link
 * RepositoryLinks}).
 */
public final class BlobCache {
  private final BlobStore store;
  private final RepositoryLinks links;
  private final AccessTracker accesses;
  private final Fills fills;
  private final BlobMisses misses;
  // How many responses are reading each blob: eviction leaves those alone. Eviction deletes
  // inside this map's per-key lock, and readers register before they look in the store, so a
  // reader either finds the blob whole or not at all.
  private final ConcurrentMap<Digest, Integer> readers = new ConcurrentHashMap<>();
  // A quarter of the heap at most, whatever the number of clients and fills.
  private final ChunkBuffers buffers;

  BlobCache(
      BlobStore store,
      LinkStore links,
      AccessTracker accesses,
      FillPolicy policy,
      Clock clock,
      BlobListener events,
      ChunkBuffers buffers) {
    this.store = store;
    this.buffers = buffers;
    this.links = new RepositoryLinks(links);
    this.accesses = accesses;
    this.misses = new BlobMisses(clock);
    // The misses hear of commits first: a blob that arrived is no longer missing anywhere.
    BlobListeners heard = new BlobListeners();
    heard.add(misses);
    heard.add(events);
    this.fills = new Fills(new FillContext(store, buffers, policy, clock, heard), this.links);
  }

  /**
   * Deletes a blob unless a fill or a response is using it.
   *
   * @return whether it was deleted
   */
  boolean evict(Digest digest) {
    boolean[] deleted = {false};
    readers.compute(
        digest,
        (d, count) -> {
          if (count == null && !fills.running(d)) {
            store.delete(d);
            deleted[0] = true;
          }
          return count;
        });
    return deleted[0];
  }

  /** A blob was stored another way than by a fill (an import): it is missing nowhere now. */
  void imported(Digest digest) {
    misses.found(digest);
  }

  /** The chunk buffers that serving and fills share. */
  public BufferUse buffers() {
    return buffers.use();
  }

  /** How many responses are reading the blob now: for a running fill, its waiters. */
  public int readers(Digest digest) {
    return readers.getOrDefault(digest, 0);
  }

  /** Whether a fill or a response is using the blob right now. */
  public boolean inUse(Digest digest) {
    return readers.containsKey(digest) || fills.running(digest);
  }

  /**
   * The blob, from the store or from a fill (started now, or already running).
   *
   * @throws RegistryException when the upstream does not have it (or said so within its negative
   *     TTL) or fails before sending its first byte
   */
  public BlobContent open(Upstream upstream, RepositoryName repository, Digest digest) {
    readers.merge(digest, 1, Integer::sum);
    try {
      return openRegistered(upstream, repository, digest);
    } catch (RuntimeException e) {
      release(digest);
      throw e;
    }
  }

  private void release(Digest digest) {
    readers.computeIfPresent(digest, (d, count) -> count == 1 ? null : count - 1);
  }

  private BlobContent openRegistered(Upstream upstream, RepositoryName repository, Digest digest) {
    while (true) {
      Optional<BlobInfo> stored = store.find(digest);
      if (stored.isPresent()) {
        confirm(upstream, repository, digest);
        accesses.accessed(digest);
        return content(digest, stored.get().size(), Progress.STORED, CacheResult.HIT);
      }
      Fill running = fills.find(digest);
      if (running != null) {
        if (running.failedAndCleared()) {
          continue; // a failed fill is not joined: this request starts a new one
        }
        if (!running.startedFor(upstream, repository)) {
          confirm(upstream, repository, digest);
        }
        return follow(digest, running, CacheResult.JOINED);
      }
      misses.checkNotRemembered(upstream, repository, digest);
      Fill mine = fills.startUnlessRunning(upstream, repository, digest);
      if (mine != null) {
        // The request that started a fill sees its outcome, failure included.
        try {
          return follow(digest, mine, CacheResult.MISS);
        } catch (RegistryException e) {
          misses.rememberIfNotFound(upstream, repository, digest, e);
          throw e;
        }
      }
      // Another request started a fill just now, or one committed: look again.
    }
  }

  /**
   * The blob's size without fetching it: from the store, a running fill, or an upstream HEAD. Empty
   * when the upstream does not have it.
   */
  public Optional<Long> size(Upstream upstream, RepositoryName repository, Digest digest) {
    Optional<BlobInfo> stored = store.find(digest);
    Fill fill = fills.find(digest);
    if (stored.isPresent() || fill != null) {
      if (fill == null || !fill.startedFor(upstream, repository)) {
        confirm(upstream, repository, digest);
      }
      return Optional.of(stored.isPresent() ? stored.get().size() : fill.awaitSize());
    }
    misses.checkNotRemembered(upstream, repository, digest);
    Optional<Long> size = upstream.headBlob(repository, digest);
    // The upstream just said the repository has it: no need to ask again once it is stored.
    size.ifPresentOrElse(
        s -> links.link(upstream, repository, digest),
        () ->
            misses.rememberIfNotFound(
                upstream, repository, digest, RegistryException.blobUnknown(digest)));
    return size;
  }

  private void confirm(Upstream upstream, RepositoryName repository, Digest digest) {
    links.confirm(
        upstream,
        repository,
        digest,
        () -> upstream.headBlob(repository, digest).isPresent(),
        () -> RegistryException.blobUnknown(digest));
  }

  private BlobContent follow(Digest digest, Fill fill, CacheResult result) {
    return content(digest, fill.awaitSize(), fill, result);
  }

  private BlobContent content(Digest digest, long size, Progress progress, CacheResult result) {
    return new BlobContent(store, buffers, digest, size, progress, result, () -> release(digest));
  }
}
