package io.stevedore.archive;

import io.stevedore.oci.Descriptor;
import io.stevedore.oci.Digest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** A blob held in memory for tests, with its digest. */
record TestBlob(String mediaType, byte[] bytes) {
  static TestBlob of(String mediaType, String text) {
    return new TestBlob(mediaType, text.getBytes(StandardCharsets.UTF_8));
  }

  Digest digest() {
    return Digest.sha256(bytes);
  }

  Descriptor descriptor() {
    return new Descriptor(mediaType, digest(), bytes.length);
  }

  boolean addTo(OciArchiveWriter writer) throws IOException {
    return writer.addBlob(digest(), bytes.length, out -> out.write(bytes));
  }
}
