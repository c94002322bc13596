package io.stevedore.store.rocks;

import io.stevedore.oci.Digest;
import io.stevedore.store.TagEntry;
import io.stevedore.store.TagKey;
import io.stevedore.store.TagStore;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;

/**
 * Tags: key = upstream NUL repository NUL tag NUL accepted types (NUL occurs in none of them),
 * value = digest NUL media type NUL epoch millis, as text so the records stay readable in a
 * debugger.
 */
final class RocksTagStore implements TagStore {
  private final RocksDB db;
  private final StoreGuard guard;
  private final ColumnFamilyHandle family;

  RocksTagStore(RocksDB db, StoreGuard guard, ColumnFamilyHandle family) {
    this.db = db;
    this.guard = guard;
    this.family = family;
  }

  @Override
  public Optional<TagEntry> find(TagKey key) {
    try (StoreGuard.Lease lease = guard.enter()) {
      byte[] value = db.get(family, encode(key));
      if (value == null) {
        return Optional.empty();
      }
      String[] parts = new String(value, StandardCharsets.UTF_8).split("\0", 3);
      return Optional.of(
          new TagEntry(
              Digest.parse(parts[0]), parts[1], Instant.ofEpochMilli(Long.parseLong(parts[2]))));
    } catch (RocksDBException e) {
      throw RocksStore.failure("cannot read tag " + key, e);
    }
  }

  @Override
  public void put(TagKey key, TagEntry entry) {
    String value =
        entry.digest() + "\0" + entry.mediaType() + "\0" + entry.checkedAt().toEpochMilli();
    try (StoreGuard.Lease lease = guard.enter()) {
      db.put(family, encode(key), value.getBytes(StandardCharsets.UTF_8));
    } catch (RocksDBException e) {
      throw RocksStore.failure("cannot store tag " + key, e);
    }
  }

  private static byte[] encode(TagKey key) {
    return (key.upstream() + "\0" + key.repository() + "\0" + key.tag() + "\0" + key.accept())
        .getBytes(StandardCharsets.UTF_8);
  }
}
