package io.stevedore.cache;

import io.stevedore.oci.Digest;
import io.stevedore.oci.ReferrersIndex;
import io.stevedore.oci.RepositoryName;
import io.stevedore.store.BlobInfo;
import io.stevedore.store.BlobWriter;
import io.stevedore.store.Store;
import io.stevedore.store.StoredManifest;
import io.stevedore.upstream.Upstream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Clock;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * What operators do to the cache, beside the request path: list and read what it holds, pin,
 * import, evict and remove. Operator features (prefetch, export, import, gc, verify) work through
 * this and the request path's own API, never on the store, so the cache's rules (links, referrers,
 * what is in use) hold for them too.
 */
public final class CacheContents {
  private final Store store;
  private final BlobCache blobs;
  private final ManifestCache manifests;
  private final ReferrersCache referrers;
  private final AccessTracker accesses;
  private final BlobListener events;
  private final Clock clock;

  CacheContents(
      Store store,
      BlobCache blobs,
      ManifestCache manifests,
      ReferrersCache referrers,
      AccessTracker accesses,
      BlobListener events,
      Clock clock) {
    this.store = store;
    this.blobs = blobs;
    this.manifests = manifests;
    this.referrers = referrers;
    this.accesses = accesses;
    this.events = events;
    this.clock = clock;
  }

  /**
   * Why the cache cannot store new content now (closed, out of disk space); empty when it can. What
   * is stored is served either way.
   */
  public Optional<String> unwritable() {
    return store.unwritable();
  }

  /** Every stored blob, with access times up to now. */
  public List<CachedBlob> blobs() {
    accesses.flush();
    return store.blobs().list().stream()
        .map(b -> new CachedBlob(b.digest(), b.size(), b.lastAccess()))
        .toList();
  }

  /** A stored blob's size; empty when it is not stored. */
  public Optional<Long> blobSize(Digest digest) {
    return store.blobs().find(digest).map(BlobInfo::size);
  }

  /**
   * Writes the first {@code size} bytes of a stored blob to {@code out}.
   *
   * @throws IllegalStateException when part of it is missing
   */
  public void copyBlob(Digest digest, long size, OutputStream out) throws IOException {
    store.blobs().copyTo(digest, size, out);
  }

  /**
   * Deletes a blob unless a fill or a response is using it, and tells the listeners.
   *
   * @return whether it was deleted
   */
  public boolean evict(CachedBlob blob) {
    boolean evicted = blobs.evict(blob.digest());
    if (evicted) {
      events.evicted(blob.digest(), blob.size());
    }
    return evicted;
  }

  /** Deletes a blob that must not be served any more (it is corrupted), in use or not. */
  public void remove(Digest digest) {
    store.blobs().delete(digest);
  }

  /** Gives back the space deleted blobs left in the store's records. */
  public void reclaim() {
    store.blobs().reclaim();
  }

  /** Writes the access times collected in memory (they are written now and then anyway). */
  public void flushAccesses() {
    accesses.flush();
  }

  /** Calls {@code action} with every stored manifest, one at a time. */
  public void forEachManifest(Consumer<CachedManifest> action) {
    store.manifests().forEach(m -> action.accept(cached(m)));
  }

  /** A stored manifest, without asking any upstream. */
  public Optional<CachedManifest> manifest(Digest digest) {
    return manifests.stored(digest).map(CacheContents::cached);
  }

  /** Deletes a manifest that must not be served any more (it is corrupted). */
  public void removeManifest(Digest digest) {
    store.manifests().delete(digest);
  }

  /** Every pinned image with its digests. */
  public Map<String, Set<Digest>> pins() {
    return store.pins().all();
  }

  /** Keeps {@code digests} from eviction under {@code image}, replacing what it pinned before. */
  public void pin(String image, Collection<Digest> digests) {
    store.pins().pin(image, digests);
  }

  /** The cached index of all referrers of {@code subject}, without asking the upstream. */
  public Optional<byte[]> referrers(Upstream upstream, RepositoryName repository, Digest subject) {
    return referrers.cachedIndex(upstream, repository, subject);
  }

  /**
   * Stores a blob from {@code content}, which must verify it: the read that reaches its end throws
   * when the bytes do not match {@code digest}, and then nothing is kept. A blob stored already is
   * read through (so it is still verified) and kept as it is.
   *
   * @return whether the blob is new; a caller undoing an import removes only those
   */
  public boolean importBlob(Digest digest, long size, InputStream content) throws IOException {
    if (store.blobs().find(digest).isPresent()) {
      content.transferTo(OutputStream.nullOutputStream());
      return false;
    }
    BlobWriter writer = store.blobs().begin(digest);
    try {
      byte[] chunk = new byte[store.blobs().chunkSize()];
      long index = 0;
      int filled;
      while ((filled = content.readNBytes(chunk, 0, chunk.length)) > 0) {
        writer.write(index++, chunk, filled);
      }
      // The read that reached the end verified the digest; only now the blob becomes visible.
      writer.commit(size, clock.instant());
      blobs.imported(digest);
      return true;
    } catch (IOException | RuntimeException e) {
      writer.abort();
      throw e;
    }
  }

  /**
   * Records an image whose blobs are stored: its manifests, tag, repository links and pin, and the
   * referrers among its manifests in their subjects' indexes. It is served at once, also where the
   * upstream had said "not found" a moment before.
   */
  public void importImage(ImportedImage image) {
    List<StoredManifest> stored =
        image.manifests().stream()
            .map(m -> new StoredManifest(m.digest(), m.mediaType(), m.body()))
            .toList();
    manifests.imported(image.upstream(), image.repository(), stored, image.tag());
    pin(image.pin(), image.digests());
    for (StoredManifest manifest : stored) {
      ReferrersIndex.subject(manifest.body())
          .ifPresent(
              subject ->
                  referrers.imported(image.upstream(), image.repository(), subject, manifest));
    }
  }

  private static CachedManifest cached(StoredManifest manifest) {
    return new CachedManifest(manifest.digest(), manifest.mediaType(), manifest.body());
  }
}
