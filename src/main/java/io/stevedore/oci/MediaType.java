package io.stevedore.oci;

import java.util.List;

/** The manifest media types a registry mirror must know, and what kind each one is. */
public final class MediaType {
  public static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
  public static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
  public static final String DOCKER_MANIFEST =
      "application/vnd.docker.distribution.manifest.v2+json";
  public static final String DOCKER_MANIFEST_LIST =
      "application/vnd.docker.distribution.manifest.list.v2+json";
  public static final String OCTET_STREAM = "application/octet-stream";

  /** The four manifest types, index types last: what we ask an upstream for by default. */
  public static final List<String> MANIFEST_TYPES =
      List.of(OCI_MANIFEST, DOCKER_MANIFEST, OCI_INDEX, DOCKER_MANIFEST_LIST);

  private MediaType() {}

  /** Whether the type lists other manifests (an OCI index or a Docker manifest list). */
  public static boolean isIndex(String mediaType) {
    String type = essence(mediaType);
    return OCI_INDEX.equals(type) || DOCKER_MANIFEST_LIST.equals(type);
  }

  /** Whether the type is a single-image manifest. */
  public static boolean isManifest(String mediaType) {
    String type = essence(mediaType);
    return OCI_MANIFEST.equals(type) || DOCKER_MANIFEST.equals(type);
  }

  /** The type without parameters, lower case: {@code "a/b; charset=x" -> "a/b"}. */
  public static String essence(String mediaType) {
    if (mediaType == null) {
      return "";
    }
    int semicolon = mediaType.indexOf(';');
    String type = semicolon < 0 ? mediaType : mediaType.substring(0, semicolon);
    return type.strip().toLowerCase(java.util.Locale.ROOT);
  }
}
