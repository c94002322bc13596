package io.stevedore.cache;

import io.stevedore.store.BlobWriter;
import java.security.MessageDigest;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.function.LongConsumer;

/**
 * Hashes a fill's chunks and writes them to the store on a thread of its own, so the fill reads the
 * next chunk from upstream while the last one is hashed and stored. Measured on one thread here:
 * reading from OkHttp ~820 MB/s (1.3-1.9 GB/s since blob bodies skip Okio's per-read watchdog),
 * SHA-256 ~1 GB/s, the two in series ~450 MB/s; overlapped, the slower side sets the pace (storing
 * a chunk in a file adds a fraction of the hash's time on a normal machine, more on a VM that hands
 * freed memory back to its host: perf/README.md).
 *
 * <p>Three buffers go round: one being read, one waiting, one being written. A failed write is
 * reported to the fill at its next {@link #buffer()} or {@link #drain()}; after it the stage
 * discards what is still handed to it, so the fill never blocks on a stage that stopped.
 */
final class StoreStage implements AutoCloseable {
  private static final int BUFFERS = 3;

  private record Job(long index, byte[] chunk, int length, long end, boolean announce) {}

  private static final Job STOP = new Job(-1, new byte[0], 0, 0, false);

  private final BlobWriter writer;
  private final MessageDigest hasher;
  private final ChunkBuffers buffers;
  private final LongConsumer stored;
  private final BlockingQueue<byte[]> free = new ArrayBlockingQueue<>(BUFFERS);
  private final BlockingQueue<Job> work = new ArrayBlockingQueue<>(BUFFERS);
  private final Thread thread;
  private volatile RuntimeException failure;
  private boolean closed;

  /**
   * @param hasher updated with every chunk before it is stored, in order; read it only after {@link
   *     #drain()}
   * @param buffers where the stage's three buffers come from and go back to at {@link #close()}
   * @param stored told the number of bytes stored after each chunk the stage wrote with {@code
   *     announce} set (on the stage's thread)
   */
  StoreStage(BlobWriter writer, MessageDigest hasher, ChunkBuffers buffers, LongConsumer stored) {
    this.writer = writer;
    this.hasher = hasher;
    this.buffers = buffers;
    this.stored = stored;
    for (int i = 0; i < BUFFERS; i++) {
      free.add(buffers.take());
    }
    this.thread = Thread.ofVirtual().name("fill-store").start(this::run);
  }

  /** A buffer to read the next chunk into; waits while every buffer is queued or being written. */
  byte[] buffer() {
    byte[] buffer = take(free);
    throwIfFailed();
    return buffer;
  }

  /** Gives back a buffer from {@link #buffer()} that holds nothing to store. */
  void release(byte[] buffer) {
    put(free, buffer);
  }

  /**
   * Hands chunk {@code index} ({@code length} bytes of {@code chunk}, a buffer from {@link
   * #buffer()}) to the store; {@code end} is the blob offset just past it. Every buffer taken must
   * come back through this or {@link #release}: {@link #drain()} waits for all of them.
   */
  void write(long index, byte[] chunk, int length, long end, boolean announce) {
    put(work, new Job(index, chunk, length, end, announce));
  }

  /**
   * Returns once every chunk handed over is hashed and stored; throws the failure of any of them.
   */
  void drain() {
    byte[][] all = new byte[BUFFERS][];
    for (int i = 0; i < BUFFERS; i++) {
      all[i] = take(free);
    }
    for (byte[] buffer : all) {
      put(free, buffer);
    }
    throwIfFailed();
  }

  /** Stops the stage's thread after the chunks handed over so far (written or discarded). */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    put(work, STOP);
    boolean interrupted = false;
    while (true) {
      try {
        thread.join();
        break;
      } catch (InterruptedException e) {
        // The fill's chunks may be discarded only after the last write ended: keep waiting.
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    // Every write has ended: what the stage holds goes back to the pool.
    for (byte[] buffer = free.poll(); buffer != null; buffer = free.poll()) {
      buffers.give(buffer);
    }
  }

  private void run() {
    while (true) {
      Job job = take(work);
      if (job == STOP) {
        return;
      }
      if (failure == null) {
        try {
          hasher.update(job.chunk(), 0, job.length());
          writer.write(job.index(), job.chunk(), job.length());
          if (job.announce()) {
            stored.accept(job.end());
          }
        } catch (RuntimeException e) {
          failure = e;
        }
      }
      put(free, job.chunk());
    }
  }

  private void throwIfFailed() {
    RuntimeException e = failure;
    if (e != null) {
      throw e;
    }
  }

  // The queues are sized so that neither side ever holds more than BUFFERS items: waits are short
  // and end when the other side moves, so they ignore interruption instead of losing a buffer.
  private static <T> T take(BlockingQueue<T> queue) {
    boolean interrupted = false;
    try {
      while (true) {
        try {
          return queue.take();
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static <T> void put(BlockingQueue<T> queue, T item) {
    boolean interrupted = false;
    try {
      while (true) {
        try {
          queue.put(item);
          return;
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
