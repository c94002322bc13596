package io.stevedore.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.stevedore.oci.Digest;
import io.stevedore.oci.ErrorCode;
import io.stevedore.oci.MediaType;
import io.stevedore.oci.Reference;
import io.stevedore.oci.RegistryException;
import io.stevedore.oci.RepositoryName;
import io.stevedore.store.LinkStore;
import io.stevedore.store.ManifestStore;
import io.stevedore.store.StoreException;
import io.stevedore.store.StoredManifest;
import io.stevedore.store.TagEntry;
import io.stevedore.store.TagKey;
import io.stevedore.store.TagStore;
import io.stevedore.upstream.FetchedManifest;
import io.stevedore.upstream.ManifestHead;
import io.stevedore.upstream.Upstream;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BiPredicate;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * Manifests by digest (immutable: cached until evicted) and by tag (a digest with a freshness time,
 * revalidated with a HEAD). A hot tier in memory, bounded by bytes, sits over the store. Concurrent
 * requests that need the same upstream call share one; upstream 404s are remembered for the
 * upstream's negative TTL; a tag the upstream cannot confirm is served stale rather than not at
 * all.
 */
public final class ManifestCache {
  private static final Logger LOG = Logger.getLogger(ManifestCache.class.getName());

  private final ManifestStore store;
  private final TagStore tags;
  private final RepositoryLinks links;
  private final Clock clock;
  private final Cache<Digest, StoredManifest> hot;
  private final NegativeCache notFound;
  private final CacheCounters counters;
  private final SingleFlight<String, ServedManifest> flights = new SingleFlight<>();

  ManifestCache(
      ManifestStore store,
      TagStore tags,
      LinkStore links,
      Clock clock,
      long hotTierBytes,
      CacheCounters counters) {
    this.store = store;
    this.tags = tags;
    this.links = new RepositoryLinks(links);
    this.clock = clock;
    this.notFound = new NegativeCache(clock);
    this.counters = counters;
    this.hot =
        Caffeine.newBuilder()
            .maximumWeight(hotTierBytes)
            .<Digest, StoredManifest>weigher((digest, manifest) -> manifest.body().length)
            .build();
  }

  /**
   * The manifest {@code reference} names in {@code repository}, in one of the {@code accepted}
   * media types when it is a tag.
   */
  public ServedManifest get(
      Upstream upstream, RepositoryName repository, Reference reference, List<String> accepted) {
    return switch (reference) {
      case Reference.ByDigest byDigest -> byDigest(upstream, repository, byDigest.digest());
      case Reference.Tag tag -> byTag(upstream, repository, tag, accepted);
    };
  }

  private ServedManifest byDigest(Upstream upstream, RepositoryName repository, Digest digest) {
    Optional<StoredManifest> local = local(digest);
    if (local.isPresent()) {
      links.confirm(
          upstream,
          repository,
          digest,
          () ->
              upstream
                  .headManifest(
                      repository, new Reference.ByDigest(digest), MediaType.MANIFEST_TYPES)
                  .isPresent(),
          () -> RegistryException.manifestUnknown(digest.toString()));
      links.linkReferencesOnce(upstream, repository, local.get());
      return served(local.get(), CacheResult.HIT);
    }
    NegativeCache.Key key =
        new NegativeCache.Key(upstream.config().name(), repository.value(), digest.toString());
    rememberedNotFound(key);
    return flights.run(
        key.toString(),
        () ->
            local(digest)
                .map(m -> served(m, CacheResult.HIT))
                .orElseGet(
                    () -> remembering404(upstream, key, () -> fetch(upstream, repository, digest))),
        ServedManifest::joined);
  }

  private ServedManifest fetch(Upstream upstream, RepositoryName repository, Digest digest) {
    Reference.ByDigest reference = new Reference.ByDigest(digest);
    FetchedManifest fetched =
        upstream.fetchManifest(repository, reference, MediaType.MANIFEST_TYPES);
    StoredManifest manifest = verified(upstream, repository, reference, fetched, digest);
    return served(keep(upstream, repository, manifest), CacheResult.MISS);
  }

  /** The fetched manifest, if its bytes hash to {@code expected}; nothing is kept otherwise. */
  private static StoredManifest verified(
      Upstream upstream,
      RepositoryName repository,
      Reference reference,
      FetchedManifest fetched,
      Digest expected) {
    Digest actual = expected.recompute(fetched.body());
    if (!actual.equals(expected)) {
      throw new RegistryException(
          ErrorCode.UNAVAILABLE,
          502,
          "upstream "
              + upstream.config().name()
              + " sent a manifest for "
              + repository
              + ":"
              + reference
              + " whose digest is "
              + actual
              + ", not "
              + expected
              + "; nothing was stored");
    }
    return new StoredManifest(expected, fetched.mediaType(), fetched.body());
  }

  private ServedManifest byTag(
      Upstream upstream, RepositoryName repository, Reference.Tag tag, List<String> accepted) {
    TagKey key =
        new TagKey(upstream.config().name(), repository.value(), tag.name(), acceptKey(accepted));
    Optional<TagEntry> entry = findTag(key, accepted);
    TagPolicy.Decision decision =
        TagPolicy.decide(entry, accepted, clock.instant(), upstream.config().tagFreshness());
    if (decision == TagPolicy.Decision.SERVE_CACHED) {
      Optional<StoredManifest> local = local(entry.get().digest());
      if (local.isPresent()) {
        return served(local.get(), CacheResult.HIT);
      }
    }
    return flights.run(
        "tag " + key,
        () -> resolve(upstream, repository, tag, accepted, key),
        ServedManifest::joined);
  }

  /** Every set of manifest types a client may accept (its tag entries' keys), but none. */
  private static final List<List<String>> ACCEPT_SETS = acceptSets();

  private static List<List<String>> acceptSets() {
    List<String> types = MediaType.MANIFEST_TYPES;
    List<List<String>> sets = new ArrayList<>();
    for (int mask = 1; mask < 1 << types.size(); mask++) {
      List<String> set = new ArrayList<>();
      for (int i = 0; i < types.size(); i++) {
        if ((mask & 1 << i) != 0) {
          set.add(types.get(i));
        }
      }
      sets.add(List.copyOf(set));
    }
    return List.copyOf(sets);
  }

  /** A tag's entries are kept per set of accepted types; all four is the empty string. */
  private static String acceptKey(List<String> accepted) {
    return accepted.equals(MediaType.MANIFEST_TYPES) ? "" : String.join(",", accepted);
  }

  /**
   * The tag's entry for a client accepting {@code accepted}: its own, or, until it has one, the
   * latest entry of a client the upstream answered as it would answer this one ({@link
   * TagPolicy#answersAlike}). So a tag imported or fetched once serves every client that takes it.
   */
  private Optional<TagEntry> findTag(TagKey key, List<String> accepted) {
    Optional<TagEntry> own = tags.find(key);
    if (own.isPresent()) {
      return own;
    }
    return latestOther(
        key, (cachedFor, entry) -> TagPolicy.answersAlike(cachedFor, entry.mediaType(), accepted));
  }

  /**
   * The latest entry of the tag, for any client, of a type this one accepts: what an upstream that
   * cannot answer leaves to serve. It may be the default platform's manifest of an index the client
   * would have taken; a client that needs another platform sees it is not its own.
   */
  private Optional<TagEntry> lastKnown(TagKey key, List<String> accepted) {
    return latestOther(key, (cachedFor, entry) -> accepted.contains(entry.mediaType()));
  }

  private Optional<TagEntry> latestOther(TagKey key, BiPredicate<List<String>, TagEntry> usable) {
    Optional<TagEntry> latest = Optional.empty();
    for (List<String> cachedFor : ACCEPT_SETS) {
      TagKey other = new TagKey(key.upstream(), key.repository(), key.tag(), acceptKey(cachedFor));
      if (other.equals(key)) {
        continue;
      }
      Optional<TagEntry> entry = tags.find(other).filter(e -> usable.test(cachedFor, e));
      if (entry.isPresent()
          && (latest.isEmpty() || entry.get().checkedAt().isAfter(latest.get().checkedAt()))) {
        latest = entry;
      }
    }
    return latest;
  }

  private ServedManifest resolve(
      Upstream upstream,
      RepositoryName repository,
      Reference.Tag tag,
      List<String> accepted,
      TagKey key) {
    // Decide again: a flight for this tag may have ended just before this one started, and
    // what it stored makes an upstream call unnecessary.
    Optional<TagEntry> entry = findTag(key, accepted);
    Optional<StoredManifest> known = entry.flatMap(e -> local(e.digest()));
    TagPolicy.Decision decision =
        TagPolicy.decide(entry, accepted, clock.instant(), upstream.config().tagFreshness());
    if (decision == TagPolicy.Decision.SERVE_CACHED && known.isPresent()) {
      return served(known.get(), CacheResult.HIT);
    }
    NegativeCache.Key notFoundKey =
        new NegativeCache.Key(
            key.upstream(), key.repository(), "tag " + tag.name() + " " + key.accept());
    try {
      rememberedNotFound(notFoundKey);
      if (decision == TagPolicy.Decision.REVALIDATE && known.isPresent()) {
        Optional<ManifestHead> head = upstream.headManifest(repository, tag, accepted);
        if (head.isPresent() && head.get().digest().equals(known.get().digest())) {
          bestEffort(
              () ->
                  tags.put(
                      key,
                      new TagEntry(
                          known.get().digest(), known.get().mediaType(), clock.instant())));
          return served(known.get(), CacheResult.HIT);
        }
      }
      return remembering404(
          upstream, notFoundKey, () -> fetchTag(upstream, repository, tag, accepted, key));
    } catch (RegistryException e) {
      if (!servesStale(upstream, e)) {
        throw e;
      }
      Optional<StoredManifest> stale =
          known
              .filter(m -> accepted.contains(m.mediaType()))
              .or(() -> lastKnown(key, accepted).flatMap(other -> local(other.digest())));
      if (stale.isEmpty()) {
        throw e;
      }
      counters.servedStale();
      LOG.warning(
          () ->
              "serving stale "
                  + key
                  + " -> "
                  + stale.get().digest()
                  + " because "
                  + e.getMessage());
      return served(stale.get(), CacheResult.STALE);
    }
  }

  /**
   * Stale-if-error: an upstream that is down, slow, rate-limiting or broken does not take a cached
   * tag away; one that says the tag is gone does only when the upstream is configured so.
   */
  private static boolean servesStale(Upstream upstream, RegistryException e) {
    return e.temporary() || (e.status() == 404 && upstream.config().staleOn404());
  }

  private ServedManifest fetchTag(
      Upstream upstream,
      RepositoryName repository,
      Reference.Tag tag,
      List<String> accepted,
      TagKey key) {
    FetchedManifest fetched = upstream.fetchManifest(repository, tag, accepted);
    Digest digest = fetched.claimedDigest().orElseGet(() -> Digest.sha256(fetched.body()));
    StoredManifest manifest =
        keep(upstream, repository, verified(upstream, repository, tag, fetched, digest));
    bestEffort(() -> tags.put(key, new TagEntry(digest, manifest.mediaType(), clock.instant())));
    return served(manifest, CacheResult.MISS);
  }

  private void rememberedNotFound(NegativeCache.Key key) {
    Optional<RegistryException> remembered = notFound.find(key);
    if (remembered.isPresent()) {
      counters.negativeHit();
      throw remembered.get();
    }
  }

  private ServedManifest remembering404(
      Upstream upstream, NegativeCache.Key key, Supplier<ServedManifest> call) {
    try {
      return call.get();
    } catch (RegistryException e) {
      notFound.rememberIfNotFound(key, e, upstream.config().negativeTtl());
      throw e;
    }
  }

  /**
   * Records manifests that came in another way than from the upstream (an imported archive), under
   * {@code repository} as if the upstream had sent them, and {@code tag} as their first one's.
   * Remembered "not found" answers for the repository are dropped: they are not true any more.
   */
  void imported(
      Upstream upstream,
      RepositoryName repository,
      List<StoredManifest> imported,
      Optional<Reference.Tag> tag) {
    for (StoredManifest manifest : imported) {
      store.put(manifest);
      links.linkManifest(upstream, repository, manifest);
      hot.put(manifest.digest(), manifest);
    }
    StoredManifest top = imported.getFirst();
    tag.ifPresent(
        t ->
            tags.put(
                new TagKey(upstream.config().name(), repository.value(), t.name(), ""),
                new TagEntry(top.digest(), top.mediaType(), clock.instant())));
    notFound.forget(upstream.config().name(), repository.value());
  }

  /** A stored manifest, without asking any upstream. */
  Optional<StoredManifest> stored(Digest digest) {
    return local(digest);
  }

  private Optional<StoredManifest> local(Digest digest) {
    StoredManifest cached = hot.getIfPresent(digest);
    if (cached != null) {
      return Optional.of(cached);
    }
    Optional<StoredManifest> stored = store.find(digest);
    stored.ifPresent(m -> hot.put(digest, m));
    return stored;
  }

  private StoredManifest keep(
      Upstream upstream, RepositoryName repository, StoredManifest manifest) {
    hot.put(manifest.digest(), manifest);
    bestEffort(
        () -> {
          store.put(manifest);
          links.linkManifest(upstream, repository, manifest);
        });
    return manifest;
  }

  /**
   * A store that refuses writes (a full disk) must not take serving down with it: the manifest was
   * verified and is served; it is just not remembered this time.
   */
  private static void bestEffort(Runnable write) {
    try {
      write.run();
    } catch (StoreException e) {
      LOG.warning(() -> "not cached: " + e.getMessage());
    }
  }

  private static ServedManifest served(StoredManifest manifest, CacheResult result) {
    return new ServedManifest(manifest.digest(), manifest.mediaType(), manifest.body(), result);
  }
}
