package io.stevedore.ops;

import io.stevedore.archive.OciArchiveWriter;
import io.stevedore.cache.CacheContents;
import io.stevedore.cache.CachedManifest;
import io.stevedore.oci.Descriptor;
import io.stevedore.oci.Digest;
import io.stevedore.oci.ErrorCode;
import io.stevedore.oci.Manifest;
import io.stevedore.oci.MediaType;
import io.stevedore.oci.RegistryException;
import io.stevedore.route.ImageReference;
import io.stevedore.route.UpstreamRouter;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Writes prefetched (pinned) images from the cache into an OCI image-layout archive, streaming
 * every blob from the store: an archive far larger than the heap needs no more memory. The cached
 * referrers of the images (signatures, SBOMs) go along, each named {@code <name>@<digest>}.
 */
final class Exporter {
  private final CacheContents contents;
  private final UpstreamRouter router;

  /** {@code router} finds where an image's referrers are cached, as the importer will file them. */
  Exporter(CacheContents contents, UpstreamRouter router) {
    this.contents = contents;
    this.router = router;
  }

  /**
   * Exports {@code images}, each named as it was prefetched, to {@code out}.
   *
   * @throws RegistryException NAME_UNKNOWN for an image that was not prefetched
   */
  void export(List<String> images, OutputStream out, Consumer<String> progress) throws IOException {
    Map<String, Set<Digest>> pins = check(images);
    Set<String> referrerNames = new HashSet<>(); // one referrer may belong to several images
    try (OciArchiveWriter archive = new OciArchiveWriter(out)) {
      for (String image : images) {
        Set<Digest> digests = pins.get(image);
        Descriptor top = null;
        long bytes = 0;
        List<Digest> manifests = new ArrayList<>();
        for (Digest digest : digests) {
          Optional<CachedManifest> manifest = contents.manifest(digest);
          if (manifest.isPresent()) {
            CachedManifest m = manifest.get();
            manifests.add(digest);
            archive.addBlob(digest, m.body().length, stream -> stream.write(m.body()));
            if (top == null) {
              top = new Descriptor(m.mediaType(), digest, m.body().length);
            }
            bytes += m.body().length;
          } else {
            bytes += addBlob(archive, digest, image);
          }
        }
        archive.addImage(image, top);
        progress.accept(
            "exported " + image + ": " + digests.size() + " objects, " + bytes + " bytes");
        ImageReference reference = ImageReference.parse(image);
        for (CachedManifest referrer : referrers(reference.name(), manifests)) {
          // A digest reference, which the importer loads like any image.
          String refName = reference.name() + "@" + referrer.digest();
          if (referrerNames.add(refName)) {
            addReferrer(archive, refName, referrer);
            progress.accept("exported referrer " + refName);
          }
        }
      }
    }
  }

  /** Streams a stored blob into the archive; returns its size. */
  private long addBlob(OciArchiveWriter archive, Digest digest, String image) throws IOException {
    long size =
        contents
            .blobSize(digest)
            .orElseThrow(
                () ->
                    new RegistryException(
                        ErrorCode.BLOB_UNKNOWN,
                        "blob " + digest + " of " + image + " is not in the cache"));
    archive.addBlob(digest, size, stream -> contents.copyBlob(digest, size, stream));
    return size;
  }

  /**
   * The cached referrers of {@code manifests} that can be exported whole. A referrer whose manifest
   * or blobs the cache does not hold is left out: the air-gapped mirror could not serve it anyway.
   */
  private Collection<CachedManifest> referrers(String name, List<Digest> manifests) {
    UpstreamRouter.Route route = router.route(Optional.empty(), Optional.empty(), name);
    Map<Digest, CachedManifest> referrers = new LinkedHashMap<>();
    for (Digest subject : manifests) {
      Optional<byte[]> index = contents.referrers(route.upstream(), route.repository(), subject);
      if (index.isEmpty()) {
        continue;
      }
      for (Manifest.Entry entry : Manifest.parse(index.get(), MediaType.OCI_INDEX).entries()) {
        contents
            .manifest(entry.descriptor().digest())
            .filter(this::blobsCached)
            .ifPresent(referrer -> referrers.put(referrer.digest(), referrer));
      }
    }
    return referrers.values();
  }

  private boolean blobsCached(CachedManifest referrer) {
    return blobs(referrer).stream().allMatch(blob -> contents.blobSize(blob.digest()).isPresent());
  }

  /** The config and layers of {@code manifest}; its subject is another image's, not its own. */
  private static List<Descriptor> blobs(CachedManifest manifest) {
    return Manifest.parse(manifest.body(), manifest.mediaType()).blobs();
  }

  private void addReferrer(OciArchiveWriter archive, String refName, CachedManifest referrer)
      throws IOException {
    byte[] body = referrer.body();
    archive.addBlob(referrer.digest(), body.length, stream -> stream.write(body));
    for (Descriptor blob : blobs(referrer)) {
      addBlob(archive, blob.digest(), refName);
    }
    archive.addImage(refName, new Descriptor(referrer.mediaType(), referrer.digest(), body.length));
  }

  /**
   * Fails before any byte is written when an image was not prefetched.
   *
   * @return every pin, for the export to read the images' digests from
   * @throws RegistryException NAME_UNKNOWN naming the image
   */
  Map<String, Set<Digest>> check(List<String> images) {
    Map<String, Set<Digest>> pins = contents.pins();
    for (String image : images) {
      if (!pins.containsKey(image) || pins.get(image).isEmpty()) {
        throw new RegistryException(
            ErrorCode.NAME_UNKNOWN, image + " is not in the cache: prefetch it first");
      }
    }
    return pins;
  }
}
