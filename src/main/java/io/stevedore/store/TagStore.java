package io.stevedore.store;

import java.util.Optional;

/** Which digest a tag pointed at, and when the upstream last said so. */
public interface TagStore {
  Optional<TagEntry> find(TagKey key);

  void put(TagKey key, TagEntry entry);
}
