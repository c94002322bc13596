package io.stevedore.cache;

import io.stevedore.oci.Digest;
import io.stevedore.oci.MediaType;
import io.stevedore.oci.Reference;
import io.stevedore.oci.ReferrersIndex;
import io.stevedore.oci.RegistryException;
import io.stevedore.oci.RepositoryName;
import io.stevedore.store.ManifestStore;
import io.stevedore.store.StoredManifest;
import io.stevedore.store.TagEntry;
import io.stevedore.store.TagKey;
import io.stevedore.store.TagStore;
import io.stevedore.upstream.Referrers;
import io.stevedore.upstream.Upstream;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.logging.Logger;

/**
 * The referrers of a manifest (signatures, SBOMs, attestations), cached like a tag: the answer may
 * change as referrers are pushed, so it is served from cache for the upstream's tag freshness, then
 * asked again, and served stale when the upstream fails. An upstream without the referrers API is
 * asked for the referrers tag ({@code sha256-<hex>}) instead.
 */
public final class ReferrersCache {
  private static final Logger LOG = Logger.getLogger(ReferrersCache.class.getName());
  private static final List<String> INDEX = List.of(MediaType.OCI_INDEX);

  private final ManifestStore store;
  private final TagStore tags;
  private final Clock clock;
  private final CacheCounters counters;
  private final SingleFlight<TagKey, ServedReferrers> flights = new SingleFlight<>();

  ReferrersCache(ManifestStore store, TagStore tags, Clock clock, CacheCounters counters) {
    this.store = store;
    this.tags = tags;
    this.clock = clock;
    this.counters = counters;
  }

  /** The referrers index of {@code subject}, only of {@code artifactType} when that is not null. */
  public ServedReferrers get(
      Upstream upstream, RepositoryName repository, Digest subject, String artifactType) {
    TagKey key = key(upstream.config().name(), repository.value(), subject, artifactType);
    String name = key.tag();
    boolean filtered = artifactType != null;
    Optional<StoredManifest> cached = cached(key);
    if (cached.isPresent() && fresh(key, upstream)) {
      return new ServedReferrers(cached.get().body(), filtered, false);
    }
    return flights.run(
        key,
        () -> {
          try {
            byte[] body = fetch(upstream, repository, subject, artifactType);
            StoredManifest index =
                new StoredManifest(Digest.sha256(body), MediaType.OCI_INDEX, body);
            store.put(index);
            tags.put(key, new TagEntry(index.digest(), MediaType.OCI_INDEX, clock.instant()));
            return new ServedReferrers(body, filtered, false);
          } catch (RegistryException e) {
            Optional<byte[]> stale =
                e.temporary() ? staleAnswer(cached, key, subject, artifactType) : Optional.empty();
            if (stale.isPresent()) {
              counters.servedStale();
              LOG.warning(
                  () -> "serving stale " + name + " of " + repository + ": " + e.getMessage());
              return new ServedReferrers(stale.get(), filtered, true);
            }
            throw e;
          }
        },
        UnaryOperator.identity());
  }

  /**
   * The cached index of all of {@code subject}'s referrers, without asking the upstream; what
   * export carries along with an image.
   */
  Optional<byte[]> cachedIndex(Upstream upstream, RepositoryName repository, Digest subject) {
    return cached(key(upstream.config().name(), repository.value(), subject, null))
        .map(StoredManifest::body);
  }

  /**
   * Adds a referrer that came in another way than from the upstream (an imported archive) to its
   * subject's cached index, keeping the referrers cached before; an air-gapped mirror answers the
   * referrers API with it.
   */
  void imported(
      Upstream upstream, RepositoryName repository, Digest subject, StoredManifest referrer) {
    TagKey key = key(upstream.config().name(), repository.value(), subject, null);
    byte[] cached = cached(key).map(StoredManifest::body).orElseGet(ReferrersIndex::empty);
    byte[] body =
        ReferrersIndex.with(cached, referrer.mediaType(), referrer.digest(), referrer.body());
    StoredManifest index = new StoredManifest(Digest.sha256(body), MediaType.OCI_INDEX, body);
    store.put(index);
    tags.put(key, new TagEntry(index.digest(), MediaType.OCI_INDEX, clock.instant()));
  }

  /**
   * Where the answer for {@code subject}'s referrers is kept, all of them when {@code artifactType}
   * is null.
   */
  private static TagKey key(
      String upstream, String repository, Digest subject, String artifactType) {
    // A space occurs in no tag, so these entries never meet a real tag's.
    String name = "referrers " + subject + (artifactType == null ? "" : " " + artifactType);
    return new TagKey(upstream, repository, name, "");
  }

  private byte[] fetch(
      Upstream upstream, RepositoryName repository, Digest subject, String artifactType) {
    Optional<Referrers> answer = upstream.fetchReferrers(repository, subject, artifactType);
    byte[] index;
    boolean filteredUpstream;
    if (answer.isPresent()) {
      index = answer.get().body();
      filteredUpstream = answer.get().filtered();
    } else {
      index = fromTagSchema(upstream, repository, subject);
      filteredUpstream = false;
    }
    return artifactType != null && !filteredUpstream
        ? ReferrersIndex.filter(index, artifactType)
        : index;
  }

  /** Registries without the referrers API keep referrers in an index tagged {@code alg-hex}. */
  private static byte[] fromTagSchema(
      Upstream upstream, RepositoryName repository, Digest subject) {
    Reference.Tag tag = new Reference.Tag(subject.algorithm().prefix() + "-" + subject.hex());
    try {
      return upstream.fetchManifest(repository, tag, INDEX).body();
    } catch (RegistryException e) {
      if (e.status() == 404) {
        return ReferrersIndex.empty();
      }
      throw e;
    }
  }

  /**
   * The last known answer; for a filtered query never asked before (an air-gapped import holds only
   * the unfiltered index), the unfiltered answer filtered here.
   */
  private Optional<byte[]> staleAnswer(
      Optional<StoredManifest> cached, TagKey key, Digest subject, String artifactType) {
    if (cached.isPresent()) {
      return Optional.of(cached.get().body());
    }
    if (artifactType == null) {
      return Optional.empty();
    }
    return cached(key(key.upstream(), key.repository(), subject, null))
        .map(index -> ReferrersIndex.filter(index.body(), artifactType));
  }

  private Optional<StoredManifest> cached(TagKey key) {
    return tags.find(key).flatMap(entry -> store.find(entry.digest()));
  }

  private boolean fresh(TagKey key, Upstream upstream) {
    return TagPolicy.decide(
            tags.find(key), INDEX, clock.instant(), upstream.config().tagFreshness())
        == TagPolicy.Decision.SERVE_CACHED;
  }
}
