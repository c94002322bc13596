package io.stevedore.cache;

import io.stevedore.store.BlobStore;
import java.time.Clock;

/** What every fill works with: where it stores, its buffers, how hard it tries, and who hears. */
record FillContext(
    BlobStore store, ChunkBuffers buffers, FillPolicy policy, Clock clock, BlobListener events) {}
