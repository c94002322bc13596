package io.stevedore.bundle;

import io.stevedore.archive.ArchiveImage;
import io.stevedore.archive.OciArchiveReader;
import io.stevedore.cache.ReferrersCache;
import io.stevedore.oci.Descriptor;
import io.stevedore.oci.Digest;
import io.stevedore.oci.ErrorCode;
import io.stevedore.oci.Manifest;
import io.stevedore.oci.MediaType;
import io.stevedore.oci.Reference;
import io.stevedore.oci.ReferrersIndex;
import io.stevedore.oci.RegistryException;
import io.stevedore.route.ImageReference;
import io.stevedore.route.UpstreamRouter;
import io.stevedore.store.BlobWriter;
import io.stevedore.store.Store;
import io.stevedore.store.StoredManifest;
import io.stevedore.store.TagEntry;
import io.stevedore.store.TagKey;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Loads an OCI image-layout archive into the cache: every blob verified against its digest while it
 * streams in; the images' manifests, tags, repository links and pins recorded only after the whole
 * archive proved sound. A damaged archive leaves nothing behind: what it had stored is deleted
 * again, and nothing was ever linked, so nothing of it was served. Imported referrers (manifests
 * with a {@code subject}) join their subject's cached referrers index, so an air-gapped mirror
 * answers the referrers API with them.
 */
public final class Importer {
  private final Store store;
  private final UpstreamRouter router;
  private final Clock clock;

  public Importer(Store store, UpstreamRouter router, Clock clock) {
    this.store = store;
    this.router = router;
    this.clock = clock;
  }

  /** A verified image, ready to be recorded. */
  private record Loaded(
      String refName,
      UpstreamRouter.Route route,
      Reference reference,
      Descriptor top,
      List<StoredManifest> manifests,
      Set<Digest> digests) {}

  public List<String> importArchive(InputStream archive, Consumer<String> progress)
      throws IOException {
    List<Digest> added = new ArrayList<>();
    try {
      List<ArchiveImage> images =
          new OciArchiveReader(archive)
              .read((digest, size, content) -> store(digest, size, content, added, progress));
      List<Loaded> loaded = new ArrayList<>();
      for (ArchiveImage image : images) {
        loaded.add(load(image));
      }
      loaded.forEach(this::record);
      List<String> names = loaded.stream().map(Loaded::refName).toList();
      progress.accept(
          "imported " + names.size() + " images, " + added.size() + " new blobs: " + names);
      return names;
    } catch (IOException | RuntimeException e) {
      added.forEach(store.blobs()::delete);
      progress.accept("failed: " + e.getMessage() + "; nothing of the archive was kept");
      throw e;
    }
  }

  private void store(
      Digest digest, long size, InputStream content, List<Digest> added, Consumer<String> progress)
      throws IOException {
    if (store.blobs().find(digest).isPresent()) {
      content.transferTo(OutputStream.nullOutputStream()); // the reader still verifies it
      return;
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
      added.add(digest);
      progress.accept("stored " + digest + " (" + size + " bytes)");
    } catch (IOException | RuntimeException e) {
      writer.abort();
      throw e;
    }
  }

  private Loaded load(ArchiveImage image) {
    String refName =
        image
            .refName()
            .orElseThrow(
                () ->
                    new RegistryException(
                        ErrorCode.NAME_INVALID,
                        "an image in the archive has no org.opencontainers.image.ref.name"));
    ImageReference reference = ImageReference.parse(refName);
    UpstreamRouter.Route route = router.route(Optional.empty(), Optional.empty(), reference.name());
    Descriptor top = image.descriptor();
    List<StoredManifest> manifests = new ArrayList<>();
    Set<Digest> digests = new LinkedHashSet<>();
    StoredManifest topManifest = manifest(top);
    manifests.add(topManifest);
    digests.add(top.digest());
    Manifest parsed = Manifest.parse(topManifest.body(), topManifest.mediaType());
    List<Manifest> images = new ArrayList<>();
    if (parsed.isIndex()) {
      for (Manifest.Entry entry : parsed.entries()) {
        if (store.blobs().find(entry.descriptor().digest()).isEmpty()) {
          continue; // a platform that was not prefetched
        }
        StoredManifest child = manifest(entry.descriptor());
        manifests.add(child);
        digests.add(child.digest());
        images.add(Manifest.parse(child.body(), child.mediaType()));
      }
    } else {
      images.add(parsed);
    }
    for (Manifest manifest : images) {
      for (Descriptor blob : manifest.blobs()) {
        if (store.blobs().find(blob.digest()).isEmpty()) {
          throw new RegistryException(
              ErrorCode.BLOB_UNKNOWN, "the archive lacks blob " + blob.digest() + " of " + refName);
        }
        digests.add(blob.digest());
      }
    }
    return new Loaded(refName, route, reference.reference(), top, manifests, digests);
  }

  private StoredManifest manifest(Descriptor descriptor) {
    Digest digest = descriptor.digest();
    if (store.blobs().find(digest).isEmpty()) {
      throw new RegistryException(
          ErrorCode.MANIFEST_UNKNOWN, "the archive lacks manifest " + digest);
    }
    return new StoredManifest(digest, descriptor.mediaType(), read(digest));
  }

  private byte[] read(Digest digest) {
    long size = store.blobs().find(digest).orElseThrow().size();
    if (size > 4 * 1024 * 1024) {
      throw new RegistryException(
          ErrorCode.MANIFEST_INVALID, "manifest " + digest + " is over 4 MiB");
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream((int) size);
    try {
      store.blobs().copyTo(digest, size, out);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e); // a ByteArrayOutputStream does not throw
    }
    return out.toByteArray();
  }

  private void record(Loaded image) {
    String upstream = image.route().upstream().config().name();
    String repository = image.route().repository().value();
    image.manifests().forEach(store.manifests()::put);
    store.links().add(upstream, repository, image.digests());
    store.pins().pin(image.refName(), image.digests());
    if (image.reference() instanceof Reference.Tag tag) {
      store
          .tags()
          .put(
              new TagKey(upstream, repository, tag.name(), ""),
              new TagEntry(image.top().digest(), image.top().mediaType(), clock.instant()));
    }
    for (StoredManifest manifest : image.manifests()) {
      ReferrersIndex.subject(manifest.body())
          .ifPresent(subject -> addReferrer(upstream, repository, subject, manifest));
    }
  }

  /** Merges into what the cache already holds: referrers fetched before stay listed. */
  private void addReferrer(
      String upstream, String repository, Digest subject, StoredManifest referrer) {
    TagKey key = ReferrersCache.key(upstream, repository, subject, null);
    byte[] cached =
        store
            .tags()
            .find(key)
            .flatMap(entry -> store.manifests().find(entry.digest()))
            .map(StoredManifest::body)
            .orElseGet(ReferrersIndex::empty);
    byte[] body =
        ReferrersIndex.with(cached, referrer.mediaType(), referrer.digest(), referrer.body());
    StoredManifest index = new StoredManifest(Digest.sha256(body), MediaType.OCI_INDEX, body);
    store.manifests().put(index);
    store.tags().put(key, new TagEntry(index.digest(), MediaType.OCI_INDEX, clock.instant()));
  }
}
