package io.stevedore.store;

import io.stevedore.oci.Digest;
import java.util.Collection;

/**
 * Which content each repository of an upstream is known to have: content is stored once per digest,
 * but served under a repository only when it is linked to it (the upstream sent it for that
 * repository, a manifest of it references it, or the upstream confirmed it there).
 */
public interface LinkStore {
  boolean contains(String upstream, String repository, Digest digest);

  void add(String upstream, String repository, Collection<Digest> digests);
}
