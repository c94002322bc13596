package io.stevedore.store;

/** All of Stevedore's persistent state. Closing it releases the data directory. */
public interface Store extends AutoCloseable {
  BlobStore blobs();

  ManifestStore manifests();

  TagStore tags();

  LinkStore links();

  PinStore pins();

  @Override
  void close();
}
