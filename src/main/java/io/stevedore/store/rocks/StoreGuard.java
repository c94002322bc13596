package io.stevedore.store.rocks;

import io.stevedore.store.StoreException;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Keeps RocksDB calls and closing apart: a call on a closed RocksDB handle crashes the JVM (it is
 * native code), and fills may still be writing when the server shuts down. Every call holds a
 * shared lease; closing waits for the leases and then fails later calls cleanly.
 */
final class StoreGuard {
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  private boolean closed;

  /** A lease for one call; close it when the call is done. */
  Lease enter() {
    lock.readLock().lock();
    if (closed) {
      lock.readLock().unlock();
      throw new StoreException("the store is closed", null);
    }
    return lock.readLock()::unlock;
  }

  /** Runs {@code closer} once, after every running call finished. */
  void close(Runnable closer) {
    lock.writeLock().lock();
    try {
      if (!closed) {
        closed = true;
        closer.run();
      }
    } finally {
      lock.writeLock().unlock();
    }
  }

  interface Lease extends AutoCloseable {
    @Override
    void close();
  }
}
