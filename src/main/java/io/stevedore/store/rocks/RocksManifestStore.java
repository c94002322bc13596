package io.stevedore.store.rocks;

import io.stevedore.oci.Digest;
import io.stevedore.store.ManifestStore;
import io.stevedore.store.StoredManifest;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;

/** Manifests by digest: value = media type length, media type, body. */
final class RocksManifestStore implements ManifestStore {
  private final RocksDB db;
  private final StoreGuard guard;
  private final ColumnFamilyHandle family;

  RocksManifestStore(RocksDB db, StoreGuard guard, ColumnFamilyHandle family) {
    this.db = db;
    this.guard = guard;
    this.family = family;
  }

  @Override
  public Optional<StoredManifest> find(Digest digest) {
    try (StoreGuard.Lease lease = guard.enter()) {
      byte[] value = db.get(family, digest.toString().getBytes(StandardCharsets.UTF_8));
      if (value == null) {
        return Optional.empty();
      }
      ByteBuffer buffer = ByteBuffer.wrap(value);
      byte[] type = new byte[buffer.getShort() & 0xffff];
      buffer.get(type);
      byte[] body = Arrays.copyOfRange(value, buffer.position(), value.length);
      return Optional.of(
          new StoredManifest(digest, new String(type, StandardCharsets.UTF_8), body));
    } catch (RocksDBException e) {
      throw RocksStore.failure("cannot read manifest " + digest, e);
    }
  }

  @Override
  public void put(StoredManifest manifest) {
    byte[] type = manifest.mediaType().getBytes(StandardCharsets.UTF_8);
    byte[] value =
        ByteBuffer.allocate(2 + type.length + manifest.body().length)
            .putShort((short) type.length)
            .put(type)
            .put(manifest.body())
            .array();
    try (StoreGuard.Lease lease = guard.enter()) {
      db.put(family, manifest.digest().toString().getBytes(StandardCharsets.UTF_8), value);
    } catch (RocksDBException e) {
      throw RocksStore.failure("cannot store manifest " + manifest.digest(), e);
    }
  }
}
