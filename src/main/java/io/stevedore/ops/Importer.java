package io.stevedore.ops;

import io.stevedore.archive.ArchiveImage;
import io.stevedore.archive.OciArchiveReader;
import io.stevedore.cache.CacheContents;
import io.stevedore.cache.CachedManifest;
import io.stevedore.cache.ImportedImage;
import io.stevedore.oci.Descriptor;
import io.stevedore.oci.Digest;
import io.stevedore.oci.ErrorCode;
import io.stevedore.oci.Manifest;
import io.stevedore.oci.Reference;
import io.stevedore.oci.RegistryException;
import io.stevedore.route.ImageReference;
import io.stevedore.route.UpstreamRouter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Loads an OCI image-layout archive into the cache: every blob verified against its digest while it
 * streams in; the images recorded (manifests, tags, repository links, pins, referrers) only after
 * the whole archive proved sound. A damaged archive leaves nothing behind: what it had stored is
 * deleted again, and nothing was ever linked, so nothing of it was served.
 */
final class Importer {
  /** Like containerd: a manifest larger than this is not one. */
  private static final long MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

  private final CacheContents contents;
  private final UpstreamRouter router;

  Importer(CacheContents contents, UpstreamRouter router) {
    this.contents = contents;
    this.router = router;
  }

  List<String> importArchive(InputStream archive, Consumer<String> progress) throws IOException {
    List<Digest> added = new ArrayList<>();
    try {
      List<ArchiveImage> images =
          new OciArchiveReader(archive)
              .read(
                  (digest, size, content) -> {
                    if (contents.importBlob(digest, size, content)) {
                      added.add(digest);
                      progress.accept("stored " + digest + " (" + size + " bytes)");
                    }
                  });
      List<ImportedImage> loaded = new ArrayList<>();
      for (ArchiveImage image : images) {
        loaded.add(load(image));
      }
      loaded.forEach(contents::importImage);
      List<String> names = loaded.stream().map(ImportedImage::pin).toList();
      progress.accept(
          "imported " + names.size() + " images, " + added.size() + " new blobs: " + names);
      return names;
    } catch (IOException | RuntimeException e) {
      added.forEach(contents::remove);
      progress.accept("failed: " + e.getMessage() + "; nothing of the archive was kept");
      throw e;
    }
  }

  private ImportedImage load(ArchiveImage image) {
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
    List<CachedManifest> manifests = new ArrayList<>();
    Set<Digest> digests = new LinkedHashSet<>();
    CachedManifest top = manifest(image.descriptor());
    manifests.add(top);
    digests.add(top.digest());
    Manifest parsed = Manifest.parse(top.body(), top.mediaType());
    List<Manifest> images = new ArrayList<>();
    if (parsed.isIndex()) {
      for (Manifest.Entry entry : parsed.entries()) {
        if (contents.blobSize(entry.descriptor().digest()).isEmpty()) {
          continue; // a platform that was not prefetched
        }
        CachedManifest child = manifest(entry.descriptor());
        manifests.add(child);
        digests.add(child.digest());
        images.add(Manifest.parse(child.body(), child.mediaType()));
      }
    } else {
      images.add(parsed);
    }
    for (Manifest manifest : images) {
      for (Descriptor blob : manifest.blobs()) {
        if (contents.blobSize(blob.digest()).isEmpty()) {
          throw new RegistryException(
              ErrorCode.BLOB_UNKNOWN, "the archive lacks blob " + blob.digest() + " of " + refName);
        }
        digests.add(blob.digest());
      }
    }
    Optional<Reference.Tag> tag =
        reference.reference() instanceof Reference.Tag t ? Optional.of(t) : Optional.empty();
    return new ImportedImage(
        route.upstream(), route.repository(), refName, tag, manifests, digests);
  }

  /** A manifest of the archive, read from the blob it was stored as. */
  private CachedManifest manifest(Descriptor descriptor) {
    Digest digest = descriptor.digest();
    long size =
        contents
            .blobSize(digest)
            .orElseThrow(
                () ->
                    new RegistryException(
                        ErrorCode.MANIFEST_UNKNOWN, "the archive lacks manifest " + digest));
    if (size > MAX_MANIFEST_BYTES) {
      throw new RegistryException(
          ErrorCode.MANIFEST_INVALID, "manifest " + digest + " is over 4 MiB");
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream((int) size);
    try {
      contents.copyBlob(digest, size, out);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a ByteArrayOutputStream does not throw
    }
    return new CachedManifest(digest, descriptor.mediaType(), out.toByteArray());
  }
}
