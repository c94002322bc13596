package io.stevedore.e2e;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * A test image in an OCI image-layout directory, with everything a test wants to assert on.
 *
 * @param layout the image-layout directory ({@code oci-layout}, {@code index.json}, blobs)
 * @param tag the {@code org.opencontainers.image.ref.name} of the image in {@code index.json}
 * @param top the manifest (single image) or image index (multi-arch) that the tag points to
 * @param manifests the image manifests: one, or one per platform of the index
 */
public record OciImage(Path layout, String tag, Blob top, List<Manifest> manifests) {

  public static final String INDEX = "application/vnd.oci.image.index.v1+json";
  public static final String MANIFEST = "application/vnd.oci.image.manifest.v1+json";
  public static final String CONFIG = "application/vnd.oci.image.config.v1+json";
  public static final String LAYER = "application/vnd.oci.image.layer.v1.tar+gzip";

  /** A content-addressed blob: its media type, {@code sha256:...} digest and size. */
  public record Blob(String mediaType, String digest, long size) {
    /** The hex part of the digest, as in {@code blobs/sha256/<hex>}. */
    public String hex() {
      return digest.substring("sha256:".length());
    }
  }

  /** A gzip'd layer and the digest of its uncompressed tar (the config's diff_id). */
  public record Layer(Blob blob, String diffId) {}

  /** One image manifest with its platform ({@code os/arch}), config and layers. */
  public record Manifest(String platform, Blob manifest, Blob config, List<Layer> layers) {
    public String os() {
      return platform.substring(0, platform.indexOf('/'));
    }

    public String architecture() {
      return platform.substring(platform.indexOf('/') + 1);
    }
  }

  /** The digest the tag resolves to (manifest or index). */
  public String digest() {
    return top.digest();
  }

  public boolean isIndex() {
    return INDEX.equals(top.mediaType());
  }

  /** skopeo source reference: {@code oci:DIR:TAG}. */
  public String ociReference() {
    return "oci:" + layout.toAbsolutePath() + ":" + tag;
  }

  /** The manifest for {@code os/arch}, e.g. {@code linux/amd64}. */
  public Manifest manifest(String platform) {
    return manifests.stream()
        .filter(m -> m.platform().equals(platform))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no " + platform + " in " + this));
  }

  /** Layer digests of all manifests, in manifest order. */
  public List<String> layerDigests() {
    return manifests.stream()
        .flatMap(m -> m.layers().stream())
        .map(l -> l.blob().digest())
        .toList();
  }

  /** Config and layer digests of all manifests: the {@code /blobs/} a full pull fetches. */
  public List<String> blobDigests() {
    return manifests.stream()
        .flatMap(
            m ->
                Stream.concat(
                    Stream.of(m.config().digest()),
                    m.layers().stream().map(l -> l.blob().digest())))
        .toList();
  }

  /** Sum of config and layer sizes over all manifests. */
  public long blobBytes() {
    return manifests.stream()
        .mapToLong(
            m -> m.config().size() + m.layers().stream().mapToLong(l -> l.blob().size()).sum())
        .sum();
  }

  /** Path of a blob in the layout. */
  public Path blobPath(String digest) {
    return layout.resolve("blobs/sha256").resolve(digest.substring("sha256:".length()));
  }
}
