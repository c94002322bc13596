package io.stevedore.archive;

import io.stevedore.oci.Digest;
import java.io.IOException;
import java.io.InputStream;

/** Receives the blobs of an archive as {@link OciArchiveReader} streams through it. */
@FunctionalInterface
public interface BlobSink {
  /**
   * Takes one blob, at most once per digest. {@code content} yields exactly {@code size} bytes and
   * is valid only during this call; what is left unread is drained and verified afterwards.
   *
   * <p>{@code content} throws {@link BlobDigestMismatchException} from the read that reaches the
   * blob's end, before it hands out the last bytes, when they do not hash to {@code digest}. A sink
   * that makes the blob visible only after it has read to the end (e.g. writes a temporary file and
   * renames it once {@code read} returns -1) therefore never keeps damaged content. A sink that
   * keeps anything earlier must discard it when this call or {@link OciArchiveReader#read} throws.
   */
  void blob(Digest digest, long size, InputStream content) throws IOException;
}
