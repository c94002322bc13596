package io.stevedore.cache;

import io.stevedore.oci.Digest;
import io.stevedore.oci.RepositoryName;
import io.stevedore.upstream.Upstream;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The progress of one blob's fetch from upstream into the store, shared by every request that waits
 * for that blob. Waiters block until the bytes they need are stored; each commit of a chunk wakes
 * them (no polling). A failed fill fails every waiter, so none of them ends a response cleanly with
 * bytes that were never verified.
 */
final class Fill implements Progress {
  // The most chunks held for readers that fell behind: up to 8 MiB more per running fill, while
  // readers lag (ChunkWindow).
  private static final int WINDOW = 8;

  private final Upstream upstream;
  private final RepositoryName repository;
  private final Digest digest;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final ChunkWindow window = new ChunkWindow(WINDOW);
  private long size = -1;
  private long stored;
  private boolean complete;
  private RuntimeException failure;
  private boolean cleared;

  Fill(Upstream upstream, RepositoryName repository, Digest digest) {
    this.upstream = upstream;
    this.repository = repository;
    this.digest = digest;
  }

  Upstream upstream() {
    return upstream;
  }

  RepositoryName repository() {
    return repository;
  }

  Digest digest() {
    return digest;
  }

  /** Where the fill holds its latest stored chunks for its readers. */
  ChunkWindow window() {
    return window;
  }

  @Override
  public ChunkWindow.Reader follow(long first) {
    return window.follow(first);
  }

  /**
   * Whether this fill fetches the blob for that repository (so it needs no other check). Upstreams
   * are told by name: a peer's internal hop asks the same upstream without the owner fill.
   */
  boolean startedFor(Upstream otherUpstream, RepositoryName otherRepository) {
    return upstream.config().name().equals(otherUpstream.config().name())
        && repository.equals(otherRepository);
  }

  /** The upstream told the blob's size. */
  void sized(long blobSize) {
    update(() -> size = blobSize);
  }

  /**
   * Bytes {@code [0, storedBytes)} can now be read from the store. The fill never reports the last
   * chunk this way: those bytes become readable only through {@link #completed()}, after the digest
   * matched, so no waiter can finish a response before verification.
   */
  void advanced(long storedBytes) {
    update(() -> stored = storedBytes);
  }

  /** The blob is committed (verified) in the store, {@code blobSize} bytes long. */
  void completed(long blobSize) {
    update(
        () -> {
          size = blobSize;
          stored = blobSize;
          complete = true;
        });
  }

  /** The fill gave up; {@code cause} is what every waiter sees. */
  void failed(RuntimeException cause) {
    update(() -> failure = cause);
  }

  /** A failed fill's chunks are gone and it left the registry of running fills. */
  void cleared() {
    update(() -> cleared = true);
  }

  /**
   * Whether the fill failed. A failed fill still discarding its chunks is waited for, so that a new
   * fill of the same digest never races with that clean-up.
   */
  boolean failedAndCleared() {
    lock.lock();
    try {
      if (failure == null) {
        return false;
      }
      while (!cleared) {
        changed.awaitUninterruptibly();
      }
      return true;
    } finally {
      lock.unlock();
    }
  }

  /** Waits until the size is known, and returns it. */
  long awaitSize() {
    lock.lock();
    try {
      while (size < 0 && failure == null) {
        changed.awaitUninterruptibly();
      }
      throwIfFailed();
      return size;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void awaitStored(long end) {
    lock.lock();
    try {
      while (stored < end && failure == null && !complete) {
        changed.awaitUninterruptibly();
      }
      throwIfFailed();
    } finally {
      lock.unlock();
    }
  }

  private void throwIfFailed() {
    if (failure != null) {
      throw failure;
    }
  }

  private void update(Runnable change) {
    lock.lock();
    try {
      change.run();
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }
}
