package io.stevedore.store.rocks;

import io.stevedore.oci.Digest;
import io.stevedore.store.LinkStore;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/** Links as empty values under upstream NUL repository NUL digest. */
final class RocksLinkStore implements LinkStore {
  private static final byte[] PRESENT = new byte[0];

  private final RocksDB db;
  private final StoreGuard guard;
  private final ColumnFamilyHandle family;

  RocksLinkStore(RocksDB db, StoreGuard guard, ColumnFamilyHandle family) {
    this.db = db;
    this.guard = guard;
    this.family = family;
  }

  @Override
  public boolean contains(String upstream, String repository, Digest digest) {
    try (StoreGuard.Lease lease = guard.enter()) {
      return db.get(family, key(upstream, repository, digest)) != null;
    } catch (RocksDBException e) {
      throw RocksStore.failure("cannot read link " + repository + " -> " + digest, e);
    }
  }

  @Override
  public void add(String upstream, String repository, Collection<Digest> digests) {
    try (StoreGuard.Lease lease = guard.enter();
        WriteBatch batch = new WriteBatch();
        WriteOptions options = new WriteOptions()) {
      for (Digest digest : digests) {
        batch.put(family, key(upstream, repository, digest), PRESENT);
      }
      db.write(options, batch);
    } catch (RocksDBException e) {
      throw RocksStore.failure("cannot link " + digests.size() + " digests to " + repository, e);
    }
  }

  private static byte[] key(String upstream, String repository, Digest digest) {
    return (upstream + "\0" + repository + "\0" + digest).getBytes(StandardCharsets.UTF_8);
  }
}
