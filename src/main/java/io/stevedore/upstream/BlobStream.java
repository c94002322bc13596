package io.stevedore.upstream;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;

/**
 * An open blob body from the upstream.
 *
 * @param body the bytes from {@code offset} on
 * @param offset where the body starts in the blob (0 when the upstream ignored a Range)
 * @param length how many bytes the body has, -1 when the upstream did not say
 */
public record BlobStream(InputStream body, long offset, long length) implements Closeable {
  @Override
  public void close() throws IOException {
    body.close();
  }
}
