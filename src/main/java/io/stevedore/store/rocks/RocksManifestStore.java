package io.stevedore.store.rocks;

import io.stevedore.oci.Digest;
import io.stevedore.store.ManifestStore;
import io.stevedore.store.StoredManifest;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;
import java.util.function.Consumer;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;

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
      return Optional.of(decode(digest, value));
    } catch (RocksDBException e) {
      throw RocksStore.failure("cannot read manifest " + digest, e);
    }
  }

  private static StoredManifest decode(Digest digest, byte[] value) {
    ByteBuffer buffer = ByteBuffer.wrap(value);
    byte[] type = new byte[buffer.getShort() & 0xffff];
    buffer.get(type);
    byte[] body = Arrays.copyOfRange(value, buffer.position(), value.length);
    return new StoredManifest(digest, new String(type, StandardCharsets.UTF_8), body);
  }

  @Override
  public void delete(Digest digest) {
    try (StoreGuard.Lease lease = guard.enter()) {
      db.delete(family, digest.toString().getBytes(StandardCharsets.UTF_8));
    } catch (RocksDBException e) {
      throw RocksStore.failure("cannot delete manifest " + digest, e);
    }
  }

  @Override
  public void forEach(Consumer<StoredManifest> action) {
    try (StoreGuard.Lease lease = guard.enter();
        RocksIterator it = db.newIterator(family)) {
      for (it.seekToFirst(); it.isValid(); it.next()) {
        Digest digest = Digest.parse(new String(it.key(), StandardCharsets.UTF_8));
        action.accept(decode(digest, it.value()));
      }
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
