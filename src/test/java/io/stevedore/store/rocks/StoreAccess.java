package io.stevedore.store.rocks;

import io.stevedore.oci.Digest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.RocksDBException;

/**
 * Reaches into a stopped mirror's data directory from a test: what eviction will do (delete a
 * blob), a full compaction, and the directory's size on disk.
 */
public final class StoreAccess {
  private StoreAccess() {}

  /** The directory's size compacted with the blob, and compacted after deleting it. */
  public record Sizes(long withBlob, long withoutBlob) {}

  /**
   * Opens the store (which reclaims unfinished fills), compacts it and measures, then deletes
   * {@code digest} (as eviction will), compacts and measures again.
   */
  public static Sizes compactDeleteCompact(Path dataDir, Digest digest) {
    try (RocksStore store = RocksStore.open(dataDir)) {
      store.compact();
      long withBlob = size(dataDir);
      store.blobs().delete(digest);
      store.compact();
      return new Sizes(withBlob, size(dataDir));
    }
  }

  /** Adds the column family in which stores before blob files kept their chunks. */
  public static void addChunksFamily(Path dataDir) {
    try (RocksStore store = RocksStore.open(dataDir);
        ColumnFamilyOptions options = new ColumnFamilyOptions()) {
      store.db().createColumnFamily(new ColumnFamilyDescriptor(RocksStore.CHUNKS, options)).close();
    } catch (RocksDBException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Files of at least {@code minBytes} under {@code dir}, with their sizes, for reports. */
  public static String largeFiles(Path dir, long minBytes) {
    try (Stream<Path> files = Files.walk(dir)) {
      return files
          .filter(Files::isRegularFile)
          .filter(f -> sizeOf(f) >= minBytes)
          .map(f -> dir.relativize(f) + " " + sizeOf(f))
          .sorted()
          .toList()
          .toString();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static long sizeOf(Path file) {
    try {
      return Files.size(file);
    } catch (IOException e) {
      return 0; // deleted meanwhile
    }
  }

  /** The bytes of every file under {@code dir}. */
  public static long size(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(Files::isRegularFile).mapToLong(StoreAccess::sizeOf).sum();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
