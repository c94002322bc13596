package io.stevedore.observe;

/** How full the store is, read when metrics are scraped. */
public interface StoreUsage {
  long storedBytes();

  long quota();

  long pinnedBytes();
}
