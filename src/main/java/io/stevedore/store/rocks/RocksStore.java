package io.stevedore.store.rocks;

import io.stevedore.store.BlobStore;
import io.stevedore.store.LinkStore;
import io.stevedore.store.ManifestStore;
import io.stevedore.store.PinStore;
import io.stevedore.store.Store;
import io.stevedore.store.StoreException;
import io.stevedore.store.StoreLockedException;
import io.stevedore.store.TagStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.CompressionType;
import org.rocksdb.DBOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;

/**
 * The embedded RocksDB database under {@code storage.path}: one column family per kind of record.
 * Opening it discards the chunks of fills that a crash interrupted.
 */
public final class RocksStore implements Store {
  static final byte[] BLOBS = "blobs".getBytes(StandardCharsets.UTF_8);
  static final byte[] CHUNKS = "chunks".getBytes(StandardCharsets.UTF_8);
  static final byte[] MANIFESTS = "manifests".getBytes(StandardCharsets.UTF_8);
  static final byte[] TAGS = "tags".getBytes(StandardCharsets.UTF_8);
  static final byte[] LINKS = "links".getBytes(StandardCharsets.UTF_8);
  static final byte[] ACCESS = "access".getBytes(StandardCharsets.UTF_8);
  static final byte[] PINS = "pins".getBytes(StandardCharsets.UTF_8);

  /**
   * 1 MiB chunks: large enough that a blob costs few keys and reads stream at RocksDB's large-value
   * speed, small enough that a follower of a fill is at most 1 MiB behind it and a waiter's read
   * buffer stays small.
   */
  public static final int DEFAULT_CHUNK_SIZE = 1024 * 1024;

  private final RocksDB db;
  private final StoreGuard guard = new StoreGuard();
  private final DBOptions dbOptions;
  private final List<ColumnFamilyOptions> cfOptions = new ArrayList<>();
  private final List<ColumnFamilyHandle> handles = new ArrayList<>();
  private final RocksBlobStore blobs;
  private final RocksManifestStore manifests;
  private final RocksTagStore tags;
  private final RocksLinkStore links;
  private final RocksPinStore pins;

  private RocksStore(Path directory, int chunkSize) throws RocksDBException {
    RocksDB.loadLibrary();
    dbOptions =
        new DBOptions()
            .setCreateIfMissing(true)
            .setCreateMissingColumnFamilies(true)
            .setMaxBackgroundJobs(2)
            // Small column families (records, access times) would otherwise keep every WAL file
            // alive until they flush, holding a copy of all chunk data written meanwhile: past
            // this total, RocksDB flushes whatever pins the oldest WAL file.
            .setMaxTotalWalSize(64L * 1024 * 1024)
            // Spread the page-cache write-back of big fills instead of one stall at flush time.
            .setBytesPerSync(1024 * 1024);
    ColumnFamilyOptions small = new ColumnFamilyOptions();
    // Layers are compressed already; chunks go to BlobDB files so multi-GB of layer bytes are
    // never rewritten by compaction, and deleted blobs' space comes back through blob GC.
    ColumnFamilyOptions chunkOptions =
        new ColumnFamilyOptions()
            .setCompressionType(CompressionType.NO_COMPRESSION)
            .setEnableBlobFiles(true)
            .setMinBlobSize(64 * 1024)
            .setBlobCompressionType(CompressionType.NO_COMPRESSION)
            .setEnableBlobGarbageCollection(true)
            .setBlobGarbageCollectionAgeCutoff(1.0)
            // Chunks wait in the memtable (and the WAL) until a flush moves them to blob files:
            // a small buffer keeps that copy, and the disk it takes beyond the quota, small.
            .setWriteBufferSize(16L * 1024 * 1024);
    cfOptions.add(small);
    cfOptions.add(chunkOptions);
    List<ColumnFamilyDescriptor> descriptors =
        List.of(
            new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, small),
            new ColumnFamilyDescriptor(BLOBS, small),
            new ColumnFamilyDescriptor(CHUNKS, chunkOptions),
            new ColumnFamilyDescriptor(MANIFESTS, small),
            new ColumnFamilyDescriptor(TAGS, small),
            new ColumnFamilyDescriptor(LINKS, small),
            new ColumnFamilyDescriptor(ACCESS, small),
            new ColumnFamilyDescriptor(PINS, small));
    db = RocksDB.open(dbOptions, directory.toString(), descriptors, handles);
    blobs =
        new RocksBlobStore(db, guard, handles.get(1), handles.get(2), handles.get(6), chunkSize);
    manifests = new RocksManifestStore(db, guard, handles.get(3));
    tags = new RocksTagStore(db, guard, handles.get(4));
    links = new RocksLinkStore(db, guard, handles.get(5));
    pins = new RocksPinStore(db, guard, handles.get(7));
    blobs.discardUnfinished();
  }

  /** Opens (creating if needed) the store in {@code directory}. */
  public static RocksStore open(Path directory) {
    return open(directory, DEFAULT_CHUNK_SIZE);
  }

  /** Opens the store with a chunk size of its own; tests use small chunks. */
  public static RocksStore open(Path directory, int chunkSize) {
    try {
      Files.createDirectories(directory);
      return new RocksStore(directory, chunkSize);
    } catch (RocksDBException e) {
      String message = "cannot open the store at " + directory + ": " + e.getMessage();
      if (String.valueOf(e.getMessage()).contains("lock")) {
        throw new StoreLockedException(message, e);
      }
      throw new StoreException(message, e);
    } catch (java.io.IOException e) {
      throw new StoreException("cannot open the store at " + directory + ": " + e.getMessage(), e);
    }
  }

  @Override
  public BlobStore blobs() {
    return blobs;
  }

  @Override
  public ManifestStore manifests() {
    return manifests;
  }

  @Override
  public TagStore tags() {
    return tags;
  }

  @Override
  public LinkStore links() {
    return links;
  }

  @Override
  public PinStore pins() {
    return pins;
  }

  @Override
  public void close() {
    guard.close(
        () -> {
          handles.forEach(ColumnFamilyHandle::close);
          db.close();
          dbOptions.close();
          cfOptions.forEach(ColumnFamilyOptions::close);
        });
  }

  static StoreException failure(String what, RocksDBException e) {
    return new StoreException(what + ": " + e.getMessage(), e);
  }
}
