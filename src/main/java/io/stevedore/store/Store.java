package io.stevedore.store;

import java.util.Optional;

/** All of Stevedore's persistent state. Closing it releases the data directory. */
public interface Store extends AutoCloseable {
  BlobStore blobs();

  ManifestStore manifests();

  TagStore tags();

  LinkStore links();

  PinStore pins();

  /**
   * Why the store cannot take new content now (closed, out of disk space); empty when it can.
   * Serving what is stored goes on either way.
   */
  Optional<String> unwritable();

  @Override
  void close();
}
