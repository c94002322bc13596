package io.stevedore.perf;

import io.stevedore.config.UpstreamConfig;
import io.stevedore.oci.Digest;
import io.stevedore.oci.MediaType;
import io.stevedore.oci.Reference;
import io.stevedore.oci.RepositoryName;
import io.stevedore.upstream.BlobStream;
import io.stevedore.upstream.FetchedManifest;
import io.stevedore.upstream.ManifestHead;
import io.stevedore.upstream.RateLimit;
import io.stevedore.upstream.Referrers;
import io.stevedore.upstream.TagList;
import io.stevedore.upstream.Upstream;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An upstream that knows one manifest (by one tag and by its digest) and counts every call, so a
 * benchmark can prove it measured cache hits and not upstream round trips.
 */
final class CountingUpstream implements Upstream {
  private final UpstreamConfig config;
  private final String tag;
  private final byte[] manifest;
  private final Digest digest;
  private final AtomicInteger calls = new AtomicInteger();

  CountingUpstream(UpstreamConfig config, String tag, byte[] manifest) {
    this.config = config;
    this.tag = tag;
    this.manifest = manifest;
    this.digest = Digest.sha256(manifest);
  }

  Digest digest() {
    return digest;
  }

  int calls() {
    return calls.get();
  }

  @Override
  public UpstreamConfig config() {
    return config;
  }

  @Override
  public FetchedManifest fetchManifest(
      RepositoryName repository, Reference reference, List<String> accept) {
    calls.incrementAndGet();
    check(reference);
    return new FetchedManifest(manifest.clone(), MediaType.OCI_MANIFEST, Optional.of(digest));
  }

  @Override
  public Optional<ManifestHead> headManifest(
      RepositoryName repository, Reference reference, List<String> accept) {
    calls.incrementAndGet();
    check(reference);
    return Optional.of(new ManifestHead(digest, MediaType.OCI_MANIFEST, manifest.length));
  }

  private void check(Reference reference) {
    boolean known =
        switch (reference) {
          case Reference.Tag t -> t.name().equals(tag);
          case Reference.ByDigest d -> d.digest().equals(digest);
        };
    if (!known) {
      throw new IllegalArgumentException("this upstream knows only " + tag + " / " + digest);
    }
  }

  @Override
  public BlobStream fetchBlob(RepositoryName repository, Digest blob, long offset) {
    calls.incrementAndGet();
    throw new UnsupportedOperationException("no blobs here");
  }

  @Override
  public Optional<Long> headBlob(RepositoryName repository, Digest blob) {
    calls.incrementAndGet();
    throw new UnsupportedOperationException("no blobs here");
  }

  @Override
  public Optional<Referrers> fetchReferrers(
      RepositoryName repository, Digest subject, String artifactType) {
    calls.incrementAndGet();
    throw new UnsupportedOperationException("no referrers here");
  }

  @Override
  public boolean ping() {
    calls.incrementAndGet();
    return true;
  }

  @Override
  public Optional<RateLimit> rateLimit() {
    return Optional.empty();
  }

  @Override
  public TagList listTags(RepositoryName repository, Integer n, String last) {
    calls.incrementAndGet();
    throw new UnsupportedOperationException("no tag list here");
  }
}
