package io.stevedore.store;

import io.stevedore.oci.Digest;
import java.util.Optional;

/** Manifests by digest. Only verified manifests are put here. */
public interface ManifestStore {
  Optional<StoredManifest> find(Digest digest);

  void put(StoredManifest manifest);
}
