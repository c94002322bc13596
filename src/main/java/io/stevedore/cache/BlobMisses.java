package io.stevedore.cache;

import io.stevedore.oci.Digest;
import io.stevedore.oci.RegistryException;
import io.stevedore.oci.RepositoryName;
import io.stevedore.upstream.Upstream;
import java.time.Clock;
import java.util.Optional;

/**
 * Blobs an upstream said a repository does not have, remembered for the upstream's {@code
 * negative-ttl}: a client retrying a missing layer (ranged or not, GET or HEAD) is answered here
 * instead of by the upstream. The blob arriving (a fill that committed it, from any repository, or
 * an import) ends the memory at once.
 */
final class BlobMisses implements BlobListener {
  private final NegativeCache notFound;

  BlobMisses(Clock clock) {
    this.notFound = new NegativeCache(clock);
  }

  /**
   * @throws RegistryException the remembered 404, if the upstream said so within its negative TTL
   */
  void checkNotRemembered(Upstream upstream, RepositoryName repository, Digest digest) {
    Optional<RegistryException> remembered = notFound.find(key(upstream, repository, digest));
    if (remembered.isPresent()) {
      throw remembered.get();
    }
  }

  /** Remembers {@code error} when it is the upstream's 404 for the blob. */
  void rememberIfNotFound(
      Upstream upstream, RepositoryName repository, Digest digest, RegistryException error) {
    notFound.rememberIfNotFound(
        key(upstream, repository, digest), error, upstream.config().negativeTtl());
  }

  /** The blob is here now: no repository's "not found" for it holds any more. */
  void found(Digest digest) {
    notFound.forgetEverywhere(digest.toString());
  }

  @Override
  public void committed(Digest digest, long size) {
    found(digest);
  }

  private static NegativeCache.Key key(
      Upstream upstream, RepositoryName repository, Digest digest) {
    return new NegativeCache.Key(upstream.config().name(), repository.value(), digest.toString());
  }
}
