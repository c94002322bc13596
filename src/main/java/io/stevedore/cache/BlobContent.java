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
   * the next chunk is read while the current one is written: a chunk read costs about a third of
   * its write to a socket here, and overlapping the two takes it off the serving path. A blob being
   * filled is read chunk by chunk as the fill stores them (reading ahead would only wait for it),
   * copied from the fill's memory while it holds them.
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
    // A blob smaller than a chunk is one chunk of its own size: no need for a full buffer.
    int bufferSize = (int) Math.min(chunkSize, size);
    long index = first / chunkSize;
    long lastIndex = last / chunkSize;
    boolean readAhead = progress == Progress.STORED && index < lastIndex;
    byte[] current = bufferSize == chunkSize ? buffers.take() : new byte[bufferSize];
    byte[] next = readAhead ? buffers.take() : null;
    FutureTask<Integer> ahead = null;
    ChunkWindow.Reader memory = progress.follow(index);
    try {
      int length = read(index, current, memory);
      while (true) {
        if (readAhead && index < lastIndex) {
          ahead = readInBackground(index + 1, next);
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
        if (ahead == null) {
          length = read(index, current, memory);
        } else {
          length = result(ahead);
          ahead = null;
          byte[] written = current;
          current = next;
          next = written;
        }
      }
    } finally {
      memory.close();
      if (ahead != null) {
        // The client went away mid-write: let the read finish before the blob is released to
        // eviction. It never waits for a fill (only committed blobs read ahead), so this is short.
        awaitQuietly(ahead);
      }
      // Safe to reuse: the server writes synchronously (Helidon's write-queue-length 0, which
      // Stevedore never changes), so out.write() has sent the bytes by the time it returns.
      buffers.give(current);
      if (next != null) {
        buffers.give(next);
      }
    }
  }

  private int read(long index, byte[] buffer, ChunkWindow.Reader memory) {
    long chunkEnd = Math.min((index + 1) * store.chunkSize(), size);
    progress.awaitStored(chunkEnd);
    int copied = memory.copy(index, buffer);
    return copied >= 0 ? copied : readStored(index, buffer, chunkEnd);
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

  private int readStored(long index, byte[] buffer, long chunkEnd) {
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
