package io.stevedore.cache;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts the cache's notable decisions, for logs now and metrics later: stale answers given while
 * an upstream failed, and upstream calls saved by remembered 404s.
 */
public final class CacheCounters {
  private final AtomicLong staleServed = new AtomicLong();
  private final AtomicLong negativeHits = new AtomicLong();

  public long staleServed() {
    return staleServed.get();
  }

  public long negativeHits() {
    return negativeHits.get();
  }

  void servedStale() {
    staleServed.incrementAndGet();
  }

  void negativeHit() {
    negativeHits.incrementAndGet();
  }
}
