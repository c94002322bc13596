package io.stevedore.store.rocks;

import io.stevedore.oci.Digest;
import io.stevedore.store.PinStore;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;

/** Pins: image reference -> its digests, one per line. */
final class RocksPinStore implements PinStore {
  private final RocksDB db;
  private final StoreGuard guard;
  private final ColumnFamilyHandle family;

  RocksPinStore(RocksDB db, StoreGuard guard, ColumnFamilyHandle family) {
    this.db = db;
    this.guard = guard;
    this.family = family;
  }

  @Override
  public void pin(String image, Collection<Digest> digests) {
    String value = digests.stream().map(Digest::toString).collect(Collectors.joining("\n"));
    try (StoreGuard.Lease lease = guard.enter()) {
      db.put(
          family, image.getBytes(StandardCharsets.UTF_8), value.getBytes(StandardCharsets.UTF_8));
    } catch (RocksDBException e) {
      throw RocksStore.failure("cannot pin " + image, e);
    }
  }

  @Override
  public void unpin(String image) {
    try (StoreGuard.Lease lease = guard.enter()) {
      db.delete(family, image.getBytes(StandardCharsets.UTF_8));
    } catch (RocksDBException e) {
      throw RocksStore.failure("cannot unpin " + image, e);
    }
  }

  @Override
  public Map<String, Set<Digest>> all() {
    Map<String, Set<Digest>> pins = new TreeMap<>();
    try (StoreGuard.Lease lease = guard.enter();
        RocksIterator it = db.newIterator(family)) {
      for (it.seekToFirst(); it.isValid(); it.next()) {
        String value = new String(it.value(), StandardCharsets.UTF_8);
        Set<Digest> digests =
            value.isEmpty()
                ? Set.of()
                : Arrays.stream(value.split("\n"))
                    .map(Digest::parse)
                    .collect(Collectors.toCollection(LinkedHashSet::new));
        pins.put(new String(it.key(), StandardCharsets.UTF_8), digests);
      }
    }
    return pins;
  }
}
