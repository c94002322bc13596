package io.stevedore.cache;

import java.io.InterruptedIOException;
import java.util.ArrayDeque;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Every chunk-sized buffer the mirror serves and fills with, counted against one budget. Before
 * there was one, memory grew with the clients: each response held one or two 1 MiB buffers and each
 * fill three to eleven, so the soak's 200 clients ran a 384 MiB heap out of memory (500s, timeouts)
 * and, with no heap limit, G1 grew the heap to 3.3 GB. Now a response waits for a buffer instead of
 * allocating one, and what only speeds things up (a fill holding more chunks for readers that lag)
 * takes one only when one is free.
 *
 * <p>A part of the budget is kept for fills: a response waits for its fill to store the chunk it
 * needs before it takes a buffer, but responses to other clients could still hold every buffer
 * while a fill waits for one. Fills never wait for responses, so the reserve alone keeps them, and
 * with them every waiting response, going.
 *
 * <p>Up to {@code retained} free buffers are kept for reuse (a 1 MiB array is a humongous object to
 * G1: allocating two per download made the RSS swing by 150 MiB from run to run); beyond that a
 * returned buffer is left to the garbage collector, so a burst does not pin its memory for good.
 */
final class ChunkBuffers {
  /** The share of the heap that chunk buffers may take, at most. */
  private static final int HEAP_SHARE = 4;

  /** The share of the budget that only fills may use. */
  private static final int FILL_RESERVE_SHARE = 4;

  private final int chunkSize;
  private final int most;
  private final int servingMost;
  private final int retained;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition forFills = lock.newCondition();
  private final ArrayDeque<byte[]> free = new ArrayDeque<>();
  // Responses waiting for a buffer, first come first served.
  private final ArrayDeque<Waiter> waiting = new ArrayDeque<>();
  private int out;
  private long waits;

  /** A response waiting for a buffer; {@code buffer} is set when it is handed one. */
  private static final class Waiter {
    private final Condition handed;
    private byte[] buffer;

    Waiter(Condition handed) {
      this.handed = handed;
    }
  }

  /**
   * @param most how many buffers may be out at once, fills and responses together
   * @param fillReserve how many of them only fills may take
   * @param retained how many free buffers are kept for reuse
   */
  ChunkBuffers(int chunkSize, int most, int fillReserve, int retained) {
    if (fillReserve < StoreStage.BUFFERS || most <= fillReserve) {
      throw new IllegalArgumentException(
          "a budget of " + most + " buffers cannot keep " + fillReserve + " for fills");
    }
    this.chunkSize = chunkSize;
    this.most = most;
    this.servingMost = most - fillReserve;
    this.retained = retained;
  }

  /**
   * A budget of a quarter of {@code maxHeap}: the rest is for manifests, requests and the server.
   * At least 16 buffers, so a small heap still serves a few clients while a fill runs.
   */
  static ChunkBuffers forHeap(int chunkSize, long maxHeap) {
    int most = (int) Math.max(16, Math.min(maxHeap / HEAP_SHARE / chunkSize, Integer.MAX_VALUE));
    return new ChunkBuffers(
        chunkSize, most, Math.max(StoreStage.BUFFERS, most / FILL_RESERVE_SHARE), 64);
  }

  /**
   * A buffer for a response, waiting while responses hold their share of the budget. Waiting
   * responses get buffers in the order they asked: a response that gives its buffer back after each
   * chunk and asks again queues behind them, so a few long downloads cannot starve the rest. Not
   * zeroed: callers overwrite what they read.
   */
  byte[] take() throws InterruptedIOException {
    lock.lock();
    try {
      if (waiting.isEmpty() && out < servingMost) {
        return takeLocked();
      }
      Waiter waiter = new Waiter(lock.newCondition());
      waiting.addLast(waiter);
      waits++;
      try {
        while (waiter.buffer == null) {
          waiter.handed.await();
        }
        return waiter.buffer;
      } catch (InterruptedException e) {
        waiting.remove(waiter);
        if (waiter.buffer != null) {
          giveLocked(waiter.buffer);
        }
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted while waiting for a buffer");
      }
    } finally {
      lock.unlock();
    }
  }

  /** A buffer if the responses' share has one free now, else null: for work that only helps. */
  byte[] takeIfFree() {
    lock.lock();
    try {
      return waiting.isEmpty() && out < servingMost ? takeLocked() : null;
    } finally {
      lock.unlock();
    }
  }

  /**
   * {@code count} buffers for a fill, all at once (two fills each holding part of what they need
   * would wait for each other), from the whole budget. Waits uninterruptibly: the fills holding
   * buffers give them back as they go, whatever happens to this thread.
   */
  byte[][] takeForFill(int count) {
    lock.lock();
    try {
      while (out + count > most) {
        forFills.awaitUninterruptibly();
      }
      byte[][] taken = new byte[count][];
      for (int i = 0; i < count; i++) {
        taken[i] = takeLocked();
      }
      return taken;
    } finally {
      lock.unlock();
    }
  }

  /** Returns a buffer from this pool; nobody may use it afterwards. */
  void give(byte[] buffer) {
    lock.lock();
    try {
      giveLocked(buffer);
    } finally {
      lock.unlock();
    }
  }

  /** How many buffers are out now. */
  int out() {
    return use().out();
  }

  BufferUse use() {
    lock.lock();
    try {
      return new BufferUse(out, most, waits);
    } finally {
      lock.unlock();
    }
  }

  private void giveLocked(byte[] buffer) {
    out--;
    if (free.size() < retained) {
      free.push(buffer);
    }
    while (!waiting.isEmpty() && out < servingMost) {
      Waiter first = waiting.removeFirst();
      first.buffer = takeLocked();
      first.handed.signal();
    }
    forFills.signalAll();
  }

  private byte[] takeLocked() {
    out++;
    byte[] buffer = free.poll();
    return buffer != null ? buffer : new byte[chunkSize];
  }
}
