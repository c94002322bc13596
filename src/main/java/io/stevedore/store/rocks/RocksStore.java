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
import java.util.Optional;
import java.util.logging.Logger;
import org.rocksdb.AbstractEventListener;
import org.rocksdb.BackgroundErrorReason;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.CompactRangeOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.Status;

/**
 * The store under {@code storage.path}: an embedded RocksDB database with one column family per
 * kind of record, and the blobs' bytes in files under {@code blobs/} ({@link BlobFiles}). Opening
 * it discards the files of fills that a crash interrupted.
 *
 * <p>A full disk: blob files leave {@link BlobFiles#RESERVE} free. A fill that reaches it fails
 * (its client sees a 5xx or a cut-off body) and its file is deleted at once; while less is free,
 * fills are refused before their first byte (503). Should a record write still hit ENOSPC (another
 * process filled the disk), RocksDB fails that write and then refuses every write with that error
 * while reads keep working, so cached content is still served. RocksDB's SstFileManager (it makes
 * one by default) polls the free space every 5 s and resumes writing by itself once at least the
 * largest write buffer ({@link #WRITE_BUFFER}) is free again: measured about 5 s after space was
 * freed (RocksJava has no {@code DB::Resume()} to call). Fills whose clean-up failed meanwhile are
 * discarded then.
 *
 * <p>Not used as a disk-full stand-in: {@code SstFileManager.setMaxAllowedSpaceUsage}. RocksDB
 * checks it only after a flush and then stalls writers (a put blocked for minutes here) rather than
 * failing them, which would hang fills instead of failing them.
 */
public final class RocksStore implements Store {
  private static final Logger LOG = Logger.getLogger(RocksStore.class.getName());
  static final byte[] BLOBS = "blobs".getBytes(StandardCharsets.UTF_8);

  /** Where blob bytes lived before they moved to files; dropped when an older store is opened. */
  static final byte[] CHUNKS = "chunks".getBytes(StandardCharsets.UTF_8);

  static final byte[] MANIFESTS = "manifests".getBytes(StandardCharsets.UTF_8);
  static final byte[] TAGS = "tags".getBytes(StandardCharsets.UTF_8);
  static final byte[] LINKS = "links".getBytes(StandardCharsets.UTF_8);
  static final byte[] ACCESS = "access".getBytes(StandardCharsets.UTF_8);
  static final byte[] PINS = "pins".getBytes(StandardCharsets.UTF_8);

  /** The directory of the blob files, inside the database's. */
  static final String BLOB_FILES = "blobs";

  /**
   * 1 MiB chunks, the unit of fill writes, of progress that followers of a fill wait for, and of
   * reads: large enough that a read costs few system calls, small enough that a follower of a fill
   * is at most 1 MiB behind it and a reader's buffer stays small. Blob files are contiguous, so it
   * can change between runs.
   */
  public static final int DEFAULT_CHUNK_SIZE = 1024 * 1024;

  /**
   * Memtable size of every family (records are small; the default is 64 MiB). It is also the free
   * space RocksDB needs to resume after ENOSPC.
   */
  static final long WRITE_BUFFER = 16L * 1024 * 1024;

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

  private RocksStore(Path directory, int chunkSize, boolean directWrites) throws RocksDBException {
    RocksDB.loadLibrary();
    listener = new SpaceListener();
    dbOptions =
        new DBOptions()
            .setCreateIfMissing(true)
            .setCreateMissingColumnFamilies(true)
            .setMaxBackgroundJobs(2)
            // Every open starts a new info LOG; RocksDB keeps 1000 of them by default, which
            // grew the directory by ~120 KB per restart in CrashIT.
            .setKeepLogFileNum(10)
            .setListeners(List.of(listener));
    ColumnFamilyOptions small = new ColumnFamilyOptions().setWriteBufferSize(WRITE_BUFFER);
    cfOptions.add(small);
    List<ColumnFamilyDescriptor> descriptors =
        new ArrayList<>(
            List.of(
                new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, small),
                new ColumnFamilyDescriptor(BLOBS, small),
                new ColumnFamilyDescriptor(MANIFESTS, small),
                new ColumnFamilyDescriptor(TAGS, small),
                new ColumnFamilyDescriptor(LINKS, small),
                new ColumnFamilyDescriptor(ACCESS, small),
                new ColumnFamilyDescriptor(PINS, small)));
    boolean chunksFamily = hasFamily(directory, CHUNKS);
    if (chunksFamily) {
      descriptors.add(new ColumnFamilyDescriptor(CHUNKS, small));
    }
    db = RocksDB.open(dbOptions, directory.toString(), descriptors, handles);
    if (chunksFamily) {
      // A store of an older version, with blob bytes in RocksDB: its blob records lose their
      // bytes now and are dropped by discardUnfinished (the blobs are fetched again), while
      // manifests, tags, links and pins stay.
      ColumnFamilyHandle chunks = handles.removeLast();
      db.dropColumnFamily(chunks);
      chunks.close();
      LOG.warning("dropped the blob chunks of an older store version; blobs are fetched again");
    }
    blobs =
        new RocksBlobStore(
            db,
            guard,
            handles.get(1),
            new BlobFiles(directory.resolve(BLOB_FILES), directWrites),
            handles.get(5),
            chunkSize);
    manifests = new RocksManifestStore(new ColumnFamily(db, guard, handles.get(2)));
    tags = new RocksTagStore(new ColumnFamily(db, guard, handles.get(3)));
    links = new RocksLinkStore(new ColumnFamily(db, guard, handles.get(4)));
    pins = new RocksPinStore(new ColumnFamily(db, guard, handles.get(6)));
    listener.recovered = blobs::discardLeftovers;
    blobs.discardUnfinished();
  }

  private static boolean hasFamily(Path directory, byte[] name) throws RocksDBException {
    if (!Files.exists(directory.resolve("CURRENT"))) {
      return false; // a new store
    }
    try (org.rocksdb.Options options = new org.rocksdb.Options()) {
      return RocksDB.listColumnFamilies(options, directory.toString()).stream()
          .anyMatch(family -> java.util.Arrays.equals(family, name));
    }
  }

  /** Opens (creating if needed) the store in {@code directory}. */
  public static RocksStore open(Path directory) {
    return open(directory, DEFAULT_CHUNK_SIZE);
  }

  /** Opens the store with a chunk size of its own; tests use small chunks. */
  public static RocksStore open(Path directory, int chunkSize) {
    return open(directory, chunkSize, false);
  }

  /**
   * Opens the store.
   *
   * @param directWrites whether blob files are written past the page cache ({@link BlobFile})
   */
  public static RocksStore open(Path directory, int chunkSize, boolean directWrites) {
    try {
      Files.createDirectories(directory);
      return new RocksStore(directory, chunkSize, directWrites);
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

  /** The database itself; for tests in this package that make stores of older versions. */
  RocksDB db() {
    return db;
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
  public Optional<String> unwritable() {
    try (StoreGuard.Lease lease = guard.enter()) {
      blobs.requireSpace();
      return Optional.empty();
    } catch (StoreException e) {
      return Optional.of(e.getMessage());
    }
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
                + WRITE_BUFFER / (1024 * 1024)
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
                          + WRITE_BUFFER / (1024 * 1024)
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
