package io.stevedore.ops;

import io.stevedore.cache.BlobListener;
import io.stevedore.cache.CacheContents;
import io.stevedore.cache.CachedBlob;
import io.stevedore.oci.Digest;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * Keeps the blobs within the byte quota ({@code storage.max-size}): when they exceed it, the least
 * recently used are evicted until they take at most {@value #LOW_WATERMARK_PERCENT}% of it, so one
 * eviction makes room for many fills. Whole blobs only; never one that a fill or a response is
 * using, never a pinned one. Manifests and tags stay (they are small); a pull of an image whose
 * layer was evicted fetches that layer again.
 */
public final class Evictor implements BlobListener {
  static final int LOW_WATERMARK_PERCENT = 90;
  private static final Logger LOG = Logger.getLogger(Evictor.class.getName());

  private final CacheContents contents;
  private final long maxSize;
  // A running estimate that only decides when to look; eviction itself lists what is stored.
  private final AtomicLong stored = new AtomicLong();
  private final AtomicBoolean scheduled = new AtomicBoolean();

  /** Listen to the cache with it, and it evicts whenever a fill passes the quota. */
  public Evictor(CacheContents contents, long maxSize) {
    if (maxSize <= 0) {
      throw new IllegalArgumentException("the quota must be positive, got " + maxSize);
    }
    this.contents = contents;
    this.maxSize = maxSize;
    this.stored.set(contents.blobs().stream().mapToLong(CachedBlob::size).sum());
  }

  /** Bytes of blobs stored: a running count of fills and evictions, for metrics. */
  long storedBytes() {
    return stored.get();
  }

  long quota() {
    return maxSize;
  }

  /** What one eviction did. */
  public record Report(int evicted, long evictedBytes, long storedBytes, int skippedInUse) {}

  /** A fill committed {@code size} bytes: evict in the background when over the quota. */
  @Override
  public void committed(Digest digest, long size) {
    if (stored.addAndGet(size) > maxSize && scheduled.compareAndSet(false, true)) {
      Thread.ofVirtual()
          .name("eviction")
          .start(
              () -> {
                try {
                  Report report;
                  do {
                    report = evict(LOG::info);
                  } while (report.evicted() > 0 && stored.get() > maxSize);
                } catch (RuntimeException e) {
                  LOG.warning("eviction failed: " + e);
                } finally {
                  scheduled.set(false);
                }
              });
    }
  }

  /** Evicts down to the low watermark if the blobs exceed the quota; reports progress. */
  public synchronized Report evict(Consumer<String> progress) {
    List<CachedBlob> all = contents.blobs();
    long total = all.stream().mapToLong(CachedBlob::size).sum();
    if (total <= maxSize) {
      progress.accept(total + " of " + maxSize + " bytes stored: within the quota");
      return new Report(0, 0, total, 0);
    }
    long target = maxSize / 100 * LOW_WATERMARK_PERCENT;
    Set<Digest> pinned = new HashSet<>();
    contents.pins().values().forEach(pinned::addAll);
    List<CachedBlob> oldestFirst =
        all.stream()
            .sorted(
                Comparator.comparing(CachedBlob::lastAccess).thenComparing(b -> b.digest().hex()))
            .toList();
    int evicted = 0;
    int inUse = 0;
    long evictedBytes = 0;
    for (CachedBlob blob : oldestFirst) {
      if (total <= target) {
        break;
      }
      if (pinned.contains(blob.digest())) {
        continue;
      }
      if (contents.evict(blob)) {
        total -= blob.size();
        evictedBytes += blob.size();
        evicted++;
      } else {
        inUse++;
      }
    }
    if (evicted > 0) {
      contents.reclaim();
    }
    // Only subtract: fills that committed while this ran have added themselves already.
    stored.addAndGet(-evictedBytes);
    progress.accept(
        "evicted "
            + evicted
            + " blobs ("
            + evictedBytes
            + " bytes); "
            + total
            + " of "
            + maxSize
            + " bytes stored; "
            + inUse
            + " in use and "
            + pinned.size()
            + " pinned digests kept");
    return new Report(evicted, evictedBytes, total, inUse);
  }
}
