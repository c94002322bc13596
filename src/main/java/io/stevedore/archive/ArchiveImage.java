package io.stevedore.archive;

import io.stevedore.oci.Descriptor;
import java.util.Optional;

/**
 * An image an archive's {@code index.json} lists: its top manifest or index, and the name it is
 * found by.
 *
 * @param refName the {@code org.opencontainers.image.ref.name} annotation, which {@code skopeo
 *     oci-archive:<file>:<ref>} selects by; empty when the entry has none
 * @param descriptor the top manifest or index
 */
public record ArchiveImage(Optional<String> refName, Descriptor descriptor) {
  public ArchiveImage {
    if (refName == null || descriptor == null) {
      throw new IllegalArgumentException(
          "an archive image needs a ref name (maybe empty) and a descriptor");
    }
  }
}
