package io.stevedore.cache;

import io.stevedore.oci.Digest;
import io.stevedore.store.BlobStore;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * When each blob was last served, collected in memory and written to the store in batches (by
 * {@link #flush()}, which eviction calls first and the server calls now and then): least recently
 * used needs access times, but a store write per read would make serving pay for bookkeeping.
 */
final class AccessTracker {
  private static final int FLUSH_AT = 10_000;

  private final BlobStore store;
  private final Clock clock;
  private final ConcurrentMap<Digest, Instant> pending = new ConcurrentHashMap<>();

  AccessTracker(BlobStore store, Clock clock) {
    this.store = store;
    this.clock = clock;
  }

  void accessed(Digest digest) {
    pending.put(digest, clock.instant());
    if (pending.size() >= FLUSH_AT) {
      flush();
    }
  }

  /** Writes the access times collected so far. */
  void flush() {
    Map<Digest, Instant> batch = new HashMap<>();
    for (Digest digest : pending.keySet()) {
      Instant at = pending.remove(digest);
      if (at != null) {
        batch.put(digest, at);
      }
    }
    if (!batch.isEmpty()) {
      store.touch(batch);
    }
  }
}
