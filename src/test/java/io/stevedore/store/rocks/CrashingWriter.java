package io.stevedore.store.rocks;

import io.stevedore.oci.Digest;
import io.stevedore.store.BlobWriter;
import java.nio.file.Path;

/**
 * The child JVM of {@link RocksStoreCrashTest}: opens the store, commits one blob, writes {@code
 * chunks} chunks of a second one without committing, says {@code READY} and waits to be killed with
 * {@code kill -9} (no close, no flush).
 *
 * <p>Arguments: data directory, chunk size, chunks of the unfinished blob.
 */
final class CrashingWriter {
  private CrashingWriter() {}

  public static void main(String[] args) throws InterruptedException {
    Path dir = Path.of(args[0]);
    int chunkSize = Integer.parseInt(args[1]);
    int chunks = Integer.parseInt(args[2]);
    RocksStore store = RocksStore.open(dir, chunkSize);
    byte[] committed = RocksStoreCrashTest.content(1, chunkSize * 3 + 5);
    BlobWriter done = store.blobs().begin(Digest.sha256(committed));
    RocksStoreCrashTest.writeChunks(done, committed, chunkSize, Integer.MAX_VALUE);
    done.commit(committed.length, java.time.Instant.EPOCH);
    byte[] partial = RocksStoreCrashTest.content(2, chunkSize * (chunks + 1));
    BlobWriter unfinished = store.blobs().begin(Digest.sha256(partial));
    RocksStoreCrashTest.writeChunks(unfinished, partial, chunkSize, chunks);
    System.out.println("READY");
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE);
  }
}
