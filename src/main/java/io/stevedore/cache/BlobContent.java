package io.stevedore.cache;

import io.stevedore.oci.Digest;
import io.stevedore.store.BlobStore;
import java.io.IOException;
import java.io.OutputStream;

/**
 * A blob ready to serve: committed in the store, or being filled (then reads follow the fill and
 * wait for the chunks they need). Close it when done: while open, eviction leaves it alone. Any
 * failure of the fill surfaces as an exception from {@link #writeTo}, after some bytes may have
 * been written: the caller must then abort the response.
 */
public final class BlobContent implements AutoCloseable {
  private final BlobStore store;
  private final Digest digest;
  private final long size;
  private final Progress progress;
  private final Runnable release;
  private boolean closed;

  BlobContent(BlobStore store, Digest digest, long size, Progress progress, Runnable release) {
    this.store = store;
    this.digest = digest;
    this.size = size;
    this.progress = progress;
    this.release = release;
  }

  /** Done with the blob: eviction may take it again. */
  @Override
  public void close() {
    if (!closed) {
      closed = true;
      release.run();
    }
  }

  public Digest digest() {
    return digest;
  }

  public long size() {
    return size;
  }

  /** Writes bytes {@code first..last} (inclusive) of the blob to {@code out}. */
  public void writeTo(OutputStream out, long first, long last) throws IOException {
    if (first < 0 || last >= size || first > last + 1) {
      throw new IllegalArgumentException(
          "range " + first + "-" + last + " is outside a blob of " + size + " bytes");
    }
    int chunkSize = store.chunkSize();
    // A blob smaller than a chunk is one chunk of its own size: no need for a full buffer.
    byte[] buffer = new byte[(int) Math.min(chunkSize, Math.max(size, 1))];
    long position = first;
    while (position <= last) {
      long index = position / chunkSize;
      long chunkStart = index * chunkSize;
      long chunkEnd = Math.min(chunkStart + chunkSize, size);
      progress.awaitStored(chunkEnd);
      int length = read(index, buffer, chunkEnd);
      int from = (int) (position - chunkStart);
      int to = (int) Math.min(length, last + 1 - chunkStart);
      if (to <= from) {
        throw new IllegalStateException(
            "chunk " + index + " of " + digest + " holds " + length + " bytes, too few");
      }
      out.write(buffer, from, to - from);
      position += to - from;
    }
  }

  private int read(long index, byte[] buffer, long chunkEnd) {
    try {
      return store.readChunk(digest, index, buffer);
    } catch (IllegalStateException missing) {
      // A fill that failed right after storing this chunk has discarded it again: report the
      // fill's failure, which says why, rather than the missing chunk.
      progress.awaitStored(chunkEnd);
      throw missing;
    }
  }
}
