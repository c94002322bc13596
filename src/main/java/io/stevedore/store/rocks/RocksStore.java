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
import java.util.logging.Logger;
import org.rocksdb.AbstractEventListener;
import org.rocksdb.BackgroundErrorReason;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.CompactRangeOptions;
import org.rocksdb.CompressionType;
import org.rocksdb.DBOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.Status;

/**
 * The embedded RocksDB database under {@code storage.path}: one column family per kind of record.
 * Opening it discards the chunks of fills that a crash interrupted.
 *
 * <p>A full disk: RocksDB fails the write that hit ENOSPC (the fill fails, its client sees a 5xx or
 * a cut-off body) and then refuses every write with that error while reads keep working, so cached
 * content is still served. RocksDB's SstFileManager (it makes one by default) polls the free space
 * every 5 s and resumes writing by itself once at least the largest write buffer ({@link
 * #CHUNK_WRITE_BUFFER}) is free again: measured about 5 s after space was freed (RocksJava has no
 * {@code DB::Resume()} to call). Fills whose clean-up failed meanwhile are discarded then.
 *
 * <p>Not used as a disk-full stand-in: {@code SstFileManager.setMaxAllowedSpaceUsage}. RocksDB
 * checks it only after a flush and then stalls writers (a put blocked for minutes here) rather than
 * failing them, which would hang fills instead of failing them.
 */
public final class RocksStore implements Store {
  private static final Logger LOG = Logger.getLogger(RocksStore.class.getName());
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

  /**
   * Memtable of the chunks family: chunks wait there (and in the WAL) until a flush moves them to
   * blob files, so a small buffer keeps that copy, and the disk it takes beyond the quota, small.
   * It is also the free space RocksDB needs to resume after ENOSPC.
   */
  static final long CHUNK_WRITE_BUFFER = 16L * 1024 * 1024;

  /**
   * A WAL file can be deleted only when every column family with data in it has flushed; the small
   * families (a fill's FILLING record) flush rarely, so without a cap a 320 MB fill kept six 64 MB
   * WAL files (2.2x its size on disk). Past this total RocksDB flushes the families that hold the
   * oldest WAL.
   */
  static final long MAX_TOTAL_WAL_SIZE = 64L * 1024 * 1024;

  /**
   * Blob GC in routine compactions moves the live chunks of the oldest quarter of blob files only
   * (RocksDB's default). With every blob file eligible (1.0), each compaction during a fill copied
   * the chunks of the blob files it touched once more: a tenth of a fill's CPU and as many extra
   * bytes written. {@link RocksBlobStore#reclaim()} makes every file eligible while it compacts.
   */
  static final double ROUTINE_BLOB_GC_CUTOFF = 0.25;

  private final RocksDB db;
  private final StoreGuard guard = new StoreGuard();
  private final DBOptions dbOptions;
  private final SpaceListener listener;
  private final List<ColumnFamilyOptions> cfOptions = new ArrayList<>();
  private final List<ColumnFamilyHandle> handles = new ArrayList<>();
  private final RocksBlobStore blobs;
  private final RocksManifestStore manifests;
  private final RocksTagStore tags;
  private final RocksLinkStore links;
  private final RocksPinStore pins;

  private RocksStore(Path directory, int chunkSize) throws RocksDBException {
    RocksDB.loadLibrary();
    listener = new SpaceListener();
    dbOptions =
        new DBOptions()
            .setCreateIfMissing(true)
            .setCreateMissingColumnFamilies(true)
            .setMaxBackgroundJobs(2)
            // Spread the page-cache write-back of big fills instead of one stall at flush time.
            .setBytesPerSync(1024 * 1024)
            .setMaxTotalWalSize(MAX_TOTAL_WAL_SIZE)
            // Every open starts a new info LOG; RocksDB keeps 1000 of them by default, which
            // grew the directory by ~120 KB per restart in CrashIT.
            .setKeepLogFileNum(10)
            .setListeners(List.of(listener));
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
            .setBlobGarbageCollectionAgeCutoff(ROUTINE_BLOB_GC_CUTOFF)
            .setWriteBufferSize(CHUNK_WRITE_BUFFER);
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
    List<Path> blobFilesBefore = blobFiles(directory);
    db = RocksDB.open(dbOptions, directory.toString(), descriptors, handles);
    deleteOrphanBlobFiles(blobFilesBefore);
    blobs =
        new RocksBlobStore(db, guard, handles.get(1), handles.get(2), handles.get(6), chunkSize);
    manifests = new RocksManifestStore(db, guard, handles.get(3));
    tags = new RocksTagStore(db, guard, handles.get(4));
    links = new RocksLinkStore(db, guard, handles.get(5));
    pins = new RocksPinStore(db, guard, handles.get(7));
    listener.recovered = blobs::discardLeftovers;
    blobs.discardUnfinished();
  }

  /**
   * Deletes blob files of the previous run that the database does not know: a kill -9 during a
   * flush leaves the flush's half-written blob file behind, outside the MANIFEST, and RocksDB
   * neither uses nor deletes it (seen in CrashIT: 10 and 37 MB files that survived every later
   * compaction). Only files that existed before this open are candidates, so no file a flush of
   * this run is writing can be taken.
   */
  private void deleteOrphanBlobFiles(List<Path> before) throws RocksDBException {
    if (before.isEmpty()) {
      return;
    }
    java.util.Set<String> live = new java.util.HashSet<>();
    for (String name : db.getLiveFiles(false).files) {
      live.add(Path.of(name).getFileName().toString());
    }
    for (Path file : before) {
      if (!live.contains(file.getFileName().toString())) {
        try {
          long size = Files.size(file);
          Files.deleteIfExists(file);
          LOG.warning(
              () ->
                  "deleted "
                      + file
                      + " ("
                      + size
                      + " bytes): a blob file an interrupted flush left");
        } catch (java.io.IOException e) {
          LOG.warning(() -> "cannot delete the orphaned blob file " + file + ": " + e);
        }
      }
    }
  }

  private static List<Path> blobFiles(Path directory) {
    try (java.util.stream.Stream<Path> files = Files.list(directory)) {
      return files.filter(f -> f.getFileName().toString().endsWith(".blob")).toList();
    } catch (java.io.IOException e) {
      throw new StoreException("cannot list the store at " + directory + ": " + e.getMessage(), e);
    }
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

  /**
   * Compacts every column family down to the last level, which drops deleted keys and lets blob GC
   * remove blob files with no live chunk: afterwards the directory holds about the live data.
   */
  void compact() {
    try (StoreGuard.Lease lease = guard.enter();
        CompactRangeOptions options =
            new CompactRangeOptions()
                .setBottommostLevelCompaction(
                    CompactRangeOptions.BottommostLevelCompaction.kForce)) {
      for (ColumnFamilyHandle handle : handles) {
        db.compactRange(handle, null, null, options);
      }
    } catch (RocksDBException e) {
      throw failure("cannot compact the store", e);
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
          listener.close();
        });
  }

  static StoreException failure(String what, RocksDBException e) {
    String advice =
        outOfSpace(e.getStatus())
            ? " (the store is out of disk space: cached content is still served, and writing"
                + " resumes by itself once "
                + CHUNK_WRITE_BUFFER / (1024 * 1024)
                + " MiB are free)"
            : "";
    return new StoreException(what + ": " + e.getMessage() + advice, e);
  }

  /** ENOSPC: IOError/NoSpace (RocksDB's own space limit would say "Max allowed space"). */
  static boolean outOfSpace(Status status) {
    return status != null
        && (status.getSubCode() == Status.SubCode.NoSpace
            || (status.getState() != null && status.getState().contains("space")));
  }

  /** Tells the log when writing stops for lack of space and when it works again. */
  private static final class SpaceListener extends AbstractEventListener {
    volatile Runnable recovered = () -> {};

    SpaceListener() {
      super(
          EnabledEventCallback.ON_BACKGROUND_ERROR,
          EnabledEventCallback.ON_ERROR_RECOVERY_COMPLETED);
    }

    @Override
    public void onBackgroundError(BackgroundErrorReason reason, Status status) {
      LOG.warning(
          () ->
              "the store stopped writing ("
                  + reason
                  + ": "
                  + status.getCodeString()
                  + " "
                  + status.getState()
                  + "); reads go on"
                  + (outOfSpace(status)
                      ? "; writing resumes by itself once "
                          + CHUNK_WRITE_BUFFER / (1024 * 1024)
                          + " MiB of disk are free"
                      : ""));
    }

    @Override
    public void onErrorRecoveryCompleted(Status old) {
      LOG.warning("the store writes again (recovered from " + old.getCodeString() + ")");
      // Not on RocksDB's own thread: the clean-up writes to the database.
      Thread.ofVirtual().name("store-recovered").start(recovered);
    }
  }
}
