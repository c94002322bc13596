package io.stevedore.ops;

import io.stevedore.cache.Cache;
import io.stevedore.cache.CacheContents;
import io.stevedore.route.UpstreamRouter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * What an operator does to a mirror: gc, verify, prefetch, export and import. The same whether the
 * running server does it (its admin endpoints) or the command line does (on a stopped server's data
 * directory); each reports progress as lines, and a line starting with {@code failed:} marks a
 * failure. Works on the cache only through its API ({@link Cache}), never on the store.
 */
public final class Operator {
  private final Evictor evictor;
  private final Cache cache;
  private final ImagePrefetch prefetch;
  private final Exporter exporter;
  private final Importer importer;

  private Operator(
      Evictor evictor, Cache cache, ImagePrefetch prefetch, Exporter exporter, Importer importer) {
    this.evictor = evictor;
    this.cache = cache;
    this.prefetch = prefetch;
    this.exporter = exporter;
    this.importer = importer;
  }

  /**
   * Operates on {@code cache}, and keeps it within {@code quota} bytes of blobs from now on: every
   * fill that passes it starts an eviction in the background.
   */
  public static Operator over(Cache cache, UpstreamRouter router, long quota, Clock clock) {
    Evictor evictor = new Evictor(cache.contents(), quota);
    cache.listen(evictor);
    Prefetcher prefetcher =
        new Prefetcher(cache.manifests(), cache.blobs(), cache.contents(), clock);
    return new Operator(
        evictor,
        cache,
        new ImagePrefetch(router, prefetcher),
        new Exporter(cache.contents(), router),
        new Importer(cache.contents(), router));
  }

  /** Bytes of blobs stored, as the quota counts them; kept up to date by fills and evictions. */
  public long storedBytes() {
    return evictor.storedBytes();
  }

  /** The byte quota of stored blobs ({@code storage.max-size}). */
  public long quota() {
    return evictor.quota();
  }

  /** Bytes of the blobs that pins keep from eviction (a blob pinned twice counts once). */
  public long pinnedBytes() {
    CacheContents contents = cache.contents();
    return contents.pins().values().stream()
        .flatMap(Set::stream)
        .distinct()
        .mapToLong(digest -> contents.blobSize(digest).orElse(0L))
        .sum();
  }

  /** Evicts down to the quota, then compacts what the deletes left in the store's records. */
  public Evictor.Report gc(Consumer<String> progress) {
    progress.accept("evicting least recently used blobs above the quota");
    Evictor.Report report = evictor.evict(progress);
    progress.accept("compacting the store's records");
    cache.contents().reclaim();
    progress.accept("gc done");
    return report;
  }

  /** Re-hashes every blob and manifest; removes the corrupted ones. */
  public Verifier.Report verify(Consumer<String> progress) {
    return new Verifier(cache.contents()).verify(progress);
  }

  /**
   * Prefetches and pins {@code images} (references as users write them), keeping only {@code
   * platforms} of multi-platform images, all when empty.
   *
   * @return the images that failed, each with why
   */
  public List<String> prefetch(
      List<String> images, Set<String> platforms, Consumer<String> progress) {
    return prefetch.prefetch(images, platforms, progress);
  }

  /**
   * Fails before any byte is written when an image was not prefetched.
   *
   * @throws io.stevedore.oci.RegistryException NAME_UNKNOWN naming the image
   */
  public void checkExport(List<String> images) {
    exporter.check(images);
  }

  /** Writes prefetched images to {@code out} as an OCI image-layout archive. */
  public void export(List<String> images, OutputStream out, Consumer<String> progress)
      throws IOException {
    exporter.export(images, out, progress);
  }

  /**
   * Loads an OCI image-layout archive, verified, and serves its images at once.
   *
   * @return the names of the images imported
   */
  public List<String> importArchive(InputStream archive, Consumer<String> progress)
      throws IOException {
    return importer.importArchive(archive, progress);
  }
}
