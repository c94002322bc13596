package io.stevedore.upstream;

import io.stevedore.config.UpstreamConfig;
import io.stevedore.oci.Digest;
import io.stevedore.oci.Reference;
import io.stevedore.oci.RepositoryName;
import java.util.List;
import java.util.Optional;

/** Passes every call to another upstream: a decorator overrides only the calls it changes. */
abstract class ForwardingUpstream implements Upstream {
  final Upstream delegate;

  ForwardingUpstream(Upstream delegate) {
    this.delegate = delegate;
  }

  @Override
  public UpstreamConfig config() {
    return delegate.config();
  }

  @Override
  public FetchedManifest fetchManifest(
      RepositoryName repository, Reference reference, List<String> accept) {
    return delegate.fetchManifest(repository, reference, accept);
  }

  @Override
  public Optional<ManifestHead> headManifest(
      RepositoryName repository, Reference reference, List<String> accept) {
    return delegate.headManifest(repository, reference, accept);
  }

  @Override
  public BlobStream fetchBlob(RepositoryName repository, Digest digest, long offset) {
    return delegate.fetchBlob(repository, digest, offset);
  }

  @Override
  public Optional<Long> headBlob(RepositoryName repository, Digest digest) {
    return delegate.headBlob(repository, digest);
  }

  @Override
  public Optional<Referrers> fetchReferrers(
      RepositoryName repository, Digest subject, String artifactType) {
    return delegate.fetchReferrers(repository, subject, artifactType);
  }

  @Override
  public boolean ping() {
    return delegate.ping();
  }

  @Override
  public Optional<RateLimit> rateLimit() {
    return delegate.rateLimit();
  }

  @Override
  public boolean circuitOpen() {
    return delegate.circuitOpen();
  }

  @Override
  public TagList listTags(RepositoryName repository, Integer n, String last) {
    return delegate.listTags(repository, n, last);
  }
}
