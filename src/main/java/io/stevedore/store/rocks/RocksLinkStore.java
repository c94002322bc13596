package io.stevedore.store.rocks;

import io.stevedore.oci.Digest;
import io.stevedore.store.LinkStore;
import java.nio.charset.StandardCharsets;
import java.util.Collection;

/** Links as empty values under upstream NUL repository NUL digest. */
final class RocksLinkStore implements LinkStore {
  private static final byte[] PRESENT = new byte[0];

  private final ColumnFamily family;

  RocksLinkStore(ColumnFamily family) {
    this.family = family;
  }

  @Override
  public boolean contains(String upstream, String repository, Digest digest) {
    return family
        .find(
            key(upstream, repository, digest),
            () -> "cannot read link " + repository + " -> " + digest)
        .isPresent();
  }

  @Override
  public void add(String upstream, String repository, Collection<Digest> digests) {
    family.putAll(
        digests.stream().map(digest -> key(upstream, repository, digest)).toList(),
        PRESENT,
        () -> "cannot link " + digests.size() + " digests to " + repository);
  }

  private static byte[] key(String upstream, String repository, Digest digest) {
    return (upstream + "\0" + repository + "\0" + digest).getBytes(StandardCharsets.UTF_8);
  }
}
