package io.stevedore.cache;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The chunks a fill stored that its readers still need, in memory: the fill's readers copy a chunk
 * from here instead of reading it back from its file. A blob file written past the page cache
 * ({@code storage.direct-writes}) would be read back from the disk.
 *
 * <p>Each reader says where it is ({@link #follow}); a chunk is let go as soon as every reader is
 * past it, or when more than {@code capacity} chunks are held (a reader that far behind reads the
 * file). Readers that keep up with the fill, as they do, leave a chunk or two held; with the CPUs
 * busy, a reader fell 2-8 chunks behind now and then (a window of the last 2 chunks served 60% of a
 * cold 335 MB download from memory under load, of the last 8, 96%).
 *
 * <p>Copies run under a shared lock, so readers copy at once; letting a chunk go waits for the
 * copies from it to end (a copy of a chunk takes a fraction of a millisecond), and only then is its
 * buffer used again.
 */
final class ChunkWindow {
  /** Reads a fill's chunks from its window, in order. */
  interface Reader extends AutoCloseable {
    /** A reader of a blob that is not being filled: every chunk comes from the store. */
    Reader NONE =
        new Reader() {
          @Override
          public int copy(long index, byte[] buffer) {
            return -1;
          }

          @Override
          public void close() {}
        };

    /**
     * Copies chunk {@code index} into {@code buffer} if the window holds it; either way the reader
     * is past that chunk afterwards.
     *
     * @return its length, or -1 when it must be read from the store
     */
    int copy(long index, byte[] buffer);

    /** The reader is done: the window no longer keeps chunks for it. */
    @Override
    void close();
  }

  private record Held(long index, byte[] chunk, int length, Runnable release) {}

  private final int capacity;
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  private final ArrayDeque<Held> held = new ArrayDeque<>();
  // How many readers are at each chunk index; the lowest one is the oldest chunk still needed.
  private final TreeMap<Long, Integer> readersAt = new TreeMap<>();
  private boolean closed;

  /**
   * @param capacity how many chunks are held at most
   */
  ChunkWindow(int capacity) {
    this.capacity = capacity;
  }

  int capacity() {
    return capacity;
  }

  /** A reader that needs the chunks from {@code first} on. */
  Reader follow(long first) {
    lock.writeLock().lock();
    try {
      readersAt.merge(first, 1, Integer::sum);
    } finally {
      lock.writeLock().unlock();
    }
    return new Cursor(first);
  }

  /**
   * Keeps chunk {@code index} ({@code length} bytes of {@code chunk}) for the readers that still
   * need it; {@code release} runs once it is let go and no reader copies from it. On a closed
   * window it runs at once.
   *
   * @return how many chunks the window holds now
   */
  int hold(long index, byte[] chunk, int length, Runnable release) {
    List<Held> letGo = new ArrayList<>(2);
    int holding;
    lock.writeLock().lock();
    try {
      Held chunkHeld = new Held(index, chunk, length, release);
      if (closed) {
        letGo.add(chunkHeld);
      } else {
        held.addLast(chunkHeld);
        letGoUnneeded(letGo);
      }
      holding = held.size();
    } finally {
      lock.writeLock().unlock();
    }
    letGo.forEach(chunkLetGo -> chunkLetGo.release().run());
    return holding;
  }

  /**
   * Lets the oldest chunk go, needed or not: its readers read it from the store.
   *
   * @return how many chunks the window holds now
   */
  int letGoOldest() {
    Held oldest;
    int holding;
    lock.writeLock().lock();
    try {
      oldest = held.pollFirst();
      holding = held.size();
    } finally {
      lock.writeLock().unlock();
    }
    if (oldest != null) {
      oldest.release().run();
    }
    return holding;
  }

  /** Lets every chunk go, and each one held from now on at once: the fill stores no more. */
  void close() {
    List<Held> all;
    lock.writeLock().lock();
    try {
      closed = true;
      all = new ArrayList<>(held);
      held.clear();
    } finally {
      lock.writeLock().unlock();
    }
    all.forEach(chunk -> chunk.release().run());
  }

  /** Under the write lock: takes out the chunks no reader needs, and any beyond the capacity. */
  private void letGoUnneeded(List<Held> letGo) {
    long oldestNeeded = readersAt.isEmpty() ? Long.MAX_VALUE : readersAt.firstKey();
    while (!held.isEmpty() && (held.size() > capacity || held.peekFirst().index() < oldestNeeded)) {
      letGo.add(held.removeFirst());
    }
  }

  private final class Cursor implements Reader {
    private long at;
    private boolean closed;

    Cursor(long first) {
      this.at = first;
    }

    @Override
    public int copy(long index, byte[] buffer) {
      int length = -1;
      lock.readLock().lock();
      try {
        for (Held chunk : held) {
          if (chunk.index() == index) {
            System.arraycopy(chunk.chunk(), 0, buffer, 0, chunk.length());
            length = chunk.length();
            break;
          }
        }
      } finally {
        lock.readLock().unlock();
      }
      moveTo(index + 1);
      return length;
    }

    @Override
    public void close() {
      moveTo(-1);
    }

    /** Moves this reader to chunk {@code next}, or away for good at -1. */
    private void moveTo(long next) {
      List<Held> letGo = new ArrayList<>(2);
      lock.writeLock().lock();
      try {
        if (closed) {
          return;
        }
        readersAt.computeIfPresent(at, (index, count) -> count == 1 ? null : count - 1);
        if (next < 0) {
          closed = true;
        } else {
          at = next;
          readersAt.merge(at, 1, Integer::sum);
        }
        letGoUnneeded(letGo);
      } finally {
        lock.writeLock().unlock();
      }
      letGo.forEach(chunk -> chunk.release().run());
    }
  }
}
