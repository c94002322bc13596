package io.stevedore.store.rocks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stevedore.oci.Digest;
import io.stevedore.store.BlobInfo;
import io.stevedore.store.BlobWriter;
import io.stevedore.store.StoreException;
import io.stevedore.testing.SmallDisk;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The store on a full disk: blob files stop short of {@link BlobFiles#RESERVE}, so a fill whose
 * blob does not fit fails with a StoreException that says so, its file is deleted at once (its
 * space is back), committed content stays readable, a fill is refused before its first byte while
 * less than the reserve is free, and fills work again as soon as space is back, without reopening.
 *
 * <p>Only with a real small disk (a tmpfs, root needed; skipped otherwise).
 */
class RocksStoreDiskFullTest {
  private static final int CHUNK = 1024 * 1024;
  private static final long MIB = 1024 * 1024;

  @TempDir Path dir;

  private final byte[] small = random(1, 3 * CHUNK + 17);
  private final Digest committed = Digest.sha256(small);
  private final byte[] big = random(2, 100 * CHUNK);
  private final Digest failing = Digest.sha256(big);
  private final byte[] after = random(3, 5 * CHUNK);
  private final Digest later = Digest.sha256(after);

  @Test
  void fullDisk_failsTheFillCleanly_keepsServingCommittedBlobs_andRecoversWhenSpaceIsFreed() {
    try (SmallDisk disk = SmallDisk.mount(dir.resolve("disk"), 192)) {
      try (RocksStore store = RocksStore.open(disk.path().resolve("db"), CHUNK)) {
        write(store, small).commit(small.length, Instant.EPOCH);
        // Room for about 24 of the big blob's 100 chunks.
        disk.fillLeaving(BlobFiles.RESERVE + 24 * MIB);

        BlobWriter writer = store.blobs().begin(failing);
        StoreException full = null;
        int stored = 0;
        for (; stored * CHUNK < big.length; stored++) {
          try {
            writer.write(
                stored, Arrays.copyOfRange(big, stored * CHUNK, (stored + 1) * CHUNK), CHUNK);
          } catch (StoreException e) {
            full = e;
            break;
          }
        }
        assertThat(full).as("a write fails once the disk is full").isNotNull();
        assertThat(full).hasMessageContaining("out of disk space");
        assertThat(stored).as("chunks stored before").isBetween(16, 24);
        writer.abort();
        assertThat(disk.free())
            .as("the failed fill's space is back at once")
            .isGreaterThan(BlobFiles.RESERVE + 20 * MIB);
        assertThatThrownBy(() -> store.blobs().readChunk(failing, 0, new byte[CHUNK]))
            .isInstanceOf(IllegalStateException.class);

        disk.fillLeaving(24 * MIB);
        assertThatThrownBy(() -> store.blobs().begin(later))
            .as("less than the reserve free: refused before the first byte")
            .isInstanceOf(StoreException.class)
            .hasMessageContaining("out of disk space");
        assertThat(read(store, committed, small.length))
            .as("reads go on while fills are refused")
            .isEqualTo(small);

        disk.freeBallast();
        BlobWriter next = store.blobs().begin(later);
        for (int i = 0; i * CHUNK < after.length; i++) {
          next.write(i, Arrays.copyOfRange(after, i * CHUNK, (i + 1) * CHUNK), CHUNK);
        }
        next.commit(after.length, Instant.EPOCH);
        assertThat(read(store, later, after.length)).isEqualTo(after);
      }
      try (RocksStore store = RocksStore.open(disk.path().resolve("db"), CHUNK)) {
        assertThat(store.blobs().find(committed)).contains(new BlobInfo(committed, small.length));
        assertThat(store.blobs().find(later)).isPresent();
        assertThat(store.blobs().find(failing)).isEmpty();
      }
    }
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
