package io.stevedore.oci;

import java.util.List;
import java.util.Optional;

/**
 * What a manifest or index says, as far as a mirror cares: its kind and everything it points at.
 *
 * @param mediaType the manifest's media type (one of {@link MediaType#MANIFEST_TYPES})
 * @param references every descriptor the manifest points at, in document order: config, layers,
 *     index entries, then subject
 * @param entries an index's entries with their platforms; empty for a single manifest
 */
public record Manifest(String mediaType, List<Descriptor> references, List<Entry> entries) {

  public Manifest {
    references = List.copyOf(references);
    entries = List.copyOf(entries);
  }

  /** An entry of an index: a manifest, and the platform it is for when the index says. */
  public record Entry(Descriptor descriptor, Optional<Platform> platform) {}

  /** The platform an index entry runs on, e.g. {@code linux/arm64/v8}. */
  public record Platform(String os, String architecture, Optional<String> variant) {
    @Override
    public String toString() {
      return os + "/" + architecture + variant.map(v -> "/" + v).orElse("");
    }
  }

  /**
   * Parses a manifest body. The body's own {@code mediaType} wins over {@code contentType}
   * (upstreams serve manifests as {@code application/json} or {@code octet-stream} too); when the
   * body has none and the content type is not a manifest type either, the shape decides.
   *
   * @param contentType the Content-Type it was served with; may be null
   * @throws RegistryException MANIFEST_INVALID when it is not JSON, not a supported manifest type
   *     (Docker schema 1 included) or lacks a required field
   */
  public static Manifest parse(byte[] body, String contentType) {
    return new ManifestReader(body, contentType).read();
  }

  /**
   * What an image manifest carries as blobs: its config and layers, not its {@code subject} (a
   * manifest of another image).
   */
  public List<Descriptor> blobs() {
    return references.stream()
        .filter(d -> !MediaType.isManifest(d.mediaType()) && !MediaType.isIndex(d.mediaType()))
        .toList();
  }

  /** Whether this lists other manifests (an OCI index or Docker manifest list). */
  public boolean isIndex() {
    return MediaType.isIndex(mediaType);
  }
}
