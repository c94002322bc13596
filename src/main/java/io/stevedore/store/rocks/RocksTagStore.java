package io.stevedore.store.rocks;

import io.stevedore.oci.Digest;
import io.stevedore.store.TagEntry;
import io.stevedore.store.TagKey;
import io.stevedore.store.TagStore;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;

/**
 * Tags: key = upstream NUL repository NUL tag NUL accepted types (NUL occurs in none of them),
 * value = digest NUL media type NUL epoch millis, as text so the records stay readable in a
 * debugger.
 */
final class RocksTagStore implements TagStore {
  private final ColumnFamily family;

  RocksTagStore(ColumnFamily family) {
    this.family = family;
  }

  @Override
  public Optional<TagEntry> find(TagKey key) {
    return family.find(encode(key), () -> "cannot read tag " + key).map(RocksTagStore::decode);
  }

  @Override
  public void put(TagKey key, TagEntry entry) {
    String value =
        entry.digest() + "\0" + entry.mediaType() + "\0" + entry.checkedAt().toEpochMilli();
    family.put(
        encode(key), value.getBytes(StandardCharsets.UTF_8), () -> "cannot store tag " + key);
  }

  private static TagEntry decode(byte[] value) {
    String[] parts = new String(value, StandardCharsets.UTF_8).split("\0", 3);
    return new TagEntry(
        Digest.parse(parts[0]), parts[1], Instant.ofEpochMilli(Long.parseLong(parts[2])));
  }

  private static byte[] encode(TagKey key) {
    return (key.upstream() + "\0" + key.repository() + "\0" + key.tag() + "\0" + key.accept())
        .getBytes(StandardCharsets.UTF_8);
  }
}
