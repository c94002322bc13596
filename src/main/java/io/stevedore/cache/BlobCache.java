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
import java.util.function.Consumer;

/**
 * Blobs served from the store, filled from upstream on a miss. At most one fill runs per digest:
 * every request for a digest that is being filled follows that fill (single flight). A fill runs on
 * its own virtual thread, so it completes into the cache even when the client that started it goes
 * away. A blob is served under a repository only when it is linked to it ({@link RepositoryLinks}).
 */
public final class BlobCache {
  private final BlobStore store;
  private final RepositoryLinks links;
  private final FillPolicy policy;
  private final Clock clock;
  private final AccessTracker accesses;
  private final ConcurrentMap<Digest, Fill> fills = new ConcurrentHashMap<>();
  // How many responses are reading each blob: eviction leaves those alone. Eviction deletes
  // inside this map's per-key lock, and readers register before they look in the store, so a
  // reader either finds the blob whole or not at all.
  private final ConcurrentMap<Digest, Integer> readers = new ConcurrentHashMap<>();
  private volatile Consumer<Long> onCommit = size -> {};
  // 64 MiB of free buffers at most: the working set of ~30 downloads plus a few fills.
  private final ChunkBuffers buffers;

  public BlobCache(
      BlobStore store, LinkStore links, AccessTracker accesses, FillPolicy policy, Clock clock) {
    this.store = store;
    this.buffers = new ChunkBuffers(store.chunkSize(), 64);
    this.links = new RepositoryLinks(links);
    this.accesses = accesses;
    this.policy = policy;
    this.clock = clock;
  }

  /** Tells {@code listener} the size of every blob a fill commits (eviction keeps count). */
  public void onCommit(Consumer<Long> listener) {
    this.onCommit = listener;
  }

  /**
   * Deletes a blob unless a fill or a response is using it.
   *
   * @return whether it was deleted
   */
  public boolean evict(Digest digest) {
    boolean[] deleted = {false};
    readers.compute(
        digest,
        (d, count) -> {
          if (count == null && !fills.containsKey(d)) {
            store.delete(d);
            deleted[0] = true;
          }
          return count;
        });
    return deleted[0];
  }

  /** Whether a fill or a response is using the blob right now. */
  public boolean inUse(Digest digest) {
    return readers.containsKey(digest) || fills.containsKey(digest);
  }

  /**
   * The blob, from the store or from a fill (started now, or already running).
   *
   * @throws RegistryException when the upstream does not have it or fails before sending its first
   *     byte
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
        return content(digest, stored.get().size(), Progress.STORED);
      }
      Fill running = fills.get(digest);
      if (running != null) {
        if (running.failedAndCleared()) {
          continue; // a failed fill is not joined: this request starts a new one
        }
        if (!running.startedFor(upstream, repository)) {
          confirm(upstream, repository, digest);
        }
        return follow(digest, running);
      }
      Fill mine = new Fill(upstream, repository);
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
    Fill fill = fills.get(digest);
    if (stored.isPresent() || fill != null) {
      if (fill == null || !fill.startedFor(upstream, repository)) {
        confirm(upstream, repository, digest);
      }
      return Optional.of(stored.isPresent() ? stored.get().size() : fill.awaitSize());
    }
    Optional<Long> size = upstream.headBlob(repository, digest);
    // The upstream just said the repository has it: no need to ask again once it is stored.
    size.ifPresent(s -> links.link(upstream, repository, digest));
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

  private BlobContent follow(Digest digest, Fill fill) {
    return content(digest, fill.awaitSize(), fill);
  }

  private BlobContent content(Digest digest, long size, Progress progress) {
    return new BlobContent(store, buffers, digest, size, progress, () -> release(digest));
  }

  private void start(Fill fill, Upstream upstream, RepositoryName repository, Digest digest) {
    FillTask task =
        new FillTask(
            fill,
            store,
            buffers,
            upstream,
            repository,
            digest,
            policy,
            clock.instant().plus(policy.timeout()),
            clock,
            () -> {
              // The upstream sent this blob for this repository: link it once it is stored,
              // before the fill leaves the map, so no request sees it stored but unlinked.
              Optional<BlobInfo> committed = store.find(digest);
              if (committed.isPresent()) {
                links.link(upstream, repository, digest);
              }
              fills.remove(digest, fill);
              committed.ifPresent(blob -> onCommit.accept(blob.size()));
            });
    Thread.ofVirtual().name("fill-" + digest.hex().substring(0, 12)).start(task);
  }
}
