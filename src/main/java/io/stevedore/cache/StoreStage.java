package io.stevedore.cache;

import io.stevedore.store.BlobWriter;
import java.security.MessageDigest;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.LongConsumer;

/**
 * Hashes a fill's chunks and writes them to the store on two threads of its own, so the fill reads
 * the next chunk from upstream while the last ones are hashed and stored, and hashing and storing
 * overlap too: the slowest of the three sets the pace. Measured here on one thread each: reading
 * from OkHttp 1.3-1.9 GB/s, SHA-256 ~1 GB/s (SHA-NI; OpenSSL is no faster), writing a file ~400
 * MB/s on this VM, whose fresh page-cache pages cost a host fault each (perf/README.md), and a few
 * GB/s on a normal machine. A cold 335 MB download, 6 runs alternated with the stage that hashed
 * and stored on one thread: 245-302 MB/s against 174-260, 1.5-2.0 CPU seconds against 1.8-2.4.
 *
 * <p>Three buffers go round: one being read, and two being hashed or written. A chunk once written
 * is held in the fill's {@link ChunkWindow} while its readers need it; the window gets a buffer of
 * its own from the pool for each chunk it holds beyond what it ever held before, so the fill never
 * waits for a reader. When the pool has none free, the window lets its oldest chunk go instead. A
 * buffer comes back once it is hashed, written, and out of the window. A failed write is reported
 * to the fill at its next {@link #buffer()} or {@link #drain()}; after it the stage discards what
 * is still handed to it, so the fill never blocks on a stage that stopped.
 */
final class StoreStage implements AutoCloseable {
  /** The buffers a fill cannot go without: one being read, two being hashed or written. */
  static final int BUFFERS = 3;

  /** What the hashing and the writing thread are handed, in order. */
  private sealed interface Item {}

  /**
   * A chunk handed over; {@code users} counts the threads and the window still using its buffer.
   */
  private record Job(
      long index, byte[] chunk, int length, long end, boolean announce, AtomicInteger users)
      implements Item {}

  /** Passed once both threads are done with every job handed over before it. */
  private record Mark(CountDownLatch passed) implements Item {}

  private record Stop() implements Item {}

  private static final Stop STOP = new Stop();

  private final BlobWriter writer;
  private final MessageDigest hasher;
  private final ChunkBuffers buffers;
  private final ChunkWindow window;
  private final LongConsumer stored;
  private final BlockingQueue<byte[]> free;
  // Room for every buffer, a mark and the STOP.
  private final BlockingQueue<Item> toHash;
  private final BlockingQueue<Item> toWrite;
  // Buffers taken from the pool; grows on the writing thread only, read after it ended.
  private int taken;
  private final Thread hashing;
  private final Thread writing;
  private volatile RuntimeException failure;
  private boolean closed;

  /**
   * @param hasher updated with every chunk, in order; read it only after {@link #drain()}
   * @param buffers where the stage's buffers come from and go back to at {@link #close()}
   * @param window where each chunk is held for readers once written, before it is announced
   * @param stored told the number of bytes stored after each chunk the stage wrote with {@code
   *     announce} set (on the stage's writing thread)
   */
  StoreStage(
      BlobWriter writer,
      MessageDigest hasher,
      ChunkBuffers buffers,
      ChunkWindow window,
      LongConsumer stored) {
    this.writer = writer;
    this.hasher = hasher;
    this.buffers = buffers;
    this.window = window;
    this.stored = stored;
    int most = BUFFERS + window.capacity();
    this.free = new ArrayBlockingQueue<>(most);
    this.toHash = new ArrayBlockingQueue<>(most + 2);
    this.toWrite = new ArrayBlockingQueue<>(most + 2);
    for (byte[] buffer : buffers.takeForFill(BUFFERS)) {
      free.add(buffer);
      taken++;
    }
    this.hashing = Thread.ofVirtual().name("fill-hash").start(() -> serve(toHash, this::hash));
    this.writing = Thread.ofVirtual().name("fill-store").start(() -> serve(toWrite, this::store));
  }

  /**
   * A buffer to read the next chunk into; waits while every buffer is queued, being hashed or being
   * written.
   */
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
   * come back through this or {@link #release}.
   */
  void write(long index, byte[] chunk, int length, long end, boolean announce) {
    Job job = new Job(index, chunk, length, end, announce, new AtomicInteger(2));
    put(toHash, job);
    put(toWrite, job);
  }

  /**
   * Returns once every chunk handed over is hashed and stored; throws the failure of any of them.
   */
  void drain() {
    Mark mark = new Mark(new CountDownLatch(2));
    put(toHash, mark);
    put(toWrite, mark);
    boolean interrupted = false;
    while (true) {
      try {
        mark.passed().await();
        break;
      } catch (InterruptedException e) {
        interrupted = true; // both threads get there by themselves, and soon
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    throwIfFailed();
  }

  /** Stops the stage's threads after the chunks handed over so far (stored or discarded). */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    put(toHash, STOP);
    put(toWrite, STOP);
    boolean interrupted = join(hashing);
    interrupted |= join(writing);
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    window.close();
    // Every write has ended and no reader copies any more: every buffer the stage took is free,
    // and goes back to the pool.
    for (byte[] buffer = free.poll(); buffer != null; buffer = free.poll()) {
      buffers.give(buffer);
    }
  }

  /** Runs {@code step} on each job of {@code queue} until STOP; none after a failure. */
  private void serve(BlockingQueue<Item> queue, Consumer<Job> step) {
    while (true) {
      switch (take(queue)) {
        case Stop stop -> {
          return;
        }
        case Mark mark -> mark.passed().countDown();
        case Job job -> {
          if (failure == null) {
            try {
              step.accept(job);
            } catch (RuntimeException e) {
              failure = e;
            } catch (Error e) {
              // Out of memory, say: the fill fails, and its waiters with it, instead of waiting
              // forever for a thread that died.
              failure = new IllegalStateException("a fill's store stage failed: " + e, e);
            }
          }
          done(job);
        }
      }
    }
  }

  /** One user of the job's buffer is done with it; the last one frees it. */
  private void done(Job job) {
    if (job.users().decrementAndGet() == 0) {
      put(free, job.chunk());
    }
  }

  private void hash(Job job) {
    hasher.update(job.chunk(), 0, job.length());
  }

  private void store(Job job) {
    writer.write(job.index(), job.chunk(), job.length());
    // Held before it is announced, so that a reader woken by the announcement finds it.
    job.users().incrementAndGet();
    int holding = window.hold(job.index(), job.chunk(), job.length(), () -> done(job));
    while (taken < BUFFERS + holding) {
      byte[] more = buffers.takeIfFree();
      if (more == null) {
        // Memory is short: a reader that needs the oldest chunk reads it from the store instead.
        holding = window.letGoOldest();
      } else {
        put(free, more);
        taken++;
      }
    }
    if (job.announce()) {
      stored.accept(job.end());
    }
  }

  /**
   * Waits for the thread to end, even when interrupted: the fill's chunks may be discarded only
   * after the last write ended. Returns whether it was interrupted.
   */
  private static boolean join(Thread thread) {
    boolean interrupted = false;
    while (true) {
      try {
        thread.join();
        return interrupted;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
  }

  private void throwIfFailed() {
    RuntimeException e = failure;
    if (e != null) {
      throw e;
    }
  }

  // The queues are sized so that neither side ever holds more than its buffers: waits are short
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
