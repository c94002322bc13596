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
  /** The largest blob served from a buffer of its own rather than the pool's. */
  static final int SMALL_BLOB = 64 * 1024;

  private final BlobStore store;
  private final ChunkBuffers buffers;
  private final Digest digest;
  private final long size;
  private final Progress progress;
  private final CacheResult result;
  private final Runnable release;
  private boolean closed;

  BlobContent(
      BlobStore store,
      ChunkBuffers buffers,
      Digest digest,
      long size,
      Progress progress,
      CacheResult result,
      Runnable release) {
    this.store = store;
    this.buffers = buffers;
    this.digest = digest;
    this.size = size;
    this.progress = progress;
    this.result = result;
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

  /** Stored already, fetched for this request, or following another request's fill. */
  public CacheResult result() {
    return result;
  }

  /**
   * Writes bytes {@code first..last} (inclusive) of the blob to {@code out}, chunk by chunk. A blob
   * being filled is read as the fill stores its chunks, copied from the fill's memory while it
   * holds them.
   *
   * <p>A chunk's buffer goes back to the pool once the chunk is written, before the next one is
   * waited for: a response waiting for its fill, or for a slow client, holds at most the chunk it
   * is writing.
   *
   * <p>Chunks are read on the response's own thread. Reading the next chunk on another thread while
   * this one is written made warm downloads slower here, not faster: 1716 against 2117 MB/s for one
   * client, 3.18 against 3.00 s for 20 at once (medians of alternated runs, perf/README.md).
   */
  public void writeTo(OutputStream out, long first, long last) throws IOException {
    if (first < 0 || last >= size || first > last + 1) {
      throw new IllegalArgumentException(
          "range " + first + "-" + last + " is outside a blob of " + size + " bytes");
    }
    if (first > last) {
      return;
    }
    int chunkSize = store.chunkSize();
    long lastIndex = last / chunkSize;
    try (ChunkWindow.Reader memory = progress.follow(first / chunkSize)) {
      for (long index = first / chunkSize; index <= lastIndex; index++) {
        progress.awaitStored(chunkEnd(index));
        byte[] chunk = buffer();
        try {
          int length = read(index, chunk, memory);
          long chunkStart = index * chunkSize;
          int from = (int) Math.max(first - chunkStart, 0);
          int to = (int) Math.min(length, last + 1 - chunkStart);
          if (to <= from) {
            throw new IllegalStateException(
                "chunk " + index + " of " + digest + " holds " + length + " bytes, too few");
          }
          // The buffer is free again once write() returns: the server writes synchronously
          // (Helidon's write-queue-length 0, which Stevedore never changes).
          out.write(chunk, from, to - from);
        } finally {
          giveBack(chunk);
        }
      }
    }
  }

  /** A buffer for one chunk: from the pool, or of its own for a small blob. */
  private byte[] buffer() throws IOException {
    return pooled() ? buffers.take() : new byte[(int) Math.min(size, store.chunkSize())];
  }

  private void giveBack(byte[] buffer) {
    if (buffer != null && pooled()) {
      buffers.give(buffer);
    }
  }

  /**
   * Small blobs (configs, small layers) are served from a buffer of their own: it costs little, and
   * they never wait for the pool behind large downloads.
   */
  private boolean pooled() {
    return size > SMALL_BLOB;
  }

  private long chunkEnd(long index) {
    return Math.min((index + 1) * store.chunkSize(), size);
  }

  /** Copies chunk {@code index}, stored already, from the fill's memory or from the store. */
  private int read(long index, byte[] buffer, ChunkWindow.Reader memory) {
    int copied = memory.copy(index, buffer);
    return copied >= 0 ? copied : readStored(index, buffer);
  }

  private int readStored(long index, byte[] buffer) {
    try {
      return store.readChunk(digest, index, buffer);
    } catch (IllegalStateException missing) {
      // A fill that failed right after storing this chunk has discarded it again: report the
      // fill's failure, which says why, rather than the missing chunk.
      progress.awaitStored(chunkEnd(index));
      throw missing;
    }
  }
}
