package io.stevedore.upstream;

import io.stevedore.config.UpstreamConfig;
import io.stevedore.oci.Digest;
import io.stevedore.oci.Reference;
import io.stevedore.oci.RepositoryName;
import java.util.List;
import java.util.Optional;

/**
 * One upstream registry, seen through the pull side of the distribution API. Every failure is a
 * {@link io.stevedore.oci.RegistryException} whose code and status are what the mirror's client
 * should see: the upstream's 404 code (MANIFEST_UNKNOWN, BLOB_UNKNOWN, NAME_UNKNOWN), 401
 * UNAUTHORIZED, 403 DENIED, 429 TOOMANYREQUESTS (with retry-after), and UNAVAILABLE with 502 (bad
 * answer, 5xx), 503 (unreachable) or 504 (timed out), each message naming the upstream.
 */
public interface Upstream {

  /** The largest manifest we accept, as containerd does. */
  int MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

  UpstreamConfig config();

  /** GET a manifest; the body is read whole (at most {@link #MAX_MANIFEST_BYTES}). */
  FetchedManifest fetchManifest(
      RepositoryName repository, Reference reference, List<String> accept);

  /** HEAD a manifest: its digest, media type and size; empty when the upstream says 404. */
  Optional<ManifestHead> headManifest(
      RepositoryName repository, Reference reference, List<String> accept);

  /**
   * GET a blob from {@code offset} on ({@code Range: bytes=offset-} when offset > 0). The caller
   * must close the result. When the upstream ignores the range and answers 200, {@link
   * BlobStream#offset()} is 0.
   */
  BlobStream fetchBlob(RepositoryName repository, Digest digest, long offset);

  /** HEAD a blob: its size; empty when the upstream says 404. */
  Optional<Long> headBlob(RepositoryName repository, Digest digest);

  /**
   * GET the referrers of {@code subject} ({@code /v2/<name>/referrers/<digest>}), filtered by
   * {@code artifactType} when it is not null. Empty when the upstream lacks the referrers API (it
   * answers 404), so the caller can fall back to the referrers tag schema.
   */
  Optional<Referrers> fetchReferrers(
      RepositoryName repository, Digest subject, String artifactType);

  /**
   * Whether the upstream answers its version check ({@code GET /v2/}, 200 or 401) now; never
   * throws.
   */
  boolean ping();

  /** What the upstream last said of its rate limit, if it ever did. */
  Optional<RateLimit> rateLimit();

  /**
   * Whether calls fail at once because the upstream could not be reached lately (a circuit breaker
   * is open); cached content is still served.
   */
  default boolean circuitOpen() {
    return false;
  }

  /**
   * This upstream without the cluster's owner fill: what an internal hop from a peer is served
   * from, so a hop is never passed on to yet another node.
   */
  default Upstream direct() {
    return this;
  }

  /** GET the tag list. {@code n} and {@code last} are passed on when present (null when absent). */
  TagList listTags(RepositoryName repository, Integer n, String last);
}
