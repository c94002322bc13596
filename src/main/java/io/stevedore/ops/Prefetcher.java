package io.stevedore.ops;

import io.stevedore.cache.BlobCache;
import io.stevedore.cache.BlobContent;
import io.stevedore.cache.CacheContents;
import io.stevedore.cache.ManifestCache;
import io.stevedore.cache.ServedManifest;
import io.stevedore.oci.Descriptor;
import io.stevedore.oci.Digest;
import io.stevedore.oci.Manifest;
import io.stevedore.oci.MediaType;
import io.stevedore.oci.Reference;
import io.stevedore.oci.RepositoryName;
import io.stevedore.upstream.Upstream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Pulls an image into the cache as a client would (its index, the manifests of the chosen
 * platforms, every blob), verified as always, and pins all of it under the image's name so eviction
 * never removes it.
 */
final class Prefetcher {
  private final ManifestCache manifests;
  private final BlobCache blobs;
  private final CacheContents contents;
  private final Clock clock;

  Prefetcher(ManifestCache manifests, BlobCache blobs, CacheContents contents, Clock clock) {
    this.manifests = manifests;
    this.blobs = blobs;
    this.contents = contents;
    this.clock = clock;
  }

  /** What one image's prefetch stored. */
  record Result(Digest top, int manifests, int blobs, long bytes) {}

  /**
   * Prefetches and pins one image.
   *
   * @param image the name the pin is kept under (as the user wrote the reference)
   * @param platforms {@code os/arch[/variant]} to keep from an index; empty for all
   */
  Result prefetch(
      Upstream upstream,
      RepositoryName repository,
      Reference reference,
      String image,
      Set<String> platforms,
      Consumer<String> progress) {
    ServedManifest top = manifests.get(upstream, repository, reference, MediaType.MANIFEST_TYPES);
    Set<Digest> pinned = new LinkedHashSet<>();
    pinned.add(top.digest());
    List<Descriptor> layers = new ArrayList<>();
    Manifest parsed = Manifest.parse(top.body(), top.mediaType());
    int manifestCount = 1;
    if (parsed.isIndex()) {
      for (Manifest.Entry entry : parsed.entries()) {
        if (!platforms.isEmpty()
            && entry.platform().map(p -> !platforms.contains(p.toString())).orElse(true)) {
          continue;
        }
        Digest child = entry.descriptor().digest();
        ServedManifest manifest =
            manifests.get(
                upstream, repository, new Reference.ByDigest(child), MediaType.MANIFEST_TYPES);
        pinned.add(child);
        manifestCount++;
        layers.addAll(Manifest.parse(manifest.body(), manifest.mediaType()).blobs());
      }
    } else {
      layers.addAll(parsed.blobs());
    }
    long total = layers.stream().mapToLong(Descriptor::size).sum();
    long done = 0;
    Instant start = clock.instant();
    int count = 0;
    for (Descriptor layer : layers) {
      if (!pinned.add(layer.digest())) {
        continue;
      }
      try (BlobContent blob = blobs.open(upstream, repository, layer.digest())) {
        if (blob.size() > 0) {
          blob.writeTo(OutputStream.nullOutputStream(), 0, blob.size() - 1);
        }
        done += blob.size();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      count++;
      progress.accept(image + ": " + progressLine(done, total, start));
    }
    contents.pin(image, pinned);
    progress.accept(
        image
            + ": pinned "
            + manifestCount
            + " manifests and "
            + count
            + " blobs, "
            + done
            + " bytes");
    return new Result(top.digest(), manifestCount, count, done);
  }

  private String progressLine(long done, long total, Instant start) {
    Duration elapsed = Duration.between(start, clock.instant());
    double seconds = Math.max(elapsed.toMillis(), 1) / 1000.0;
    double rate = done / seconds;
    long eta = rate > 0 ? (long) ((total - done) / rate) : 0;
    return String.format(
        "%d/%d bytes (%.0f%%), %.1f MB/s, ETA %ds",
        done, total, total == 0 ? 100.0 : 100.0 * done / total, rate / 1e6, eta);
  }
}
