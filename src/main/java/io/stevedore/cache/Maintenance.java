package io.stevedore.cache;

import io.stevedore.store.Store;
import java.util.function.Consumer;

/**
 * The long-running chores an operator starts by hand ({@code stevedore gc}, {@code stevedore
 * verify}), the same whether the server runs them (admin endpoint) or the command line does (on a
 * stopped server's data directory).
 */
public final class Maintenance {
  private final Store store;
  private final Evictor evictor;
  private final AccessTracker accesses;

  public Maintenance(Store store, Evictor evictor, AccessTracker accesses) {
    this.store = store;
    this.evictor = evictor;
    this.accesses = accesses;
  }

  /** Evicts down to the quota, then compacts what the deletes left in the store's records. */
  public Evictor.Report gc(Consumer<String> progress) {
    progress.accept("evicting least recently used blobs above the quota");
    Evictor.Report report = evictor.evict(progress);
    progress.accept("compacting the store's records");
    store.blobs().reclaim();
    progress.accept("gc done");
    return report;
  }

  /** Re-hashes every blob and manifest; removes the corrupted ones. */
  public Verifier.Report verify(Consumer<String> progress) {
    accesses.flush();
    return new Verifier(store.blobs(), store.manifests()).verify(progress);
  }
}
