package io.stevedore.store;

import java.time.Instant;

/** Writes one blob's chunks in order; either commits or aborts, then is done. */
public interface BlobWriter {

  /** Stores chunk {@code index}: {@code length} bytes of {@code data}; readable once it returns. */
  void write(long index, byte[] data, int length);

  /** Makes the blob visible as complete, {@code size} bytes long, last accessed {@code at}. */
  void commit(long size, Instant at);

  /** Discards everything written. */
  void abort();
}
