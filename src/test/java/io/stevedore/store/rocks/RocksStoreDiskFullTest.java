package io.stevedore.store.rocks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import io.stevedore.oci.Digest;
import io.stevedore.store.BlobInfo;
import io.stevedore.store.BlobWriter;
import io.stevedore.store.StoreException;
import io.stevedore.testing.SmallDisk;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The store on a full disk: the write that hits it fails with a StoreException that says so,
 * committed content stays readable while RocksDB refuses writes, and writing resumes by itself
 * (RocksDB's SstFileManager polls the free space every 5 s) once space is back, without reopening.
 * The chunks of the fill that failed are discarded then.
 *
 * <p>Only with a real full disk (a small tmpfs, root needed; skipped otherwise): RocksDB's
 * SstFileManager space limit, the unprivileged stand-in, stalls writers instead of failing them (a
 * put blocked for minutes here), so it cannot show a clean failure.
 */
class RocksStoreDiskFullTest {
  private static final int CHUNK = 1024 * 1024;
  private static final Duration RECOVERY = Duration.ofSeconds(30);

  @TempDir Path dir;

  /** A real ENOSPC: a small tmpfs (needs root to mount; skipped otherwise). */
  @Test
  void enospc_failsTheFill_keepsServingCommittedBlobs_andRecoversWhenSpaceIsFreed() {
    try (SmallDisk disk = SmallDisk.mount(dir.resolve("disk"), 192)) {
      try (RocksStore store = RocksStore.open(disk.path().resolve("db"), CHUNK)) {
        // Leave less than a memtable: the WAL of the next fill runs out first.
        exercise(store, () -> disk.fillLeaving(24L * 1024 * 1024), disk::freeBallast);
      }
      try (RocksStore store = RocksStore.open(disk.path().resolve("db"), CHUNK)) {
        assertThat(store.blobs().find(committed)).isPresent();
        assertThat(store.blobs().find(later)).isPresent();
      }
    }
  }

  private final byte[] small = random(1, 3 * CHUNK + 17);
  private final Digest committed = Digest.sha256(small);
  private final byte[] big = random(2, 400 * CHUNK);
  private final Digest failing = Digest.sha256(big);
  private final byte[] after = random(3, 5 * CHUNK);
  private final Digest later = Digest.sha256(after);

  private void exercise(RocksStore store, Runnable makeFull, Runnable freeSpace) {
    write(store, small).commit(small.length, java.time.Instant.EPOCH);
    makeFull.run();

    BlobWriter writer = store.blobs().begin(failing);
    StoreException full = null;
    int stored = 0;
    for (; stored * CHUNK < big.length; stored++) {
      try {
        writer.write(stored, Arrays.copyOfRange(big, stored * CHUNK, (stored + 1) * CHUNK), CHUNK);
      } catch (StoreException e) {
        full = e;
        break;
      }
    }
    assertThat(full).as("a write fails once the disk is full").isNotNull();
    assertThat(full).hasMessageContaining("out of disk space");
    assertThat(stored).as("chunks stored before").isGreaterThan(0);
    StoreException abort = null;
    try {
      writer.abort();
    } catch (StoreException e) {
      abort = e; // the store refuses deletes too; the chunks go once it writes again
    }

    // Reads go on while writes are refused.
    assertThat(store.blobs().find(committed)).contains(new BlobInfo(committed, small.length));
    assertThat(read(store, committed, small.length)).isEqualTo(small);
    if (abort != null) {
      assertThatThrownBy(() -> store.blobs().begin(later)).isInstanceOf(StoreException.class);
    }

    freeSpace.run();
    BlobWriter next = awaitWritable(store);
    for (int i = 0; i * CHUNK < after.length; i++) {
      next.write(i, Arrays.copyOfRange(after, i * CHUNK, (i + 1) * CHUNK), CHUNK);
    }
    next.commit(after.length, java.time.Instant.EPOCH);

    assertThat(store.blobs().find(later)).isPresent();
    assertThat(read(store, later, after.length)).isEqualTo(after);
    assertThat(read(store, committed, small.length)).isEqualTo(small);
    assertThat(store.blobs().find(failing)).isEmpty();
    assertThatThrownBy(() -> store.blobs().readChunk(failing, 0, new byte[CHUNK]))
        .as("the failed fill's chunks are discarded once the store writes again")
        .isInstanceOf(IllegalStateException.class);
  }

  /** Polls begin() until the store takes writes again (RocksDB's recovery polls every 5 s). */
  private BlobWriter awaitWritable(RocksStore store) {
    Instant deadline = Instant.now().plus(RECOVERY);
    StoreException last = null;
    while (Instant.now().isBefore(deadline)) {
      try {
        return store.blobs().begin(later);
      } catch (StoreException e) {
        last = e;
      }
      try {
        Thread.sleep(100); // a poll interval; the loop re-checks
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
    return fail("the store did not take writes " + RECOVERY + " after space was freed: " + last);
  }

  private static BlobWriter write(RocksStore store, byte[] bytes) {
    BlobWriter writer = store.blobs().begin(Digest.sha256(bytes));
    for (int i = 0; (long) i * CHUNK < bytes.length; i++) {
      byte[] chunk = Arrays.copyOfRange(bytes, i * CHUNK, Math.min(bytes.length, (i + 1) * CHUNK));
      writer.write(i, chunk, chunk.length);
    }
    return writer;
  }

  private static byte[] read(RocksStore store, Digest digest, int size) {
    byte[] out = new byte[size];
    byte[] buffer = new byte[CHUNK];
    for (int i = 0; (long) i * CHUNK < size; i++) {
      int length = store.blobs().readChunk(digest, i, buffer);
      System.arraycopy(buffer, 0, out, i * CHUNK, length);
    }
    return out;
  }

  private static byte[] random(long seed, int size) {
    byte[] bytes = new byte[size];
    SplittableRandom random = new SplittableRandom(seed);
    for (int i = 0; i < size; i += 8) {
      long value = random.nextLong();
      for (int j = 0; j < 8 && i + j < size; j++) {
        bytes[i + j] = (byte) (value >>> (8 * j));
      }
    }
    return bytes;
  }
}
