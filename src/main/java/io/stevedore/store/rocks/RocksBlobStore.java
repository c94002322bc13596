package io.stevedore.store.rocks;

import io.stevedore.oci.Digest;
import io.stevedore.store.BlobInfo;
import io.stevedore.store.BlobStore;
import io.stevedore.store.BlobWriter;
import io.stevedore.store.StoredBlob;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.FlushOptions;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * Blobs as a metadata record (column family {@code blobs}: state, size) plus chunks (column family
 * {@code chunks}: digest + big-endian chunk index). The record is written {@code FILLING} before
 * the first chunk and {@code COMPLETE} only at commit, so a crash leaves a marker that the next
 * open uses to reclaim the chunks.
 */
final class RocksBlobStore implements BlobStore {
  private static final Logger LOG = Logger.getLogger(RocksBlobStore.class.getName());
  private static final byte FILLING = 1;
  private static final byte COMPLETE = 2;
  private static final int RECORD_LENGTH = 1 + 8;

  private final RocksDB db;
  private final StoreGuard guard;
  private final ColumnFamilyHandle meta;
  private final ColumnFamilyHandle chunks;
  // Access times live apart from the blob records: a blind write of an access time can never
  // bring back the record of a blob that eviction deleted meanwhile.
  private final ColumnFamilyHandle access;
  private final int chunkSize;
  // Content was verified against its digest when stored, and every client verifies it again;
  // skipping RocksDB's per-read block checksum nearly doubles serving speed (STACK.md), and
  // `stevedore verify` re-hashes everything for bit rot.
  private final ReadOptions chunkReads = new ReadOptions().setVerifyChecksums(false);
  // Aborted fills whose chunks could not be deleted (the store refused writes: a full disk).
  // Deleted once writing works again; a new begin() of the same digest takes them over. Changes
  // happen under the set's lock so a retry never deletes a fill that began again meanwhile.
  private final Set<Digest> leftovers = ConcurrentHashMap.newKeySet();

  RocksBlobStore(
      RocksDB db,
      StoreGuard guard,
      ColumnFamilyHandle meta,
      ColumnFamilyHandle chunks,
      ColumnFamilyHandle access,
      int chunkSize) {
    if (chunkSize < 1) {
      throw new IllegalArgumentException("chunk size must be positive, got " + chunkSize);
    }
    this.db = db;
    this.guard = guard;
    this.meta = meta;
    this.chunks = chunks;
    this.access = access;
    this.chunkSize = chunkSize;
  }

  @Override
  public int chunkSize() {
    return chunkSize;
  }

  @Override
  public Optional<BlobInfo> find(Digest digest) {
    try (StoreGuard.Lease lease = guard.enter()) {
      byte[] record = db.get(meta, key(digest));
      if (record == null || record[0] != COMPLETE) {
        return Optional.empty();
      }
      return Optional.of(new BlobInfo(digest, ByteBuffer.wrap(record, 1, 8).getLong()));
    } catch (RocksDBException e) {
      throw RocksStore.failure("cannot read blob record " + digest, e);
    }
  }

  @Override
  public BlobWriter begin(Digest digest) {
    synchronized (leftovers) {
      leftovers.remove(digest); // deleting earlier chunks is what begin does anyway
    }
    try (StoreGuard.Lease lease = guard.enter();
        WriteBatch batch = new WriteBatch();
        WriteOptions options = new WriteOptions()) {
      deleteChunks(batch, digest);
      batch.put(meta, key(digest), record(FILLING, 0));
      db.write(options, batch);
    } catch (RocksDBException e) {
      throw RocksStore.failure("cannot start blob " + digest, e);
    }
    // The store takes writes again: a good moment to discard what a full disk left behind.
    discardLeftovers();
    return new Writer(digest);
  }

  @Override
  public int readChunk(Digest digest, long index, byte[] buffer) {
    try (StoreGuard.Lease lease = guard.enter()) {
      int length = db.get(chunks, chunkReads, chunkKey(digest, index), buffer);
      if (length == RocksDB.NOT_FOUND) {
        throw new IllegalStateException("chunk " + index + " of " + digest + " is not stored");
      }
      if (length > buffer.length) {
        throw new IllegalStateException(
            "chunk " + index + " of " + digest + " is larger than the read buffer");
      }
      return length;
    } catch (RocksDBException e) {
      throw RocksStore.failure("cannot read chunk " + index + " of " + digest, e);
    }
  }

  @Override
  public void delete(Digest digest) {
    // One batch: a crash can never leave a record that says COMPLETE over missing chunks.
    try (StoreGuard.Lease lease = guard.enter();
        WriteBatch batch = new WriteBatch();
        WriteOptions options = new WriteOptions()) {
      batch.delete(meta, key(digest));
      batch.delete(access, key(digest));
      deleteChunks(batch, digest);
      db.write(options, batch);
    } catch (RocksDBException e) {
      throw RocksStore.failure("cannot delete blob " + digest, e);
    }
  }

  @Override
  public void touch(Map<Digest, Instant> accesses) {
    try (StoreGuard.Lease lease = guard.enter();
        WriteBatch batch = new WriteBatch();
        WriteOptions options = new WriteOptions()) {
      for (Map.Entry<Digest, Instant> entry : accesses.entrySet()) {
        batch.put(access, key(entry.getKey()), millis(entry.getValue()));
      }
      db.write(options, batch);
    } catch (RocksDBException e) {
      throw RocksStore.failure("cannot record access times of " + accesses.size() + " blobs", e);
    }
  }

  @Override
  public List<StoredBlob> list() {
    List<StoredBlob> blobs = new ArrayList<>();
    try (StoreGuard.Lease lease = guard.enter();
        RocksIterator it = db.newIterator(meta)) {
      for (it.seekToFirst(); it.isValid(); it.next()) {
        byte[] record = it.value();
        if (record[0] == COMPLETE) {
          byte[] accessed = db.get(access, it.key());
          blobs.add(
              new StoredBlob(
                  Digest.parse(new String(it.key(), StandardCharsets.UTF_8)),
                  ByteBuffer.wrap(record, 1, 8).getLong(),
                  Instant.ofEpochMilli(
                      accessed == null ? 0 : ByteBuffer.wrap(accessed).getLong())));
        }
      }
      return blobs;
    } catch (RocksDBException e) {
      throw RocksStore.failure("cannot list blobs", e);
    }
  }

  @Override
  public void reclaim() {
    try (StoreGuard.Lease lease = guard.enter();
        FlushOptions flush = new FlushOptions().setWaitForFlush(true)) {
      // Flushing every column family lets RocksDB drop the WAL files; compaction drops the range
      // tombstones' data from SST files; with BlobDB it also drops
      // blob files that hold only deleted chunks and, through blob GC, rewrites mostly-dead ones.
      db.flush(flush, List.of(meta, chunks, access));
      db.compactRange(chunks);
      db.compactRange(meta);
      db.compactRange(access);
    } catch (RocksDBException e) {
      throw RocksStore.failure("cannot compact the store", e);
    }
  }

  private static byte[] millis(Instant at) {
    return ByteBuffer.allocate(8).putLong(at.toEpochMilli()).array();
  }

  /** Deletes the chunks of aborted fills that could not be deleted when they were aborted. */
  void discardLeftovers() {
    for (Digest digest : List.copyOf(leftovers)) {
      synchronized (leftovers) {
        if (!leftovers.remove(digest)) {
          continue; // begun again meanwhile
        }
        try {
          delete(digest);
          LOG.info(() -> "discarded the chunks of the aborted fill of " + digest);
        } catch (RuntimeException e) {
          leftovers.add(digest);
          LOG.log(Level.FINE, "cannot discard the chunks of " + digest + " yet", e);
          return;
        }
      }
    }
  }

  /** Reclaims the chunks of blobs whose fill never committed (a crash, a kill -9). */
  void discardUnfinished() {
    List<byte[]> unfinished = new ArrayList<>();
    try (RocksIterator it = db.newIterator(meta)) {
      for (it.seekToFirst(); it.isValid(); it.next()) {
        if (it.value()[0] != COMPLETE) {
          unfinished.add(it.key());
        }
      }
    }
    for (byte[] key : unfinished) {
      delete(Digest.parse(new String(key, StandardCharsets.UTF_8)));
    }
  }

  /** Whether any record (complete or not) is kept for {@code digest}; for tests. */
  boolean hasRecord(Digest digest) {
    try (StoreGuard.Lease lease = guard.enter()) {
      return db.get(meta, key(digest)) != null;
    } catch (RocksDBException e) {
      throw RocksStore.failure("cannot read blob record " + digest, e);
    }
  }

  /** How many chunk keys of {@code digest} are visible; for tests. */
  long chunkCount(Digest digest) {
    byte[] prefix = key(digest);
    long count = 0;
    try (StoreGuard.Lease lease = guard.enter();
        RocksIterator it = db.newIterator(chunks)) {
      for (it.seek(prefix); it.isValid(); it.next()) {
        byte[] key = it.key();
        if (key.length != prefix.length + 8
            || !java.util.Arrays.equals(key, 0, prefix.length, prefix, 0, prefix.length)) {
          break;
        }
        count++;
      }
    }
    return count;
  }

  private void deleteChunks(WriteBatch batch, Digest digest) throws RocksDBException {
    batch.deleteRange(chunks, chunkKey(digest, 0), chunkKey(digest, Long.MAX_VALUE));
    // deleteRange's end is exclusive: the last possible index goes by itself.
    batch.delete(chunks, chunkKey(digest, Long.MAX_VALUE));
  }

  private static byte[] key(Digest digest) {
    return digest.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] chunkKey(Digest digest, long index) {
    byte[] prefix = key(digest);
    return ByteBuffer.allocate(prefix.length + 8).put(prefix).putLong(index).array();
  }

  private static byte[] record(byte state, long size) {
    return ByteBuffer.allocate(RECORD_LENGTH).put(state).putLong(size).array();
  }

  private final class Writer implements BlobWriter {
    private final Digest digest;

    Writer(Digest digest) {
      this.digest = digest;
    }

    @Override
    public void write(long index, byte[] data, int length) {
      if (length > chunkSize) {
        throw new IllegalArgumentException(
            "a chunk holds at most " + chunkSize + " bytes, got " + length);
      }
      byte[] key = chunkKey(digest, index);
      try (StoreGuard.Lease lease = guard.enter()) {
        db.put(chunks, key, 0, key.length, data, 0, length);
      } catch (RocksDBException e) {
        throw RocksStore.failure("cannot write chunk " + index + " of " + digest, e);
      }
    }

    @Override
    public void commit(long size, Instant at) {
      try (StoreGuard.Lease lease = guard.enter();
          WriteBatch batch = new WriteBatch();
          WriteOptions options = new WriteOptions()) {
        batch.put(access, key(digest), millis(at));
        batch.put(meta, key(digest), record(COMPLETE, size));
        db.write(options, batch);
      } catch (RocksDBException e) {
        throw RocksStore.failure("cannot commit blob " + digest, e);
      }
    }

    @Override
    public void abort() {
      try {
        delete(digest);
      } catch (RuntimeException e) {
        // A full disk refuses deletes too: retry once writes work again (or at the next open,
        // which discards every unfinished blob).
        synchronized (leftovers) {
          leftovers.add(digest);
        }
        throw e;
      }
    }
  }
}
