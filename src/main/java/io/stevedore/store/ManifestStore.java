package io.stevedore.store;

import io.stevedore.oci.Digest;
import java.util.Optional;
import java.util.function.Consumer;

/** Manifests by digest. Only verified manifests are put here. */
public interface ManifestStore {
  Optional<StoredManifest> find(Digest digest);

  void put(StoredManifest manifest);

  void delete(Digest digest);

  /** Calls {@code action} with every stored manifest, one at a time. */
  void forEach(Consumer<StoredManifest> action);
}
