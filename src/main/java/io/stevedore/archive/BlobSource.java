package io.stevedore.archive;

import java.io.IOException;
import java.io.OutputStream;

/** Writes one blob's bytes, streaming, for {@link OciArchiveWriter#addBlob}. */
@FunctionalInterface
public interface BlobSource {
  /**
   * Writes exactly the blob's bytes to {@code out}. Closing {@code out} is allowed and has no
   * effect on the archive.
   */
  void writeTo(OutputStream out) throws IOException;
}
