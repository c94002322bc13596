package io.stevedore.cache;

import io.stevedore.oci.Digest;
import io.stevedore.store.BlobStore;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

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
   * Writes bytes {@code first..last} (inclusive) of the blob to {@code out}. For a committed blob
   * the next chunk is read while the current one is written, when the pool has a buffer to spare: a
   * chunk read costs about a third of its write to a socket here, and overlapping the two takes it
   * off the serving path. A blob being filled is read chunk by chunk as the fill stores them
   * (reading ahead would only wait for it), copied from the fill's memory while it holds them.
   *
   * <p>A chunk's buffer goes back to the pool once the chunk is written, before the next one is
   * waited for: a response waiting for its fill, or for a slow client, holds at most the chunk it
   * is writing.
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
    long index = first / chunkSize;
    long lastIndex = last / chunkSize;
    boolean readAhead = progress == Progress.STORED && index < lastIndex;
    byte[] current = null;
    byte[] next = null;
    FutureTask<Integer> ahead = null;
    ChunkWindow.Reader memory = progress.follow(index);
    try {
      progress.awaitStored(chunkEnd(index));
      current = buffer();
      int length = read(index, current, memory);
      while (true) {
        if (readAhead && index < lastIndex) {
          next = buffers.takeIfFree();
          if (next != null) {
            ahead = readInBackground(index + 1, next);
          }
        }
        long chunkStart = index * chunkSize;
        int from = (int) Math.max(first - chunkStart, 0);
        int to = (int) Math.min(length, last + 1 - chunkStart);
        if (to <= from) {
          throw new IllegalStateException(
              "chunk " + index + " of " + digest + " holds " + length + " bytes, too few");
        }
        out.write(current, from, to - from);
        if (index == lastIndex) {
          return;
        }
        index++;
        // Safe to reuse: the server writes synchronously (Helidon's write-queue-length 0, which
        // Stevedore never changes), so out.write() has sent the bytes by the time it returns.
        giveBack(current);
        current = null;
        if (ahead != null) {
          length = result(ahead);
          ahead = null;
          current = next;
          next = null;
        } else {
          progress.awaitStored(chunkEnd(index));
          current = buffer();
          length = read(index, current, memory);
        }
      }
    } finally {
      memory.close();
      if (ahead != null) {
        // The client went away mid-write: let the read finish before the blob is released to
        // eviction. It never waits for a fill (only committed blobs read ahead), so this is short.
        awaitQuietly(ahead);
      }
      giveBack(current);
      giveBack(next);
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

  private FutureTask<Integer> readInBackground(long index, byte[] buffer) {
    FutureTask<Integer> task = new FutureTask<>(() -> read(index, buffer, ChunkWindow.Reader.NONE));
    Thread.ofVirtual().name("read-ahead").start(task);
    return task;
  }

  private static int result(FutureTask<Integer> task) throws IOException {
    try {
      return task.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while reading a chunk");
    } catch (ExecutionException e) {
      switch (e.getCause()) {
        case RuntimeException runtime -> throw runtime;
        case Error error -> throw error;
        default -> throw new IllegalStateException(e.getCause());
      }
    }
  }

  private static void awaitQuietly(FutureTask<Integer> task) {
    try {
      task.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException e) {
      // The response is failing already; the read's own failure adds nothing.
    }
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
