package io.stevedore.store.rocks;

import io.stevedore.oci.Digest;
import io.stevedore.store.ManifestStore;
import io.stevedore.store.StoredManifest;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;
import java.util.function.Consumer;

/** Manifests by digest: value = media type length, media type, body. */
final class RocksManifestStore implements ManifestStore {
  private final ColumnFamily family;

  RocksManifestStore(ColumnFamily family) {
    this.family = family;
  }

  @Override
  public Optional<StoredManifest> find(Digest digest) {
    return family
        .find(key(digest), () -> "cannot read manifest " + digest)
        .map(value -> decode(digest, value));
  }

  @Override
  public void delete(Digest digest) {
    family.delete(key(digest), () -> "cannot delete manifest " + digest);
  }

  @Override
  public void forEach(Consumer<StoredManifest> action) {
    family.forEach(
        (key, value) ->
            action.accept(decode(Digest.parse(new String(key, StandardCharsets.UTF_8)), value)));
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
    family.put(key(manifest.digest()), value, () -> "cannot store manifest " + manifest.digest());
  }

  private static byte[] key(Digest digest) {
    return digest.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static StoredManifest decode(Digest digest, byte[] value) {
    ByteBuffer buffer = ByteBuffer.wrap(value);
    byte[] type = new byte[buffer.getShort() & 0xffff];
    buffer.get(type);
    byte[] body = Arrays.copyOfRange(value, buffer.position(), value.length);
    return new StoredManifest(digest, new String(type, StandardCharsets.UTF_8), body);
  }
}
