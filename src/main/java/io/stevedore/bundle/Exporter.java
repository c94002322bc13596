package io.stevedore.bundle;

import io.stevedore.airgap.OciArchiveWriter;
import io.stevedore.oci.Descriptor;
import io.stevedore.oci.Digest;
import io.stevedore.oci.ErrorCode;
import io.stevedore.oci.RegistryException;
import io.stevedore.store.BlobInfo;
import io.stevedore.store.Store;
import io.stevedore.store.StoredManifest;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Writes prefetched (pinned) images from the cache into an OCI image-layout archive, streaming
 * every blob from the store: an archive far larger than the heap needs no more memory.
 */
public final class Exporter {
  private final Store store;

  public Exporter(Store store) {
    this.store = store;
  }

  /**
   * Exports {@code images}, each named as it was prefetched, to {@code out}.
   *
   * @throws RegistryException NAME_UNKNOWN for an image that was not prefetched
   */
  public void export(List<String> images, OutputStream out, Consumer<String> progress)
      throws IOException {
    check(images);
    Map<String, Set<Digest>> pins = store.pins().all();
    try (OciArchiveWriter archive = new OciArchiveWriter(out)) {
      for (String image : images) {
        Set<Digest> digests = pins.get(image);
        Descriptor top = null;
        long bytes = 0;
        for (Digest digest : digests) {
          var manifest = store.manifests().find(digest);
          if (manifest.isPresent()) {
            StoredManifest m = manifest.get();
            archive.addBlob(digest, m.body().length, stream -> stream.write(m.body()));
            if (top == null) {
              top = new Descriptor(m.mediaType(), digest, m.body().length);
            }
            bytes += m.body().length;
          } else {
            BlobInfo blob =
                store
                    .blobs()
                    .find(digest)
                    .orElseThrow(
                        () ->
                            new RegistryException(
                                ErrorCode.BLOB_UNKNOWN,
                                "blob " + digest + " of " + image + " is not in the cache"));
            archive.addBlob(
                digest, blob.size(), stream -> store.blobs().copyTo(digest, blob.size(), stream));
            bytes += blob.size();
          }
        }
        archive.addImage(image, top);
        progress.accept(
            "exported " + image + ": " + digests.size() + " objects, " + bytes + " bytes");
      }
    }
  }

  /**
   * Fails before any byte is written when an image was not prefetched.
   *
   * @throws RegistryException NAME_UNKNOWN naming the image
   */
  public void check(List<String> images) {
    Map<String, Set<Digest>> pins = store.pins().all();
    for (String image : images) {
      if (!pins.containsKey(image) || pins.get(image).isEmpty()) {
        throw new RegistryException(
            ErrorCode.NAME_UNKNOWN, image + " is not in the cache: prefetch it first");
      }
    }
  }
}
