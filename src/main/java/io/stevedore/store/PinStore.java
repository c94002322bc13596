package io.stevedore.store;

import io.stevedore.oci.Digest;
import java.util.Collection;
import java.util.Map;
import java.util.Set;

/**
 * Content pinned by image reference: eviction never removes a pinned digest. Pinning an image again
 * replaces what it pinned before.
 */
public interface PinStore {
  void pin(String image, Collection<Digest> digests);

  void unpin(String image);

  /** Every pinned image with its digests. */
  Map<String, Set<Digest>> all();
}
