package io.stevedore.store.rocks;

import java.util.List;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.Supplier;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * One column family of the store's database, for a store of small records: every call holds a
 * {@link StoreGuard} lease, so none reaches a closed database, and a RocksDB failure becomes the
 * {@link RocksStore#failure} that says what was being done and whether the disk is full. The
 * messages are suppliers because they are only needed when a call fails.
 */
final class ColumnFamily {
  private final RocksDB db;
  private final StoreGuard guard;
  private final ColumnFamilyHandle handle;

  ColumnFamily(RocksDB db, StoreGuard guard, ColumnFamilyHandle handle) {
    this.db = db;
    this.guard = guard;
    this.handle = handle;
  }

  /** The value under {@code key}. */
  Optional<byte[]> find(byte[] key, Supplier<String> what) {
    try (StoreGuard.Lease lease = guard.enter()) {
      return Optional.ofNullable(db.get(handle, key));
    } catch (RocksDBException e) {
      throw RocksStore.failure(what.get(), e);
    }
  }

  void put(byte[] key, byte[] value, Supplier<String> what) {
    try (StoreGuard.Lease lease = guard.enter()) {
      db.put(handle, key, value);
    } catch (RocksDBException e) {
      throw RocksStore.failure(what.get(), e);
    }
  }

  /** Puts {@code value} under every one of {@code keys} in one write: all of them or none. */
  void putAll(List<byte[]> keys, byte[] value, Supplier<String> what) {
    try (StoreGuard.Lease lease = guard.enter();
        WriteBatch batch = new WriteBatch();
        WriteOptions options = new WriteOptions()) {
      for (byte[] key : keys) {
        batch.put(handle, key, value);
      }
      db.write(options, batch);
    } catch (RocksDBException e) {
      throw RocksStore.failure(what.get(), e);
    }
  }

  void delete(byte[] key, Supplier<String> what) {
    try (StoreGuard.Lease lease = guard.enter()) {
      db.delete(handle, key);
    } catch (RocksDBException e) {
      throw RocksStore.failure(what.get(), e);
    }
  }

  /** Hands every record, key and value, to {@code action} in key order, all under one lease. */
  void forEach(BiConsumer<byte[], byte[]> action) {
    try (StoreGuard.Lease lease = guard.enter();
        RocksIterator it = db.newIterator(handle)) {
      for (it.seekToFirst(); it.isValid(); it.next()) {
        action.accept(it.key(), it.value());
      }
    }
  }
}
