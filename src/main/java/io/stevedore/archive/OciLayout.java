package io.stevedore.archive;

import io.stevedore.oci.Digest;

/** Names and constants of the OCI image layout, shared by the archive writer and reader. */
final class OciLayout {
  static final String LAYOUT_FILE = "oci-layout";
  static final String INDEX_FILE = "index.json";
  static final String BLOBS_DIR = "blobs";
  static final String LAYOUT_VERSION = "1.0.0";
  static final String REF_NAME_ANNOTATION = "org.opencontainers.image.ref.name";

  private OciLayout() {}

  /** {@code blobs/<algorithm>/<hex>}: where a layout keeps the blob with {@code digest}. */
  static String blobPath(Digest digest) {
    return BLOBS_DIR + "/" + digest.algorithm().prefix() + "/" + digest.hex();
  }
}
